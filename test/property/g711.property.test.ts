import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ALAW_TO_ULAW, alawToLinear, linearToAlaw, linearToUlaw, ULAW_TO_ALAW, ulawToLinear } from '../../src/media/index.ts';

const code = fc.integer({ min: 0, max: 255 });
const sample = fc.integer({ min: -32768, max: 32767 });

test('G.711 μ-law: decode→encode gives back every code except the negative zero 0x7F', () => {
  for (let c = 0; c < 256; c++) {
    const back = linearToUlaw(ulawToLinear(c));
    if (c === 0x7f) assert.equal(back, 0xff, 'μ-law has two zero codes; 0 encodes as 0xFF');
    else assert.equal(back, c, `code 0x${c.toString(16)}`);
  }
});

test('G.711 A-law: decode→encode gives back all 256 codes', () => {
  for (let c = 0; c < 256; c++) assert.equal(linearToAlaw(alawToLinear(c)), c, `code 0x${c.toString(16)}`);
});

test('G.711: encode is monotonic in the sample (through the decoded value)', () => {
  fc.assert(
    fc.property(sample, sample, (x, y) => {
      const [lo, hi] = x <= y ? [x, y] : [y, x];
      assert.ok(ulawToLinear(linearToUlaw(lo)) <= ulawToLinear(linearToUlaw(hi)));
      assert.ok(alawToLinear(linearToAlaw(lo)) <= alawToLinear(linearToAlaw(hi)));
    }),
    { numRuns: 2000 },
  );
});

test('G.711: quantisation error is bounded by half a step of the segment (≤ |x|/32 + 16)', () => {
  fc.assert(
    fc.property(sample, (x) => {
      const xs = Math.max(-32124, Math.min(32124, x));
      assert.ok(Math.abs(ulawToLinear(linearToUlaw(x)) - xs) <= Math.abs(xs) / 32 + 16, `μ ${x}`);
      const xa = Math.max(-32256, Math.min(32256, x));
      assert.ok(Math.abs(alawToLinear(linearToAlaw(x)) - xa) <= Math.abs(xa) / 32 + 16, `A ${x}`);
    }),
    { numRuns: 5000 },
  );
});

test('G.711: μ→A→μ and A→μ→A stay within one step of the original and are idempotent', () => {
  fc.assert(
    fc.property(code, (c) => {
      const u = ALAW_TO_ULAW[ULAW_TO_ALAW[c] ?? 0] ?? 0;
      const lu = ulawToLinear(c);
      assert.ok(Math.abs(ulawToLinear(u) - lu) <= Math.max(16, Math.abs(lu) / 16), `μ 0x${c.toString(16)}`);
      assert.equal(ALAW_TO_ULAW[ULAW_TO_ALAW[u] ?? 0], u, 'second round trip is stable');
      const a = ULAW_TO_ALAW[ALAW_TO_ULAW[c] ?? 0] ?? 0;
      const la = alawToLinear(c);
      assert.ok(Math.abs(alawToLinear(a) - la) <= Math.max(16, Math.abs(la) / 16), `A 0x${c.toString(16)}`);
      assert.equal(ULAW_TO_ALAW[ALAW_TO_ULAW[a] ?? 0], a, 'second round trip is stable');
    }),
    { numRuns: 256 },
  );
});

test('G.711: transcoding preserves sign and order', () => {
  fc.assert(
    fc.property(code, code, (c1, c2) => {
      const [l1, l2] = [ulawToLinear(c1), ulawToLinear(c2)];
      const [t1, t2] = [alawToLinear(ULAW_TO_ALAW[c1] ?? 0), alawToLinear(ULAW_TO_ALAW[c2] ?? 0)];
      if (l1 < l2) assert.ok(t1 <= t2);
      if (l1 > 0) assert.ok(t1 > 0);
      if (l1 < 0) assert.ok(t1 < 0);
    }),
    { numRuns: 3000 },
  );
});
