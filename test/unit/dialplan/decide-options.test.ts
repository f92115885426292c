/**
 * decide()'s performance switches must not change decisions: `trace: false`
 * gives the same decision with every trace empty, and fallbacks (decided when
 * first read) are the same whether read at once or after other decisions.
 * Runs every extension, feature code, DID and a few external numbers of the
 * test office and the shipped config through several toggle sets and times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileDialplan, decide } from '../../../src/dialplan/index.ts';
import type { CallFacts, Decision, Plan, Toggles } from '../../../src/dialplan/index.ts';
import { AT, CONFIG, loadPlan, yamlFiles } from './load-fixture.ts';

function configPlan(): Plan {
  const r = compileDialplan(yamlFiles(CONFIG).map((f) => ({ file: f, text: readFileSync(CONFIG + f, 'utf8') })));
  if (!r.ok) throw new Error('config does not compile');
  return r.plan;
}

/** Every fallback and overflow read (JSON.stringify reads them); traces dropped or kept. */
const text = (d: unknown, withTrace: boolean): string => JSON.stringify(d, (k, v: unknown) => (!withTrace && k === 'trace' ? undefined : v));

function traces(d: unknown, out: unknown[] = []): unknown[] {
  JSON.stringify(d, (k, v: unknown) => {
    if (k === 'trace') out.push(v);
    return v;
  });
  return out;
}

function cases(plan: Plan): { facts: CallFacts[]; toggles: Toggles[]; instants: number[] } {
  const users = [...plan.users.keys()];
  const fc = plan.settings.featureCodes;
  const dialled = [...plan.extensions.keys(), ...Object.values(fc), `${fc.pickupDirect}${users[1]}`, `${fc.forwardOn}0612345678`, '0612345678', '+442079460958', '+31900123456', '112', '999'];
  const facts: CallFacts[] = [];
  for (const caller of [users[0] ?? '', users[users.length - 1] ?? '', 'nobody']) for (const d of dialled) facts.push({ kind: 'internal', caller, dialled: d });
  const trunk = [...plan.trunks.keys()][0] ?? 'carrier';
  for (const did of [...plan.numbers.keys(), '+31209999999']) for (const n of ['+31612345678', '', ...plan.blacklist]) facts.push({ kind: 'inbound', trunk, did, callerNumber: n });
  const toggles: Toggles[] = [
    {},
    { busyCounts: Object.fromEntries(users.filter((_, i) => i % 2 === 0).map((u) => [u, 1])), seed: 5 },
    { night: 'closed', users: Object.fromEntries(users.filter((_, i) => i % 3 === 1).map((u, i) => [u, i % 2 ? { dnd: true } : { forwardAlways: { kind: 'user', ext: users[0] ?? '' } }])) },
  ];
  return { facts, toggles, instants: [AT.mondayOpen, AT.mondayEvening, AT.christmas] };
}

for (const [name, plan] of [['test office', loadPlan()], ['shipped config', configPlan()]] as const) {
  test(`${name}: trace false gives the same decisions with empty traces`, () => {
    const { facts, toggles, instants } = cases(plan);
    for (const t of toggles) for (const at of instants) for (const f of facts) {
      const full = decide(plan, f, at, t);
      const quiet = decide(plan, f, at, t, { trace: false });
      assert.equal(text(quiet, false), text(full, false), JSON.stringify(f));
      assert.ok(traces(quiet).every((x) => Array.isArray(x) && x.length === 0), JSON.stringify(f));
      assert.ok(traces(full).some((x) => Array.isArray(x) && x.length > 0));
    }
  });

  test(`${name}: fallbacks read later equal fallbacks read at once`, () => {
    const { facts, toggles, instants } = cases(plan);
    for (const t of toggles) for (const at of instants) {
      const later: Decision[] = facts.map((f) => decide(plan, f, at, t));
      const now = facts.map((f) => text(decide(plan, f, at, t), true));
      assert.deepEqual(later.map((d) => text(d, true)), now);
    }
  });
}
