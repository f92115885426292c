import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideMenuKey } from '../../../src/dialplan/index.ts';
import type { MenuKeyResult } from '../../../src/dialplan/index.ts';
import { AT, loadPlan } from './load-fixture.ts';

const plan = loadPlan();
const key = (variant: 'open' | 'closed', k: string, attempt = 1): MenuKeyResult => decideMenuKey(plan, 'main', variant, k, attempt, AT.mondayOpen);
const what = (r: MenuKeyResult): string => {
  switch (r.kind) {
    case 'ring':
      return r.via;
    case 'voicemail':
      return `voicemail:${r.box}`;
    case 'queue':
      return `queue:${r.queue}`;
    case 'external':
      return `external:${r.number}`;
    case 'announce-hangup':
      return `announce:${r.prompt}`;
    case 'menu-retry':
      return `retry:${r.attempt}`;
    default:
      return r.kind;
  }
};

test('each key in opening hours leads to its destination', () => {
  assert.equal(what(key('open', '1')), 'ring_group:g_ringall');
  assert.equal(what(key('open', '2')), 'user:2001');
  assert.equal(what(key('open', '3')), 'queue:q');
});

test('each key out of hours leads to its closed-variant destination', () => {
  assert.equal(what(key('closed', '1')), 'voicemail:general');
  assert.equal(what(key('closed', '9')), 'external:+31612345678');
});

test('a key that exists only in the other variant is invalid here', () => {
  assert.equal(what(key('closed', '2')), 'retry:2');
  assert.equal(what(key('open', '9')), 'retry:2');
});

test('timeout: the menu repeats while attempts ≤ retries, then goes to the timeout destination', () => {
  assert.equal(what(key('open', 'timeout', 1)), 'retry:2');
  assert.equal(what(key('open', 'timeout', 2)), 'retry:3');
  assert.equal(what(key('open', 'timeout', 3)), 'ring_group:g_hunt');
  assert.equal(what(key('closed', 'timeout', 3)), 'voicemail:general');
});

test('invalid key: retries, then the invalid destination', () => {
  assert.equal(what(key('open', '7', 1)), 'retry:2');
  assert.equal(what(key('open', 'invalid', 3)), 'announce:invalid.wav');
  assert.equal(what(key('closed', '#', 3)), 'voicemail:general');
});

test('direct dialling of an extension is allowed when the menu says so', () => {
  assert.equal(what(key('open', '2002')), 'user:2002');
  assert.equal(what(key('closed', '602')), 'ring_group:g_hunt');
  assert.equal(what(key('open', '9999')), 'retry:2');
});

test('trace explains the key and the retry count', () => {
  const r = key('open', 'timeout', 3);
  assert.ok(r.trace.some((l) => l.includes('no key pressed (attempt 3 of 3)')));
  assert.ok(r.trace.some((l) => l.includes('retries used up')));
});

test('an unknown menu is a 404 decision, never a throw', () => {
  const r = decideMenuKey(plan, 'nope', 'open', '1', 1);
  assert.ok(r.kind === 'reject' && r.status === 404);
});
