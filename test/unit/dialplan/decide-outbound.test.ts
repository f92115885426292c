import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDialplan, decide } from '../../../src/dialplan/index.ts';
import type { Decision } from '../../../src/dialplan/index.ts';
import { AT, loadPlan } from './load-fixture.ts';

const plan = loadPlan();
const dial = (caller: string, dialled: string) => decide(plan, { kind: 'internal', caller, dialled }, AT.mondayOpen);
function as<K extends Decision['kind']>(d: Decision, kind: K): Extract<Decision, { kind: K }> {
  assert.equal(d.kind, kind, d.trace.join('\n'));
  return d as Extract<Decision, { kind: K }>;
}

test('a national number is normalised to E.164 and formatted per trunk, in failover order', () => {
  const d = as(dial('2002', '020 555 1234'), 'external');
  assert.equal(d.number, '+31205551234');
  assert.deepEqual(d.routes, [{ trunk: 'carrier', dial: '31205551234' }, { trunk: 'backup', dial: '0205551234' }]);
});

test('caller id: department number, presentation number, or own DID', () => {
  assert.equal(as(dial('2007', '0205551234'), 'external').callerId, '+31201234510');
  assert.equal(as(dial('2008', '0205551234'), 'external').callerId, '+31201234599');
  assert.equal(as(dial('2005', '0205551234'), 'external').callerId, '+31201234505');
  assert.equal(as(dial('2002', '0205551234'), 'external').callerId, null);
});

test('premium numbers are blocked with 403 and Q.850 cause 21 (call rejected), naming the restriction', () => {
  for (const n of ['0900 1234567', '+31900123456', '0909123456']) {
    const d = as(dial('2002', n), 'reject');
    assert.equal(d.status, 403);
    assert.equal(d.cause, 21);
    assert.match(d.reason, /premium/);
  }
});

test('department exemption lets management call premium numbers', () => {
  assert.equal(dial('2008', '0900 1234567').kind, 'external');
});

test('international calls are blocked except for exempt users; country blocks apply to everyone not exempt', () => {
  assert.equal(as(dial('2002', '0044 20 7946 0958'), 'reject').status, 403);
  const ok = as(dial('2008', '0044 20 7946 0958'), 'external');
  assert.equal(ok.number, '+442079460958');
  assert.deepEqual(ok.routes, [{ trunk: 'carrier', dial: '442079460958' }]);
  const cuba = as(dial('2008', '+53 7 8612345'), 'reject');
  assert.match(cuba.reason, /cuba/);
});

test('emergency numbers that are not E.164 match raw prefixes', () => {
  const d = as(dial('2002', '112'), 'external');
  assert.deepEqual(d.routes.map((r) => r.dial), ['112', '112']);
});

test('strip and prepend rewrite the dialled number after trunk formatting', () => {
  const text = [
    'users: { "10": { name: A, password: pw } }',
    'trunks: { old: { host: pbx.example, number_format: national }, plus: { host: b.example, number_format: with_plus } }',
    'outbound: [{ name: nl, prefixes: ["+31"], trunks: [old, plus], strip: 1, prepend: "9" }]',
  ].join('\n');
  const r = compileDialplan([{ file: 'p.yaml', text }]);
  assert.ok(r.ok);
  if (!r.ok) return;
  const d = as(decide(r.plan, { kind: 'internal', caller: '10', dialled: '0205551234' }, 0), 'external');
  assert.deepEqual(d.routes, [{ trunk: 'old', dial: '9205551234' }, { trunk: 'plus', dial: '931205551234' }]);
});

test('garbage and unroutable numbers are rejected 404', () => {
  assert.equal(as(dial('2002', 'abc'), 'reject').status, 404);
  assert.equal(as(dial('9999', '2001'), 'reject').status, 403);
});
