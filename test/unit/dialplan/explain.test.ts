import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainRoute, parseRouteTime } from '../../../src/dialplan/index.ts';
import { loadPlan } from './load-fixture.ts';

const plan = loadPlan();

test('route time without an offset is read in the plan time zone', () => {
  assert.equal(parseRouteTime(plan, '2026-11-23T10:00'), Date.parse('2026-11-23T09:00:00Z'));
  assert.equal(parseRouteTime(plan, '2026-11-23T10:00:00Z'), Date.parse('2026-11-23T10:00:00Z'));
  assert.equal(parseRouteTime(plan, 'yesterday'), null);
});

test('explainRoute prints the schedule, strategy, member order and fallbacks step by step', () => {
  const at = parseRouteTime(plan, '2026-11-23T10:00') ?? assert.fail();
  const lines = explainRoute(plan, { from: '+31687000000', to: '+31201234510', at });
  const text = lines.join('\n');
  assert.match(lines[0] ?? '', /^route \+31687000000 → \+31201234510 at 2026-11-23T10:00:00\.000\+01:00 \(Europe\/Amsterdam\), night switch auto$/);
  assert.match(text, /schedule office, night switch auto: mon 09:00-17:00 in Europe\/Amsterdam: open/);
  assert.match(text, /ring group g_hunt: strategy hunt, order 2001, 2002, 2007/);
  assert.match(text, /→ RING ring_group:g_hunt \(hunt\), total 25 s/);
  assert.match(text, /if no answer:\n\s+· ring group g_hunt overflow → voicemail:general/);
});

test('explainRoute with night closed and an internal caller', () => {
  const at = parseRouteTime(plan, '2026-11-23T10:00') ?? assert.fail();
  const closed = explainRoute(plan, { from: '+31687000000', to: '+31201234510', at, night: 'closed' }).join('\n');
  assert.match(closed, /night switch forced closed/);
  assert.match(closed, /→ VOICEMAIL general/);
  const internal = explainRoute(plan, { from: '2002', to: '0900 1234567', at }).join('\n');
  assert.match(internal, /→ REJECT 403 Restricted destination: premium \(premium, NL\) \(Q\.850 cause 21\)/);
});
