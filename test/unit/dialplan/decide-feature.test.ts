import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/dialplan/index.ts';
import type { Decision, FeatureAction, Toggles } from '../../../src/dialplan/index.ts';
import { AT, loadPlan } from './load-fixture.ts';

const plan = loadPlan();
function feature(caller: string, dialled: string, toggles: Toggles = {}, at: number = AT.mondayOpen): FeatureAction {
  const d: Decision = decide(plan, { kind: 'internal', caller, dialled }, at, toggles);
  assert.equal(d.kind, 'feature', d.trace.join('\n'));
  if (d.kind !== 'feature') throw new Error('unreachable');
  return d.feature;
}

test('*98 picks up a call ringing any member of the caller\'s pickup group', () => {
  assert.deepEqual(feature('2001', '*98'), { kind: 'pickup-group', groups: ['team'], members: ['2002', '2003'] });
  const none = decide(plan, { kind: 'internal', caller: '2008', dialled: '*98' }, AT.mondayOpen);
  assert.equal(none.kind, 'reject');
});

test('**ext picks up a specific extension', () => {
  assert.deepEqual(feature('2001', '**2003'), { kind: 'pickup-direct', ext: '2003' });
  assert.equal(decide(plan, { kind: 'internal', caller: '2001', dialled: '**9999' }, 0).kind, 'reject');
});

test('*97 opens the caller\'s own voicemail box', () => {
  assert.deepEqual(feature('2001', '*97'), { kind: 'voicemail', box: '2001' });
  assert.deepEqual(feature('2002', '*97'), { kind: 'voicemail', box: null });
});

test('*76 toggles DND against the current state (YAML or override)', () => {
  assert.deepEqual(feature('2001', '*76'), { kind: 'dnd-toggle', ext: '2001', dnd: true });
  assert.deepEqual(feature('2004', '*76'), { kind: 'dnd-toggle', ext: '2004', dnd: false });
  assert.deepEqual(feature('2001', '*76', { users: { '2001': { dnd: true } } }), { kind: 'dnd-toggle', ext: '2001', dnd: false });
});

test('*72<number> forwards always; *73 turns forwarding off', () => {
  assert.deepEqual(feature('2001', '*722002'), { kind: 'forward-on', ext: '2001', to: { kind: 'user', ext: '2002' } });
  assert.deepEqual(feature('2001', '*720612345678'), { kind: 'forward-on', ext: '2001', to: { kind: 'external', number: '+31612345678' } });
  assert.deepEqual(feature('2001', '*73'), { kind: 'forward-off', ext: '2001' });
  const incomplete = decide(plan, { kind: 'internal', caller: '2001', dialled: '*72' }, 0);
  assert.ok(incomplete.kind === 'reject' && incomplete.status === 484);
});

test('night switch: *281 open, *282 closed, *280 auto; *28 toggles what callers get now', () => {
  assert.deepEqual(feature('2001', '*281'), { kind: 'night-set', schedule: 'office', state: 'open' });
  assert.deepEqual(feature('2001', '*282'), { kind: 'night-set', schedule: 'office', state: 'closed' });
  assert.deepEqual(feature('2001', '*280'), { kind: 'night-set', schedule: 'office', state: 'auto' });
  assert.deepEqual(feature('2001', '*28', {}, AT.mondayOpen), { kind: 'night-set', schedule: 'office', state: 'closed' });
  assert.deepEqual(feature('2001', '*28', {}, AT.mondayEvening), { kind: 'night-set', schedule: 'office', state: 'open' });
  assert.deepEqual(feature('2001', '*28', { night: 'closed' }), { kind: 'night-set', schedule: 'office', state: 'auto' });
});

test('the night state set by the code changes the next inbound decision', () => {
  const t: Toggles = { nightBySchedule: { office: feature('2001', '*282').kind === 'night-set' ? 'closed' : 'auto' } };
  const d = decide(plan, { kind: 'inbound', trunk: 'carrier', did: '+31201234500', callerNumber: '+31687000000' }, AT.mondayOpen, t);
  assert.ok(d.kind === 'menu' && d.variant === 'closed');
});

test('an unknown star code is not found', () => {
  assert.equal(decide(plan, { kind: 'internal', caller: '2001', dialled: '*55' }, 0).kind, 'reject');
});
