import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/dialplan/index.ts';
import type { Decision, GroupStats, Toggles } from '../../../src/dialplan/index.ts';
import { AT, loadPlan } from './load-fixture.ts';

const plan = loadPlan();
const call = (dialled: string, toggles: Toggles = {}, caller = '2008') => decide(plan, { kind: 'internal', caller, dialled }, AT.mondayOpen, toggles);
function ring(d: Decision): Extract<Decision, { kind: 'ring' }> {
  assert.equal(d.kind, 'ring', d.trace.join('\n'));
  return d as Extract<Decision, { kind: 'ring' }>;
}
const order = (d: Decision) => ring(d).targets.map((t) => (t.kind === 'user' ? t.ext : t.number));
const timing = (d: Decision) => ring(d).targets.map((t) => `${t.kind === 'user' ? t.ext : t.number}@${t.delay}/${t.timeout}`);

test('ringall rings every member at once for its ring time', () => {
  const d = ring(call('601'));
  assert.equal(d.strategy, 'ringall');
  assert.deepEqual(timing(d), ['2001@0/10', '2002@0/10', '2007@0/10']);
  assert.equal(d.totalTimeout, 10);
});

test('hunt rings in written order, one after another, cut at the total ring time', () => {
  const d = ring(call('602'));
  assert.deepEqual(timing(d), ['2001@0/10', '2002@10/10', '2007@20/5']);
  assert.equal(d.totalTimeout, 25);
  assert.ok(d.trace.some((l) => l.includes('strategy hunt')));
});

test('rrmemory resumes after the member who answered last, over several calls', () => {
  const seen: string[][] = [];
  let stats: GroupStats = {};
  for (let i = 0; i < 4; i++) {
    const o = order(call('603', { groupStats: { g_rr: stats } }));
    seen.push(o);
    stats = { lastAnswered: o[0] }; // the first one rung answers
  }
  assert.deepEqual(seen, [
    ['2001', '2002', '2007'],
    ['2002', '2007', '2001'],
    ['2007', '2001', '2002'],
    ['2001', '2002', '2007'],
  ]);
});

test('leastrecent starts with the member whose last call ended longest ago (never = first)', () => {
  let ends: Record<string, number> = {};
  const firsts: string[] = [];
  for (let i = 0; i < 4; i++) {
    const o = order(call('604', { groupStats: { g_least: { lastCallEnd: ends } } }));
    const first = o[0] ?? assert.fail();
    firsts.push(first);
    ends = { ...ends, [first]: 1_000 + i };
  }
  assert.deepEqual(firsts, ['2001', '2002', '2007', '2001']);
});

test('fewestcalls starts with the member with the fewest completed calls, ties in written order', () => {
  let counts: Record<string, number> = { '2001': 3, '2002': 1, '2007': 1 };
  const firsts: string[] = [];
  for (let i = 0; i < 4; i++) {
    const o = order(call('605', { groupStats: { g_fewest: { callCount: counts } } }));
    const first = o[0] ?? assert.fail();
    firsts.push(first);
    counts = { ...counts, [first]: (counts[first] ?? 0) + 1 };
  }
  assert.deepEqual(firsts, ['2002', '2007', '2002', '2007']);
});

test('random is a permutation fixed by the seed, and different seeds spread the first member', () => {
  const a = order(call('606', { seed: 42 }));
  assert.deepEqual(order(call('606', { seed: 42 })), a);
  assert.deepEqual([...a].sort(), ['2001', '2002', '2007', '2008']);
  const firsts = new Set<string>();
  for (let seed = 0; seed < 50; seed++) firsts.add(order(call('606', { seed }))[0] ?? '');
  assert.equal(firsts.size, 4);
});

test('busy members are skipped when busy: skip (belfry counts calls, not the phone)', () => {
  assert.deepEqual(order(call('602', { busyCounts: { '2002': 1 } })), ['2001', '2007']);
  const d = ring(call('602', { busyCounts: { '2002': 1 } }));
  assert.ok(d.trace.some((l) => l.includes('2002 skipped: busy')));
});

