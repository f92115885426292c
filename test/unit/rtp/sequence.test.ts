import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seqAdd, seqDistance, seqLessThan, tsAdd, tsDistance, tsLessThan, uint16, uint32 } from '../../../src/rtp/index.ts';

test('sequence: 65535 is before 0 across the wrap (RFC 1982 serial arithmetic)', () => {
  assert.equal(seqLessThan(65535, 0), true);
  assert.equal(seqLessThan(0, 65535), false);
  assert.equal(seqDistance(65535, 2), 3);
  assert.equal(seqDistance(2, 65535), -3);
  assert.equal(seqAdd(65535, 1), 0);
});

test('sequence: equal values are neither less nor more, distance 0', () => {
  assert.equal(seqLessThan(7, 7), false);
  assert.equal(seqDistance(7, 7), 0);
});

test('timestamps: 32-bit wrap', () => {
  assert.equal(tsAdd(0xffffffff, 160), 159);
  assert.equal(tsLessThan(0xffffff00, 10), true);
  assert.equal(tsDistance(0xffffff00, 10), 266);
  assert.equal(uint16(-1), 65535);
  assert.equal(uint32(-1), 0xffffffff);
});
