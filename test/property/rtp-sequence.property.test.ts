import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seqAdd, seqDistance, seqForward, seqLessThan, tsAdd, tsDistance, tsLessThan } from '../../src/rtp/index.ts';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const M16 = 1n << 16n;
const M32 = 1n << 32n;
const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;

/** RFC 1982 reference: a < b iff 0 < (b - a) mod 2^n < 2^(n-1). */
function refLess(a: bigint, b: bigint, m: bigint): boolean {
  const d = mod(b - a, m);
  return d !== 0n && d < m / 2n;
}
function refDistance(a: bigint, b: bigint, m: bigint): bigint {
  const d = mod(b - a, m);
  return d >= m / 2n ? d - m : d;
}

test('seqLessThan / seqDistance / seqForward agree with a BigInt reference', () => {
  fc.assert(
    fc.property(u16, u16, (a, b) => {
      assert.equal(seqLessThan(a, b), refLess(BigInt(a), BigInt(b), M16));
      assert.equal(BigInt(seqDistance(a, b)), refDistance(BigInt(a), BigInt(b), M16));
      assert.equal(BigInt(seqForward(a, b)), mod(BigInt(b) - BigInt(a), M16));
    }),
    { numRuns: 5000 },
  );
});

test('seqAdd wraps like (a + d) mod 2^16 and is consistent with seqDistance', () => {
  fc.assert(
    fc.property(u16, fc.integer({ min: -32768, max: 32767 }), (a, d) => {
      const s = seqAdd(a, d);
      assert.equal(BigInt(s), mod(BigInt(a) + BigInt(d), M16));
      assert.equal(seqDistance(a, s), d);
    }),
    { numRuns: 5000 },
  );
});

test('seqLessThan is antisymmetric and irreflexive', () => {
  fc.assert(
    fc.property(u16, u16, (a, b) => {
      assert.equal(seqLessThan(a, a), false);
      assert.ok(!(seqLessThan(a, b) && seqLessThan(b, a)));
    }),
  );
});

test('tsLessThan / tsDistance / tsAdd agree with a BigInt reference on 32 bits', () => {
  fc.assert(
    fc.property(u32, u32, fc.integer({ min: -0x80000000, max: 0x7fffffff }), (a, b, d) => {
      assert.equal(tsLessThan(a, b), refLess(BigInt(a), BigInt(b), M32));
      assert.equal(BigInt(tsDistance(a, b)), refDistance(BigInt(a), BigInt(b), M32));
      assert.equal(BigInt(tsAdd(a, d)), mod(BigInt(a) + BigInt(d), M32));
      assert.equal(tsDistance(a, tsAdd(a, d)), d);
    }),
    { numRuns: 5000 },
  );
});