test('busy members still ring when busy: ring (call waiting)', () => {
  assert.deepEqual(order(call('607', { busyCounts: { '2002': 2 } })), ['2001', '2002']);
});

test('overflow after the total ring time is the no-answer fallback; no free member goes straight to overflow', () => {
  const d = ring(call('602'));
  assert.equal(d.fallbacks.noAnswer.kind, 'voicemail');
  const all = call('602', { busyCounts: { '2001': 1, '2002': 1, '2007': 1 } });
  assert.equal(all.kind, 'voicemail');
  assert.ok(all.trace.some((l) => l.includes('straight to overflow')));
  const toUser = ring(call('607', {}, '2001'));
  assert.equal(ring(toUser.fallbacks.noAnswer).via, 'user:2008');
});

test('follow_forwarding rings a member\'s forward target, skips DND members and rings external members', () => {
  const d = ring(call('608'));
  assert.deepEqual(order(d), ['+31611111111', '2001', '+31622222222']);
  assert.ok(d.trace.some((l) => l.includes('2004 skipped: do-not-disturb')));
  const ext = d.targets[0];
  assert.ok(ext?.kind === 'external' && ext.diversion === '2006');
});

test('DND set by feature code (toggle) is honoured; clearing it rings again', () => {
  assert.deepEqual(order(call('602', { users: { '2002': { dnd: true } } })), ['2001', '2007']);
  assert.equal(ring(call('2004', { users: { '2004': { dnd: false } } })).targets.length, 1);
});

test('a user with DND goes to the busy fallback (voicemail)', () => {
  const d = call('2004');
  assert.equal(d.kind, 'voicemail');
  if (d.kind === 'voicemail') assert.equal(d.reason, 'busy');
});

test('forwarding conditions: busy, no answer after N s, unreachable each to their destination', () => {
  const d = ring(call('2003'));
  assert.equal(d.totalTimeout, 15);
  assert.equal(d.targets[0]?.timeout, 15);
  const busy = d.fallbacks.busy;
  assert.equal(busy.kind, 'external');
  if (busy.kind === 'external') {
    assert.equal(busy.number, '+31612345678');
    assert.equal(busy.diversion, '2003');
  }
  // no answer → 2004, who has DND → 2004's busy fallback: voicemail 2004
  const na = d.fallbacks.noAnswer;
  assert.equal(na.kind, 'voicemail');
  if (na.kind === 'voicemail') assert.equal(na.box, '2004');
  const un = d.fallbacks.unreachable;
  assert.ok(un.kind === 'voicemail' && un.box === '2003' && un.reason === 'unreachable');
});

test('busy by belfry\'s count with busy forwarding follows it at once', () => {
  const d = call('2003', { busyCounts: { '2003': 1 } });
  assert.equal(d.kind, 'external');
});

test('forward always set by feature code overrides the YAML, and null clears it', () => {
  const d = call('2001', { users: { '2001': { forwardAlways: { kind: 'user', ext: '2002' } } } });
  assert.equal(ring(d).via, 'user:2002');
  assert.equal(ring(call('2006', { users: { '2006': { forwardAlways: null } } })).via, 'user:2006');
});

test('user without forwarding: voicemail if it has a box, else 480/486', () => {
  const a = ring(call('2001'));
  assert.ok(a.fallbacks.noAnswer.kind === 'voicemail' && a.fallbacks.noAnswer.reason === 'no-answer');
  const b = ring(call('2002'));
  assert.ok(b.fallbacks.noAnswer.kind === 'reject' && b.fallbacks.noAnswer.status === 480);
  assert.ok(b.fallbacks.busy.kind === 'reject' && b.fallbacks.busy.status === 486 && b.fallbacks.busy.cause === 17);
});

test('recording policy travels with the ring decision', () => {
  assert.equal(ring(call('2008', {}, '2001')).recording, 'always');
});

test('queue destination carries members, max wait and the overflow decision', () => {
  const d = call('630');
  assert.equal(d.kind, 'queue');
  if (d.kind === 'queue') {
    assert.deepEqual(d.members, ['2001', '2002']);
    assert.equal(d.overflow.kind, 'voicemail');
  }
});
