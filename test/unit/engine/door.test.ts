import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Door, DEFAULT_DOOR_POLICY, type BlockEvent } from '../../../src/engine/door.ts';

test('door: N auth failures within T block the address for B seconds, logged once', () => {
  const events: BlockEvent[] = [];
  const door = new Door({ ...DEFAULT_DOOR_POLICY, authFailures: 3, authWindowS: 10, blockS: 60 }, (e) => events.push(e));
  door.authFailed('10.0.0.1', 0);
  door.authFailed('10.0.0.1', 1000);
  assert.equal(door.admit('10.0.0.1', 1500), 'pass');
  door.authFailed('10.0.0.1', 2000);
  assert.equal(door.admit('10.0.0.1', 2001), 'blocked');
  assert.equal(door.admit('10.0.0.2', 2001), 'pass', 'other addresses are not affected');
  door.authFailed('10.0.0.1', 2500);
  assert.equal(events.length, 1, 'one block event per block');
  assert.deepEqual(events[0], { address: '10.0.0.1', reason: 'auth-failures', untilMs: 62_000 });
  assert.equal(door.admit('10.0.0.1', 61_999), 'blocked');
  assert.equal(door.admit('10.0.0.1', 62_000), 'pass', 'block expires');
});

test('door: failures outside the window do not add up', () => {
  const door = new Door({ ...DEFAULT_DOOR_POLICY, authFailures: 3, authWindowS: 10 }, () => {});
  door.authFailed('a', 0);
  door.authFailed('a', 5_000);
  door.authFailed('a', 16_000);
  assert.equal(door.admit('a', 16_001), 'pass');
});

test('door: a success clears the failure history', () => {
  const door = new Door({ ...DEFAULT_DOOR_POLICY, authFailures: 2 }, () => {});
  door.authFailed('a', 0);
  door.authSucceeded('a');
  door.authFailed('a', 10);
  assert.equal(door.admit('a', 20), 'pass');
});

test('door: request rate above the limit blocks like pike; exempt addresses pass', () => {
  const events: BlockEvent[] = [];
  const door = new Door({ ...DEFAULT_DOOR_POLICY, requestsPerSec: 10, requestBurst: 10, exempt: new Set(['trunk']) }, (e) => events.push(e));
  let blockedAt = -1;
  for (let i = 0; i < 50; i++) {
    if (door.admit('scanner', i) === 'blocked') {
      blockedAt = i;
      break;
    }
  }
  assert.equal(blockedAt, 10);
  assert.equal(events[0]?.reason, 'request-rate');
  for (let i = 0; i < 50; i++) assert.equal(door.admit('trunk', i), 'pass');
});

test('door: tracked addresses are bounded', () => {
  const door = new Door({ ...DEFAULT_DOOR_POLICY, maxTrackedAddresses: 100, authFailures: 1 }, () => {});
  for (let i = 0; i < 10_000; i++) door.authFailed(`10.0.${i >> 8}.${i & 255}`, i);
  assert.ok(door.blockedCount <= 100);
});
