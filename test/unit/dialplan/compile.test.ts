import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDialplan, formatDiagnostic, formatDiagnostics, planSummary } from '../../../src/dialplan/index.ts';
import { loadPlan } from './load-fixture.ts';

const users = 'users:\n  "1001": { name: Anna, password: pw }\n';

test('sections may be split over files; a section defined twice names both places', () => {
  const r = compileDialplan([
    { file: 'a.yaml', text: users },
    { file: 'b.yaml', text: `# second file\n${users}` },
  ]);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0];
  assert.ok(d);
  assert.equal(d.code, 'DIALPLAN_DUPLICATE_SECTION');
  assert.equal(`${d.file}:${d.line}:${d.col}`, 'b.yaml:2:1');
  assert.match(d.message, /a\.yaml:1:1/);
});

test('a diagnostic in the second file is placed in that file', () => {
  const r = compileDialplan([
    { file: 'people.yaml', text: users },
    { file: 'groups.yaml', text: 'ring_groups:\n  g:\n    extension: "600"\n    members: ["1001", "1009"]\n' },
  ]);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(formatDiagnostic(r.diagnostics[0] ?? assert.fail()),
    'groups.yaml:4:23: error DIALPLAN_UNKNOWN_MEMBER: unknown member `1009` in ring group g; did you mean `1001`?: members are user extensions or +E.164 numbers (ring_groups.g.members[1])');
});

test('an object nothing reaches is a warning, and an error with warningsAsErrors', () => {
  const text = `${users}ring_groups:\n  lonely: { members: ["1001"] }\n`;
  const r = compileDialplan([{ file: 'p.yaml', text }]);
  assert.equal(r.ok, true);
  assert.deepEqual(r.warnings.map((w) => `${w.code} ${w.line}:${w.col} ${w.severity}`), ['DIALPLAN_UNREACHABLE 4:3 warning']);
  const strict = compileDialplan([{ file: 'p.yaml', text }], { warningsAsErrors: true });
  assert.equal(strict.ok, false);
});

test('several errors are all reported, sorted by position', () => {
  const text = `${users}ring_groups:\n  g: { extension: "600", members: ["1002"], overflow: menu:nope }\nschedules:\n  s: { time_zone: Mars/Olympus }\n`;
  const r = compileDialplan([{ file: 'p.yaml', text }]);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['DIALPLAN_UNKNOWN_MEMBER', 'DIALPLAN_UNKNOWN_MENU', 'DIALPLAN_BAD_TIME_ZONE']);
  assert.equal(formatDiagnostics(r.diagnostics).split('\n').length, 3);
});

test('no documents at all is a diagnostic, not a throw', () => {
  const r = compileDialplan([]);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.diagnostics[0]?.code, 'DIALPLAN_NO_DOCUMENTS');
});

test('the plan is deep-frozen: objects, arrays, Maps and Sets refuse changes', () => {
  const plan = loadPlan();
  assert.ok(Object.isFrozen(plan));
  assert.ok(Object.isFrozen(plan.settings.featureCodes));
  const u = plan.users.get('2001');
  assert.ok(u && Object.isFrozen(u) && Object.isFrozen(u.forward));
  assert.throws(() => (plan.users as Map<string, unknown>).set('x', {}), TypeError);
  assert.throws(() => (plan.blacklist as Set<string>).add('+1'), TypeError);
  assert.throws(() => (plan.outbound as unknown[]).push({}), TypeError);
});

test('planSummary counts the compiled objects', () => {
  const s = planSummary(loadPlan());
  assert.equal(s.users, 8);
  assert.equal(s.ringGroups, 8);
  assert.equal(s.numbers, 3);
  assert.equal(s.blacklist, 2);
});

test('DIDs are normalised to E.164; an unquoted +number key keeps its plus', () => {
  const r = compileDialplan([{ file: 'p.yaml', text: `${users}numbers:\n  +31 20 123 4567: user:1001\n  "020 123 4568": user:1001\n` }]);
  // The second key has no plus: DIDs must be written in E.164.
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.line}`), ['DIALPLAN_BAD_E164 5']);
  const ok = compileDialplan([{ file: 'p.yaml', text: `${users}numbers:\n  +31201234567: user:1001\n` }]);
  assert.equal(ok.ok, true);
  if (ok.ok) assert.ok(ok.plan.numbers.has('+31201234567'));
});

test('placeholder trunk credentials are accepted as strings', () => {
  const r = compileDialplan([{ file: 't.yaml', text: 'trunks:\n  c: { host: sip.example, register: true, username: "${U}", password: CHANGE-ME }\n' }]);
  assert.equal(r.ok, true);
  if (r.ok) assert.equal(r.plan.trunks.get('c')?.password, 'CHANGE-ME');
});

test('schema errors inside "string or map" fields name the key the author meant', () => {
  const codes = (text: string) => {
    const r = compileDialplan([{ file: 'x.yaml', text: users + text }]);
    return r.ok ? [] : r.diagnostics.map((d) => `${d.code} ${d.path}`);
  };
  assert.deepEqual(codes('numbers:\n  "+31201234567": { open: user:1001, clsoed: user:1001 }\n'), ['DIALPLAN_UNKNOWN_KEY numbers["+31201234567"].clsoed']);
  assert.deepEqual(codes('ring_groups:\n  g: { extension: "600", members: [{ targt: "1001" }] }\n'), [
    'DIALPLAN_MISSING_FIELD ring_groups.g.members[0]',
    'DIALPLAN_UNKNOWN_KEY ring_groups.g.members[0].targt',
  ]);
  assert.deepEqual(codes('ivr_menus:\n  m: { extension: "700", open: { prompt: { tss: hi } } }\n'), [
    'DIALPLAN_MISSING_FIELD ivr_menus.m.open.prompt',
    'DIALPLAN_UNKNOWN_KEY ivr_menus.m.open.prompt.tss',
  ]);
  assert.deepEqual(codes('numbers:\n  "+31201234567": 42\n'), ['DIALPLAN_INVALID_VALUE numbers["+31201234567"]']);
});
