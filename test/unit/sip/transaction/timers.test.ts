/**
 * SipTimers (RFC 3261 §17 / Appendix A, RFC 6026 §8.4): derived values,
 * reliable-transport zeros, validation, and the backoff rule.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSipTimers, nextInterval, timerDuration } from '../../../../src/sip/transaction/index.ts';

describe('SipTimers (RFC 3261 Appendix A)', () => {
  it('defaults: T1 = 500 ms, T2 = 4 s, T4 = 5 s and every timer derived from them', () => {
    const t = createSipTimers();
    assert.deepEqual(
      { ...t },
      { T1: 500, T2: 4000, T4: 5000, A: 500, B: 32000, D: 32000, E: 500, F: 32000, G: 500, H: 32000, I: 5000, J: 32000, K: 5000, L: 32000, M: 32000 },
    );
    assert.ok(Object.isFrozen(t));
  });

  it('B, F, H, J, L and M are 64·T1 for any T1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (T1) => {
        const t = createSipTimers({ T1, T2: Math.max(T1, 4000) });
        return [t.B, t.F, t.H, t.J, t.L, t.M].every((v) => v === 64 * T1) && t.D >= 32_000;
      }),
    );
  });

  it('reliable transports: Timers D, I, J and K are zero; the others keep their values', () => {
    const t = createSipTimers();
    for (const name of ['D', 'I', 'J', 'K'] as const) {
      assert.equal(timerDuration(t, name, true), 0, name);
      assert.equal(timerDuration(t, name, false), t[name], name);
    }
    for (const name of ['A', 'B', 'E', 'F', 'G', 'H', 'L', 'M'] as const) assert.equal(timerDuration(t, name, true), t[name], name);
  });

  it('Timer A doubles without a cap; Timers E and G double up to T2', () => {
    const t = createSipTimers();
    assert.equal(nextInterval(t, 'A', 16_000), 32_000);
    assert.equal(nextInterval(t, 'E', 2000), 4000);
    assert.equal(nextInterval(t, 'E', 4000), 4000);
    assert.equal(nextInterval(t, 'G', 3000), 4000);
  });

  it('rejects non-positive values and T2 below T1', () => {
    assert.throws(() => createSipTimers({ T1: 0 }), RangeError);
    assert.throws(() => createSipTimers({ T4: Number.NaN }), RangeError);
    assert.throws(() => createSipTimers({ T1: 5000, T2: 4000 }), RangeError);
  });
});
