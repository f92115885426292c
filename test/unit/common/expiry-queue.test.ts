import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryQueue, ManualClock } from '../../../src/common/index.ts';

test('entries of several durations expire at their time, in order, with one pending timer', () => {
  const clock = new ManualClock();
  const out: string[] = [];
  const q = new ExpiryQueue<{ name: string; expires: number }>(clock, (e) => out.push(`${e.name}@${clock.now()}`));
  const add = (name: string, ms: number) => q.add({ name, expires: clock.now() + ms }, ms);
  add('long1', 32_000);
  add('short1', 5_000);
  clock.advance(1_000);
  add('long2', 32_000);
  add('short2', 5_000);
  assert.equal(clock.pending, 1);
  clock.advance(40_000);
  assert.deepEqual(out, ['short1@5000', 'short2@6000', 'long1@32000', 'long2@33000']);
  assert.equal(clock.pending, 0);
});

test('clear drops the entries and the timer', () => {
  const clock = new ManualClock();
  const out: number[] = [];
  const q = new ExpiryQueue<{ expires: number }>(clock, (e) => out.push(e.expires));
  q.add({ expires: 100 }, 100);
  q.clear();
  clock.advance(1_000);
  assert.deepEqual(out, []);
  assert.equal(clock.pending, 0);
});
