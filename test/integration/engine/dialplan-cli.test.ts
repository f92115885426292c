/**
 * The operators' tools end to end: `bin/belfry check` and `bin/belfry route`
 * spawned as processes on temporary configurations (no switch is started).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig } from '../../helpers/switch-config.ts';

function belfry(args: readonly string[]): { code: number; out: string; err: string } {
  const r = spawnSync(join(repoRoot, 'bin', 'belfry'), args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const OFFICE = `schedules:
  office:
    time_zone: Europe/Amsterdam
    week: { mon: ["08:30-17:30"], tue: ["08:30-17:30"], wed: ["08:30-17:30"], thu: ["08:30-17:30"], fri: ["08:30-16:00"] }
    holidays: [nl]
holidays:
  nl:
    - { name: Eerste Kerstdag, yearly: "12-25" }
`;

function officeConfig(): string {
  return makeSwitchConfig({
    numbers: '  "+31201234567": { schedule: office, open: ring_group:sales, closed: user:2005 }',
    ringGroups: `  sales:
    extension: "2100"
    strategy: hunt
    members: ["2002", "2003", "2004"]
    ring_time: 10
    total_ring_time: 25
    overflow: user:2001`,
    extraDialplan: OFFICE,
  });
}

test('belfry check: a good configuration prints ok and exits 0', () => {
  const r = belfry(['check', '--config', officeConfig()]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /belfry\.yaml: ok/);
  assert.match(r.out, /dialplan: ok \(5 users, 1 ring groups, 1 numbers\)/);
});

test('belfry check: a bad dialplan prints file:line:col with the code and exits 1', () => {
  const dir = officeConfig();
  const file = join(dir, 'dialplan', 'plan.yaml');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('members: ["2002", "2003", "2004"]', 'members: ["2002", "2099", "2004"]'));
  const line = text.split('\n').findIndex((l) => l.includes('members: ["2002", "2003", "2004"]')) + 1;
  const r = belfry(['check', '--config', dir]);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`plan\\.yaml:${line}:\\d+: error DIALPLAN_UNKNOWN_MEMBER: .*2099.*\\(ring_groups\\.sales\\.members\\[1\\]\\)`));
});

test('belfry check: a YAML syntax error is placed too', () => {
  const dir = officeConfig();
  const file = join(dir, 'dialplan', 'plan.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('strategy: hunt', 'strategy: [hunt'));
  const r = belfry(['check', '--config', dir]);
  assert.equal(r.code, 1);
  assert.match(r.out, /plan\.yaml:\d+:\d+: error DIALPLAN_/);
});

test('belfry route: inbound DID in office hours explains schedule, strategy, member order and fallback', () => {
  const r = belfry(['route', '--config', officeConfig(), '--from', '+31612345678', '--to', '+31201234567', '--at', '2026-11-23T10:00', '--night', 'auto']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /night switch auto/);
  assert.match(r.out, /schedule office/);
  assert.match(r.out, /ring group sales: strategy hunt, order 2002, 2003, 2004/);
  assert.match(r.out, /overflow → user:2001/);
});

test('belfry route: --night closed and a holiday both pick the closed destination', () => {
  const dir = officeConfig();
  const closed = belfry(['route', '--config', dir, '--from', '+31612345678', '--to', '+31201234567', '--at', '2026-11-23T10:00', '--night', 'closed']);
  assert.equal(closed.code, 0, closed.err);
  assert.match(closed.out, /night switch closed/);
  assert.match(closed.out, /→ user:2005/);
  const xmas = belfry(['route', '--config', dir, '--from', '+31612345678', '--to', '+31201234567', '--at', '2026-12-25T10:00']);
  assert.equal(xmas.code, 0, xmas.err);
  assert.match(xmas.out, /Eerste Kerstdag/);
  assert.match(xmas.out, /→ user:2005/);
});

test('belfry route: internal extension and a bad --at', () => {
  const dir = officeConfig();
  const r = belfry(['route', '--config', dir, '--from', '2001', '--to', '2100', '--at', '2026-11-23T10:00']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /internal call from 2001 to 2100/);
  const bad = belfry(['route', '--config', dir, '--from', '2001', '--to', '2100', '--at', 'yesterday']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /--at/);
});
