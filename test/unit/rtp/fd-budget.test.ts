import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FD_RESERVE, openFileLimit, rtpPairBudget } from '../../../src/rtp/index.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                1048576              files
Max locked memory         8388608              8388608              bytes
`;

test('openFileLimit reads the soft limit from /proc/self/limits, 1024 when it cannot', () => {
  assert.equal(openFileLimit(() => LIMITS), 20000);
  assert.equal(openFileLimit(() => LIMITS.replace('20000    ', 'unlimited')), 1_048_576);
  assert.equal(openFileLimit(() => 'nothing here'), 1024);
  assert.equal(
    openFileLimit(() => {
      throw new Error('ENOENT');
    }),
    1024,
  );
  assert.ok(openFileLimit() >= 64, 'this machine has a readable limit');
});

test('rtpPairBudget leaves a reserve for everything else and splits the rest over the pools', () => {
  assert.equal(rtpPairBudget(20000, 2), Math.floor((20000 - FD_RESERVE) / 2 / 2));
  assert.equal(rtpPairBudget(1024, 1), 256, 'a small limit keeps half for the rest');
  assert.equal(rtpPairBudget(10, 4), 2, 'never below two pairs per pool');
});
