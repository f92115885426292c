import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/common/index.ts';
import { DialogRouter } from '../../../src/engine/dialog-router.ts';
import type { DialogTarget } from '../../../src/sip/index.ts';

const target = (): DialogTarget => ({ onRequest: () => {}, onAck: () => {} });

test('retired dialog keys stay routed for their delay, then go; one clock timer for all of them', () => {
  const clock = new ManualClock();
  const r = new DialogRouter(clock);
  const ended = target();
  r.register('a', target());
  r.retire(['a', 'b'], ended, 32_000);
  clock.advance(10_000);
  r.retire(['c'], ended, 32_000);
  assert.equal(r.size, 3);
  assert.equal(clock.pending, 1, 'one timer, armed for the oldest');
  clock.advance(22_000);
  assert.equal(r.size, 1, 'a and b forgotten after 32 s');
  assert.equal(r.retiring, 1);
  clock.advance(10_000);
  assert.equal(r.size, 0);
  assert.equal(clock.pending, 0, 'no timer once the queue is empty');
});

test('a key registered again before its retirement ends is not removed by it', () => {
  const clock = new ManualClock();
  const r = new DialogRouter(clock);
  r.retire(['k'], target(), 1_000);
  const live = target();
  r.register('k', live);
  clock.advance(2_000);
  assert.equal(r.size, 1);
});

test('many retirements: the queue is compacted and every key expires', () => {
  const clock = new ManualClock();
  const r = new DialogRouter(clock);
  for (let i = 0; i < 5_000; i++) {
    r.retire([`x${i}`], target(), 100);
    clock.advance(1);
  }
  clock.advance(200);
  assert.equal(r.size, 0);
  assert.equal(r.retiring, 0);
});
