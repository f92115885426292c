/**
 * TrunkDirectory: credentials from the environment (and the ones that must
 * never be used), inbound identification, DIDs, and what an outbound trunk
 * INVITE carries (number format, caller id, P-Asserted-Identity, credentials).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCredentials, substituteEnv, TrunkDirectory } from '../../../src/engine/index.ts';
import { local, trunkPlan } from './trunk-fixture.ts';

const TRUNKS = `  carrier:
    host: 198.51.100.7
    register: true
    username: "\${T_USER}"
    password: "\${T_PASS}"
    number_format: e164
    caller_id: "+31201234500"
  national:
    host: 203.0.113.9
    port: 5080
    inbound: ["203.0.113.0/28"]
    number_format: national
  plus:
    host: 203.0.113.20
    transport: tcp
    number_format: with_plus
  regin:
    host: 198.51.100.50
    register: true
    username: u
    password: p
    inbound: ["192.0.2.128/25"]`;

const plan = trunkPlan(TRUNKS);
const env = { T_USER: 'acct', T_PASS: 's3cret' };
const dir = new TrunkDirectory(plan, new Map(), local, { env });

test('substituteEnv replaces ${NAME} and reports unset or empty names', () => {
  assert.deepEqual(substituteEnv('a-${X}-${Y}', { X: '1', Y: '' }), { value: 'a-1-', missing: ['Y'] });
  assert.deepEqual(substituteEnv('plain', {}), { value: 'plain', missing: [] });
});

test('credentials: resolved from the environment; unset variables and CHANGE-ME are unusable, with a reason', () => {
  assert.deepEqual(dir.credentials('carrier'), { kind: 'ok', username: 'acct', password: 's3cret' });
  const t = plan.trunks.get('carrier');
  assert.ok(t);
  const unset = resolveCredentials(t, { T_USER: 'acct' });
  assert.equal(unset.kind, 'unusable');
  assert.ok(unset.kind === 'unusable' && unset.code === 'TRUNK_CREDENTIALS_UNRESOLVED' && /T_PASS/.test(unset.reason));
  const example = resolveCredentials({ ...t, password: 'CHANGE-ME' }, env);
  assert.ok(example.kind === 'unusable' && example.code === 'TRUNK_CREDENTIALS_PLACEHOLDER');
  assert.deepEqual(dir.credentials('national'), { kind: 'none' });
});

test('inbound: by CIDR, and a registered trunk by its registrar address', () => {
  assert.equal(dir.trunkForSource('203.0.113.5'), 'national');
  assert.equal(dir.trunkForSource('203.0.113.17'), undefined);
  assert.equal(dir.trunkForSource('198.51.100.7'), 'carrier');
  // With an inbound list, a registered trunk's registrar still counts (it sends to the Contact we registered).
  assert.equal(dir.trunkForSource('192.0.2.200'), 'regin');
  assert.equal(dir.trunkForSource('198.51.100.50'), 'regin');
  // Without an inbound list, the trunk host's address identifies it.
  assert.equal(dir.trunkForSource('203.0.113.20'), 'plus');
  assert.equal(dir.trunkForSource('192.0.2.99'), undefined);
});

test('DID: R-URI user normalised; To when the R-URI is our contact; digits from an e164 trunk regain the plus', () => {
  const to = (u: string) => ({ uri: { raw: `sip:${u}@192.0.2.1` } }) as unknown as { uri: { raw: string } };
  const req = (ruri: string, toUser: string) => ({ uri: ruri, to: to(toUser) }) as unknown as Parameters<TrunkDirectory['inboundDid']>[1];
  assert.equal(dir.inboundDid('national', req('sip:0201234567@192.0.2.1', 'x')), '+31201234567');
  assert.equal(dir.inboundDid('carrier', req('sip:31201234567@192.0.2.1', 'x')), '+31201234567');
  assert.equal(dir.inboundDid('carrier', req('sip:belfry@192.0.2.1:5060', '+31201234567')), '+31201234567');
  assert.equal(dir.inboundDid('carrier', req('sip:acct@192.0.2.1', '31201234567')), '+31201234567');
  assert.equal(dir.inboundDid('national', req('sip:s@192.0.2.1', 'x')), 's');
});

test('outbound target: number in the trunk format, caller id from the policy with the trunk default as fallback, PAI, credentials', () => {
  const e = dir.target('carrier', '31612345678', '+31201234567');
  assert.ok(e);
  assert.equal(e.requestUri, 'sip:31612345678@198.51.100.7:5060');
  assert.equal(e.from, '<sip:31201234567@198.51.100.7>');
  assert.deepEqual(e.headers, [{ name: 'p-asserted-identity', value: '<sip:31201234567@198.51.100.7>' }]);
  assert.deepEqual(e.credentials, { username: 'acct', password: 's3cret' });
  // An extension is not a public number: the trunk's caller_id is presented instead.
  assert.equal(dir.target('carrier', '31612345678', '2001')?.from, '<sip:31201234500@198.51.100.7>');
  assert.equal(dir.target('national', '0612345678', '+31201234567')?.from, '<sip:0201234567@203.0.113.9>');
  assert.equal(dir.target('plus', '+31612345678', '+31201234567')?.from, '<sip:+31201234567@203.0.113.20>');
  assert.match(dir.target('plus', '+31612345678', null)?.requestUri ?? '', /;transport=tcp$/);
  // No number at all and no trunk default: anonymous, and no PAI.
  const anon = dir.target('national', '0612345678', null);
  assert.equal(anon?.from, '<sip:anonymous@203.0.113.9>');
  assert.deepEqual(anon?.headers, []);
  assert.equal(anon?.credentials, undefined);
});

test('a trunk the OPTIONS ping found unreachable yields no target', () => {
  const d = new TrunkDirectory(plan, new Map(), local, { env, reachable: (n) => (n === 'carrier' ? false : undefined) });
  assert.equal(d.target('carrier', '1', '+31201234567'), undefined);
  assert.ok(d.target('national', '1', '+31201234567'));
});
