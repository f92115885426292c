import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/dialplan/index.ts';
import type { Decision } from '../../../src/dialplan/index.ts';
import { AT, loadPlan } from './load-fixture.ts';

const plan = loadPlan();
const inbound = (did: string, callerNumber = '+31687000000') => ({ kind: 'inbound' as const, trunk: 'carrier', did, callerNumber });
function as<K extends Decision['kind']>(d: Decision, kind: K): Extract<Decision, { kind: K }> {
  assert.equal(d.kind, kind, d.trace.join('\n'));
  return d as Extract<Decision, { kind: K }>;
}

test('inbound DID in opening hours plays the open variant of the menu, and says why', () => {
  const d = as(decide(plan, inbound('+31201234500'), AT.mondayOpen), 'menu');
  assert.equal(d.menu, 'main');
  assert.equal(d.variant, 'open');
  assert.deepEqual(d.prompt, { file: 'welcome.wav' });
  assert.ok(d.trace.some((l) => l.includes('mon 09:00-17:00 in Europe/Amsterdam: open')));
});

test('inbound DID out of hours plays the closed variant', () => {
  const d = as(decide(plan, inbound('+31201234500'), AT.mondayEvening), 'menu');
  assert.equal(d.variant, 'closed');
  assert.deepEqual(d.prompt, { tts: 'We are closed' });
});

test('a holiday takes its own destination and the trace names the holiday', () => {
  const d = as(decide(plan, inbound('+31201234500'), AT.christmas), 'announce-hangup');
  assert.equal(d.prompt, 'holiday.wav');
  assert.ok(d.trace.some((l) => l.includes('holiday "Kerstmis"')));
});

test('a holiday with partial hours is open inside them and a holiday after them', () => {
  assert.equal(as(decide(plan, inbound('+31201234500'), AT.newYearsEveMorning), 'menu').variant, 'open');
  assert.equal(decide(plan, inbound('+31201234500'), AT.newYearsEveAfternoon).kind, 'announce-hangup');
});

test('night switch closed overrides opening hours; open overrides the evening; per schedule wins over global', () => {
  assert.equal(as(decide(plan, inbound('+31201234500'), AT.mondayOpen, { night: 'closed' }), 'menu').variant, 'closed');
  assert.equal(as(decide(plan, inbound('+31201234500'), AT.mondayEvening, { night: 'open' }), 'menu').variant, 'open');
  assert.equal(
    as(decide(plan, inbound('+31201234500'), AT.mondayOpen, { night: 'open', nightBySchedule: { office: 'closed' } }), 'menu').variant,
    'closed',
  );
});

test('DIDs arrive in any format and are normalised with the default country', () => {
  assert.equal(decide(plan, inbound('0201234500'), AT.mondayOpen).kind, 'menu');
  assert.equal(decide(plan, inbound('+31 20 123 4500'), AT.mondayOpen).kind, 'menu');
});

test('an unassigned number gets the configured action (default 404, cause 1)', () => {
  const d = as(decide(plan, inbound('+31209999999'), AT.mondayOpen), 'reject');
  assert.equal(d.status, 404);
  assert.equal(d.cause, 1);
  assert.equal(d.intercepted, false);
});

test('a blacklisted caller is rejected 603 with intercepted: true, in any number format', () => {
  for (const caller of ['+31201110000', '020 111 0000', '+31201110001']) {
    const d = as(decide(plan, inbound('+31201234500', caller), AT.mondayOpen), 'reject');
    assert.equal(d.status, 603);
    assert.equal(d.cause, 21);
    assert.equal(d.intercepted, true);
  }
});

test('a call from an unknown trunk is rejected 403', () => {
  const d = as(decide(plan, { kind: 'inbound', trunk: 'nope', did: '+31201234500', callerNumber: '+31687000000' }, AT.mondayOpen), 'reject');
  assert.equal(d.status, 403);
});

test('DID to a ring group out of hours goes to voicemail', () => {
  const d = as(decide(plan, inbound('+31201234510'), AT.mondayEvening), 'voicemail');
  assert.equal(d.box, 'general');
});

test('Anywhere: desk phone and mobile ring together, mobile after its delay, keeping the caller id with Diversion', () => {
  const d = as(decide(plan, inbound('+31201234505', '+31687000000'), AT.mondayOpen), 'ring');
  assert.equal(d.targets.length, 2);
  const [desk, mobile] = d.targets;
  assert.deepEqual(desk, { kind: 'user', ext: '2005', delay: 0, timeout: 20 });
  assert.ok(mobile && mobile.kind === 'external');
  if (mobile?.kind !== 'external') return;
  assert.equal(mobile.number, '+31687654321');
  assert.equal(mobile.delay, 5);
  assert.equal(mobile.timeout, 15);
  assert.equal(mobile.keepCallerId, true);
  assert.equal(mobile.diversion, '+31201234505');
  assert.deepEqual(mobile.routes, [{ trunk: 'carrier', dial: '31687654321' }, { trunk: 'backup', dial: '0687654321' }]);
});

test('forwarding always to an external number keeps the caller and adds Diversion on the trunk leg', () => {
  const d = as(decide(plan, { kind: 'internal', caller: '2002', dialled: '2006' }, AT.mondayOpen), 'external');
  assert.equal(d.number, '+31611111111');
  assert.equal(d.diversion, '2006');
  const inb = as(decide(plan, { kind: 'internal', caller: '2001', dialled: '2006' }, AT.mondayOpen), 'external');
  assert.equal(inb.routes[0]?.trunk, 'carrier');
});
