import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processRegister, validatePolicy, type Binding, type ContactFact, type RegisterFacts, type RegistrarPolicy } from '../../../../src/sip/registrar/index.ts';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const AOR = 'sip:alice@belfry.test';
const FLOW = { protocol: 'udp', remoteAddress: '192.0.2.10', remotePort: 5062, localAddress: '192.0.2.1', localPort: 5060 } as const;
const POLICY: RegistrarPolicy = { minExpires: 60, maxExpires: 3600, defaultExpires: 600, maxContacts: 3 };

function facts(contacts: RegisterFacts['contacts'], over: Partial<RegisterFacts> = {}): RegisterFacts {
  return { aor: AOR, contacts, expiresHeader: undefined, callId: 'call-1', cseq: 1, flow: FLOW, userAgent: 'TestPhone/1.0', now: NOW, ...over };
}

const c = (uri: string, extra: Partial<ContactFact> = {}): ContactFact => ({ uri, ...extra });

/** Run a REGISTER and apply the outcome to the state, as a store would. */
function apply(state: readonly Binding[], f: RegisterFacts, policy = POLICY): { state: Binding[]; out: ReturnType<typeof processRegister> } {
  const out = processRegister(state, f, policy);
  const removed = new Set(out.remove);
  const ups = new Map(out.upsert.map((b) => [b.key, b] as const));
  const next = state.filter((b) => !removed.has(b.key) && !ups.has(b.key));
  next.push(...out.upsert);
  return { state: next, out };
}

const header = (out: ReturnType<typeof processRegister>, name: string) => out.response.headers.filter((h) => h.name === name).map((h) => h.value);

test('§10.3 step 6: "If no expiration is indicated, the registrar SHOULD assign the locally configured default value"', () => {
  const { out } = apply([], facts([c('sip:alice@192.0.2.10:5062')]));
  assert.equal(out.response.status, 200);
  assert.equal(out.upsert.length, 1);
  assert.equal(out.upsert[0]?.expiresAt, NOW + 600_000);
  assert.deepEqual(header(out, 'contact'), ['<sip:alice@192.0.2.10:5062>;expires=600']);
  assert.deepEqual(header(out, 'date'), ['Mon, 05 Jan 2026 09:00:00 GMT']);
});

test('§10.3 step 6: the "expires" Contact parameter takes precedence over the Expires header', () => {
  const { out } = apply([], facts([c('sip:a@192.0.2.10', { expires: '120' }), c('sip:b@192.0.2.10')], { expiresHeader: '300' }));
  const byUri = new Map(out.upsert.map((b) => [b.contact, b.expiresAt - NOW] as const));
  assert.equal(byUri.get('sip:a@192.0.2.10'), 120_000);
  assert.equal(byUri.get('sip:b@192.0.2.10'), 300_000);
});

test('§10.3 step 6: a registrar MAY shorten the interval: above maxExpires it is cut to maxExpires', () => {
  const { out } = apply([], facts([c('sip:a@192.0.2.10')], { expiresHeader: '86400' }));
  assert.equal(out.upsert[0]?.expiresAt, NOW + 3_600_000);
  assert.deepEqual(header(out, 'contact'), ['<sip:a@192.0.2.10>;expires=3600']);
});

test('§10.3 step 6: "greater than zero AND smaller than one hour AND less than a registrar-configured minimum" → 423 with Min-Expires', () => {
  const { out, state } = apply([], facts([c('sip:a@192.0.2.10', { expires: '30' })]));
  assert.equal(out.response.status, 423);
  assert.equal(out.response.reason, 'Interval Too Brief');
  assert.equal(out.response.code, 'REGISTRAR_INTERVAL_TOO_BRIEF');
  assert.deepEqual(header(out, 'min-expires'), ['60']);
  assert.equal(header(out, 'date').length, 1);
  assert.equal(state.length, 0, 'nothing is committed');
});

test('§10.3 step 6: an interval of one hour or more is never answered 423, even under a larger minimum', () => {
  const { out } = apply([], facts([c('sip:a@192.0.2.10')], { expiresHeader: '3600' }), { minExpires: 7200, maxExpires: 86400, defaultExpires: 7200, maxContacts: 3 });
  assert.equal(out.response.status, 200);
});

test('§10.3 step 6: "*" with an expiration other than zero is invalid → 400', () => {
  const { out } = apply([], facts(['*'], { expiresHeader: '60' }));
  assert.equal(out.response.status, 400);
  assert.equal(out.response.code, 'REGISTRAR_BAD_WILDCARD');
  const missing = processRegister([], facts(['*']), POLICY);
  assert.equal(missing.response.status, 400);
});

