/**
 * GroupStatsBook: the engine-side state behind rrmemory, leastrecent and
 * fewestcalls, and its snapshot as decide() reads it (orderMembers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDialplan, decide, type Decision } from '../../../src/dialplan/index.ts';
import { GroupStatsBook } from '../../../src/engine/group-stats.ts';

test('an empty book has no groups', () => {
  assert.deepEqual(new GroupStatsBook().snapshot(), {});
});

test('answered sets lastAnswered; ended sets lastCallEnd and counts a completed call', () => {
  const b = new GroupStatsBook();
  b.answered('sales', '2002');
  b.ended('sales', '2002', 1000);
  b.answered('sales', '2003');
  b.ended('sales', '2003', 2000);
  b.ended('sales', '2002', 3000);
  assert.deepEqual(b.snapshot(), { sales: { lastAnswered: '2003', lastCallEnd: { '2002': 3000, '2003': 2000 }, callCount: { '2002': 2, '2003': 1 } } });
});

test('the snapshot is frozen, cached until the next update, and not aliased to the book', () => {
  const b = new GroupStatsBook();
  b.answered('g', '1');
  const s1 = b.snapshot();
  assert.ok(Object.isFrozen(s1) && Object.isFrozen(s1.g) && Object.isFrozen(s1.g?.callCount));
  assert.equal(b.snapshot(), s1, 'cached');
  b.ended('g', '1', 5);
  const s2 = b.snapshot();
  assert.notEqual(s2, s1);
  assert.deepEqual(s1.g?.callCount, {}, 'an old snapshot does not change');
  assert.deepEqual(s2.g?.callCount, { '1': 1 });
});

test('retain forgets groups the new plan no longer has', () => {
  const b = new GroupStatsBook();
  b.answered('old', '1');
  b.answered('kept', '2');
  b.retain(new Map([['kept', 1]]));
  assert.deepEqual(Object.keys(b.snapshot()), ['kept']);
});

const plan = (strategy: string) => {
  const r = compileDialplan([
    {
      file: 'p.yaml',
      text: `users:
  "11": { name: One, password: x }
  "12": { name: Two, password: x }
  "13": { name: Three, password: x }
ring_groups:
  g: { extension: "100", strategy: ${strategy}, members: ["11", "12", "13"], ring_time: 5, total_ring_time: 60 }
`,
    },
  ]);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.diagnostics));
  return r.plan;
};

const order = (d: Decision): string[] => (d.kind === 'ring' ? d.targets.map((t) => (t.kind === 'user' ? t.ext : t.number)) : []);

test('decide() reads the snapshot: rrmemory, leastrecent and fewestcalls follow the book', () => {
  const b = new GroupStatsBook();
  const call = (strategy: string) => order(decide(plan(strategy), { kind: 'internal', caller: '11', dialled: '100' }, 0, { groupStats: b.snapshot() }));
  b.answered('g', '11');
  b.ended('g', '11', 10);
  assert.deepEqual(call('rrmemory'), ['12', '13', '11']);
  assert.deepEqual(call('leastrecent'), ['12', '13', '11']);
  assert.deepEqual(call('fewestcalls'), ['12', '13', '11']);
  b.answered('g', '12');
  b.ended('g', '12', 20);
  b.answered('g', '13');
  b.ended('g', '13', 30);
  b.ended('g', '13', 40);
  assert.deepEqual(call('rrmemory'), ['11', '12', '13']);
  assert.deepEqual(call('leastrecent'), ['11', '12', '13']);
  assert.deepEqual(call('fewestcalls'), ['11', '12', '13']);
});