test('§10.3 step 6: "*" with additional Contact header fields is invalid → 400', () => {
  const out = processRegister([], facts(['*', c('sip:a@192.0.2.10')], { expiresHeader: '0' }), POLICY);
  assert.equal(out.response.status, 400);
  assert.equal(out.response.code, 'REGISTRAR_BAD_WILDCARD');
});

test('§10.3 step 6: "*" with Expires: 0 removes all bindings of the AOR', () => {
  let s = apply([], facts([c('sip:a@192.0.2.10'), c('sip:b@192.0.2.11')])).state;
  assert.equal(s.length, 2);
  const r = apply(s, facts(['*'], { expiresHeader: '0', callId: 'call-2', cseq: 1 }));
  s = r.state;
  assert.equal(r.out.response.status, 200);
  assert.equal(s.length, 0);
  assert.deepEqual(header(r.out, 'contact'), []);
});

test('§10.3 step 7: "If the binding does not exist, it is tentatively added"', () => {
  const s1 = apply([], facts([c('sip:a@192.0.2.10')])).state;
  const r = apply(s1, facts([c('sip:b@192.0.2.11')], { callId: 'other', cseq: 9 }));
  assert.equal(r.state.length, 2);
  assert.equal(header(r.out, 'contact').length, 2, 'the 200 enumerates all current bindings');
});

test('§10.3 step 7: "If the binding does exist ... the Call-ID differs ... the binding MUST be ... updated"', () => {
  const s1 = apply([], facts([c('sip:a@192.0.2.10')], { cseq: 50 })).state;
  const r = apply(s1, facts([c('sip:a@192.0.2.10', { expires: '100' })], { callId: 'new-call', cseq: 1, now: NOW + 5000 }));
  assert.equal(r.out.response.status, 200);
  assert.equal(r.state.length, 1);
  assert.equal(r.state[0]?.callId, 'new-call');
  assert.equal(r.state[0]?.expiresAt, NOW + 5000 + 100_000);
  assert.equal(r.state[0]?.registeredAt, NOW, 'first registration time is kept');
});

test('§10.3 step 7: "If the value is higher than that of the existing binding, it MUST update or remove the binding"', () => {
  const s1 = apply([], facts([c('sip:a@192.0.2.10')], { cseq: 1 })).state;
  const r = apply(s1, facts([c('sip:a@192.0.2.10')], { cseq: 2, expiresHeader: '0' }));
  assert.equal(r.out.response.status, 200);
  assert.equal(r.state.length, 0);
});

test('§10.3 step 7: same Call-ID and a CSeq not higher: "the update MUST be aborted and the request fails" (400, nothing changes)', () => {
  const s1 = apply([], facts([c('sip:a@192.0.2.10')], { cseq: 5 })).state;
  for (const cseq of [5, 4]) {
    const r = apply(s1, facts([c('sip:a@192.0.2.10', { expires: '0' }), c('sip:new@192.0.2.12')], { cseq }));
    assert.equal(r.out.response.status, 400);
    assert.equal(r.out.response.code, 'REGISTRAR_OUT_OF_ORDER');
    assert.deepEqual(r.state, s1);
  }
  const star = processRegister(s1, facts(['*'], { cseq: 5, expiresHeader: '0' }), POLICY);
  assert.equal(star.response.code, 'REGISTRAR_OUT_OF_ORDER');
});

test('§10.3 step 7: "If the expiration time is zero" for a binding that does not exist, nothing happens and 200 is returned', () => {
  const r = apply([], facts([c('sip:a@192.0.2.10', { expires: '0' })]));
  assert.equal(r.out.response.status, 200);
  assert.equal(r.state.length, 0);
});

test('§10.3 step 7: URIs are compared per §19.1.4: scheme and host case-insensitively, the user part exactly', () => {
  const s1 = apply([], facts([c('sip:a@HOST.example;transport=UDP')])).state;
  const r = apply(s1, facts([c('SIP:a@host.example;transport=udp')], { cseq: 2 }));
  assert.equal(r.state.length, 1);
  const r2 = apply(s1, facts([c('sip:A@host.example;transport=udp')], { cseq: 2 }));
  assert.equal(r2.state.length, 2);
});

test('RFC 5626 §6: a contact with the same +sip.instance and reg-id replaces the old binding even from a new address', () => {
  const inst = 'urn:uuid:00000000-0000-1000-8000-000A95A0E128';
  const s1 = apply([], facts([c('sip:a@192.0.2.10;ob', { instanceId: inst, regId: '1' })])).state;
  const r = apply(s1, facts([c('sip:a@198.51.100.7;ob', { instanceId: inst, regId: '1' })], { callId: 'c2', cseq: 1 }));
  assert.equal(r.state.length, 1);
  assert.equal(r.state[0]?.contact, 'sip:a@198.51.100.7;ob');
  assert.equal(r.state[0]?.regId, 1);
  assert.equal(r.state[0]?.instanceId, inst);
});

test('§10.3 step 8: a REGISTER without Contact is a query: 200 lists the bindings, nothing changes', () => {
  const s1 = apply([], facts([c('sip:a@192.0.2.10', { q: '0.5' }), c('sip:b@192.0.2.11', { q: '1.0' })])).state;
  const r = apply(s1, facts([], { cseq: 2, now: NOW + 10_000 }));
  assert.equal(r.out.response.status, 200);
  assert.equal(r.out.upsert.length, 0);
  assert.deepEqual(header(r.out, 'contact'), ['<sip:b@192.0.2.11>;expires=590;q=1', '<sip:a@192.0.2.10>;expires=590;q=0.5']);
});

test('expired bindings are not listed and are removed on the next REGISTER', () => {
  const s1 = apply([], facts([c('sip:a@192.0.2.10', { expires: '60' })])).state;
  const r = apply(s1, facts([], { now: NOW + 61_000 }));
  assert.deepEqual(header(r.out, 'contact'), []);
  assert.equal(r.state.length, 0);
});

test('maxContacts: the oldest binding not named in the request is replaced', () => {
  let s: Binding[] = [];
  for (let i = 0; i < 3; i++) s = apply(s, facts([c(`sip:a@192.0.2.${10 + i}`)], { callId: `c${i}`, now: NOW + i })).state;
  const r = apply(s, facts([c('sip:a@192.0.2.99')], { callId: 'c9', now: NOW + 10 }));
  assert.equal(r.out.response.status, 200);
  assert.deepEqual(r.out.replaced.map((b) => b.contact), ['sip:a@192.0.2.10']);
  assert.deepEqual(r.state.map((b) => b.contact).sort(), ['sip:a@192.0.2.11', 'sip:a@192.0.2.12', 'sip:a@192.0.2.99']);
});

test('maxContacts: one REGISTER asking for more contacts than allowed gets 403', () => {
  const out = processRegister([], facts([1, 2, 3, 4].map((i) => c(`sip:a@192.0.2.${i}`))), POLICY);
  assert.equal(out.response.status, 403);
  assert.equal(out.response.code, 'REGISTRAR_TOO_MANY_CONTACTS');
});

test('a Contact that is not a sip/sips/tel URI gets 400; malformed expires and q fall back to defaults', () => {
  assert.equal(processRegister([], facts([c('mailto:a@b')]), POLICY).response.code, 'REGISTRAR_BAD_CONTACT');
  const out = processRegister([], facts([c('sip:a@192.0.2.10', { expires: 'soon', q: '7' })]), POLICY);
  assert.equal(out.upsert[0]?.expiresAt, NOW + 600_000);
  assert.equal(out.upsert[0]?.q, undefined);
});

test('the binding records the flow, Call-ID, CSeq and User-Agent it came with', () => {
  const out = processRegister([], facts([c('sip:a@192.0.2.10')], { cseq: 42 }), POLICY);
  const b = out.upsert[0];
  assert.ok(b !== undefined);
  assert.deepEqual(b.flow, FLOW);
  assert.equal(b.callId, 'call-1');
  assert.equal(b.cseq, 42);
  assert.equal(b.userAgent, 'TestPhone/1.0');
  assert.equal(b.aor, AOR);
});

test('policy validation rejects inconsistent values', () => {
  assert.throws(() => validatePolicy({ minExpires: 600, maxExpires: 60, defaultExpires: 100, maxContacts: 1 }), { code: 'REGISTRAR_BAD_POLICY' });
  assert.throws(() => validatePolicy({ ...POLICY, maxContacts: 0 }), { code: 'REGISTRAR_BAD_POLICY' });
  validatePolicy(POLICY);
});

test('the Date header follows the clock across seconds (RFC 3261 §20.17), including back in time', () => {
  for (const [now, want] of [
    [NOW + 999, 'Mon, 05 Jan 2026 09:00:00 GMT'],
    [NOW + 1000, 'Mon, 05 Jan 2026 09:00:01 GMT'],
    [NOW + 1999, 'Mon, 05 Jan 2026 09:00:01 GMT'],
    [NOW - 1, 'Mon, 05 Jan 2026 08:59:59 GMT'],
    [NOW + 86_400_000, 'Tue, 06 Jan 2026 09:00:00 GMT'],
  ] as const) {
    assert.deepEqual(header(apply([], facts([c('sip:alice@192.0.2.10:5062')], { now })).out, 'date'), [want], String(now));
  }
});
