/**
 * The trunk registration client machine: events in, effects out, no sockets
 * and no clock (STYLE G1/G10). Titles are the behaviour RFC 3261 §10.2 and
 * §22.2 ask for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildRequest, createResponse, type SipResponse } from '../../../../src/sip/index.ts';
import { DigestServer } from '../../../../src/sip/auth/index.ts';
import {
  grantedExpires,
  initialTrunkRegistration,
  registrationBackoffMs,
  stepTrunkRegistration,
  type TrunkRegistrationConfig,
  type TrunkRegistrationEvent,
  type TrunkRegistrationState,
} from '../../../../src/sip/leg/index.ts';

const config: TrunkRegistrationConfig = {
  username: 'acct',
  password: 'secret',
  expiresS: 3600,
  retryMinMs: 30_000,
  retryMaxMs: 600_000,
  contactUri: 'sip:belfry@192.0.2.1:5060',
  registrarUri: 'sip:carrier.example',
};

const register = buildRequest({
  method: 'REGISTER',
  uri: 'sip:carrier.example',
  headers: [
    { name: 'via', value: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc' },
    { name: 'from', value: '<sip:acct@carrier.example>;tag=1' },
    { name: 'to', value: '<sip:acct@carrier.example>' },
    { name: 'call-id', value: 'reg-1' },
    { name: 'cseq', value: '1 REGISTER' },
  ],
});

function resp(status: number, headers: Array<{ name: string; value: string }> = []): SipResponse {
  return createResponse(register, status, undefined, { headers });
}

function run(s: TrunkRegistrationState, e: TrunkRegistrationEvent) {
  return stepTrunkRegistration(config, s, e);
}

const digest = new DigestServer({ secret: Buffer.alloc(32, 7), nonceLifetimeMs: 60_000, maxTrackedNonces: 100, random: (n) => Buffer.alloc(n, 1) });

test('start sends REGISTER with CSeq 1 and the requested Expires', () => {
  const r = run(initialTrunkRegistration(config), { kind: 'start', now: 0 });
  assert.equal(r.state.phase, 'registering');
  assert.deepEqual(r.effects.at(-1), { kind: 'send-register', cseq: 1, expiresS: 3600 });
});

test('§22.2: a 401 is answered once with Authorization for the same registrar URI, CSeq + 1', () => {
  let s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
  const challenge = digest.createChallenge({ realm: 'carrier', now: 0, algorithms: ['MD5'] })[0] ?? '';
  const r = run(s, { kind: 'response', now: 10, cseq: 1, response: resp(401, [{ name: 'www-authenticate', value: challenge }]), cnonce: 'cn1' });
  s = r.state;
  const sendEffect = r.effects.find((e) => e.kind === 'send-register');
  assert.ok(sendEffect && sendEffect.kind === 'send-register');
  assert.equal(sendEffect.cseq, 2);
  assert.equal(sendEffect.authorization?.name, 'authorization');
  const verified = digest.verifyAuthorization({
    method: 'REGISTER',
    requestUri: 'sip:carrier.example',
    authorizationValue: sendEffect.authorization?.value ?? '',
    realm: 'carrier',
    lookup: (u) => (u === 'acct' ? { password: 'secret' } : undefined),
    now: 10,
  });
  assert.equal(verified.kind, 'ok');
  // A second 401 means the credentials are wrong: failed with backoff, never a loop.
  const again = run(s, { kind: 'response', now: 20, cseq: 2, response: resp(401, [{ name: 'www-authenticate', value: challenge }]), cnonce: 'cn2' });
  assert.equal(again.state.phase, 'failed');
  assert.equal(again.state.lastError?.code, 'TRUNK_REG_AUTH_FAILED');
  assert.deepEqual(again.effects, [{ kind: 'set-timer', ms: 30_000 }]);
  assert.equal(again.state.nextAttemptAt, 30_020);
});

test('§10.2.4: 2xx → registered, refresh at half the granted expiry (Contact expires beats Expires)', () => {
  const s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
  const ok = resp(200, [
    { name: 'contact', value: '<sip:someone@198.51.100.1>;expires=900, <sip:belfry@192.0.2.1:5060>;expires=120' },
    { name: 'expires', value: '600' },
  ]);
  const r = run(s, { kind: 'response', now: 1000, cseq: 1, response: ok, cnonce: 'x' });
  assert.equal(r.state.phase, 'registered');
  assert.equal(r.state.grantedS, 120);
  assert.deepEqual(r.effects, [{ kind: 'set-timer', ms: 60_000 }]);
  // The refresh keeps the phase and bumps CSeq (same Call-ID is the driver's job).
  const refresh = run(r.state, { kind: 'timer', now: 61_000 });
  assert.equal(refresh.state.phase, 'registered');
  assert.deepEqual(refresh.effects.at(-1), { kind: 'send-register', cseq: 2, expiresS: 3600 });
});

test('grantedExpires falls back to Expires, then to the requested value', () => {
  assert.equal(grantedExpires(resp(200, [{ name: 'expires', value: '300' }]), config.contactUri, 3600), 300);
  assert.equal(grantedExpires(resp(200), config.contactUri, 3600), 3600);
});

test('423 is retried once with Min-Expires; a second 423 fails', () => {
  const c30 = { ...config, expiresS: 30 };
  let s = stepTrunkRegistration(c30, initialTrunkRegistration(c30), { kind: 'start', now: 0 }).state;
  const r = stepTrunkRegistration(c30, s, { kind: 'response', now: 1, cseq: 1, response: resp(423, [{ name: 'min-expires', value: '60' }]), cnonce: 'x' });
  assert.deepEqual(r.effects.at(-1), { kind: 'send-register', cseq: 2, expiresS: 60 });
  s = r.state;
  const r2 = stepTrunkRegistration(c30, s, { kind: 'response', now: 2, cseq: 2, response: resp(423, [{ name: 'min-expires', value: '90' }]), cnonce: 'x' });
  assert.equal(r2.state.lastError?.code, 'TRUNK_REG_INTERVAL');
});

test('failures back off exponentially up to the cap; a success resets the count', () => {
  let s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
  const waits: number[] = [];
  let now = 0;
  for (let i = 0; i < 7; i++) {
    const r = run(s, { kind: 'response', now, cseq: s.cseq, response: resp(408), cnonce: 'x' });
    const t = r.effects.find((e) => e.kind === 'set-timer');
    waits.push(t && t.kind === 'set-timer' ? t.ms : -1);
    assert.equal(r.state.lastError?.code, 'TRUNK_REG_UNAVAILABLE');
    now += 1;
    s = run(r.state, { kind: 'timer', now }).state;
    assert.equal(s.phase, 'registering');
  }
  assert.deepEqual(waits, [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  const ok = run(s, { kind: 'response', now, cseq: s.cseq, response: resp(200, [{ name: 'expires', value: '60' }]), cnonce: 'x' });
  assert.equal(ok.state.failures, 0);
  assert.equal(ok.state.lastError, undefined);
});

test('a response to an older CSeq, or a provisional, changes nothing', () => {
  const s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
  assert.equal(run(s, { kind: 'response', now: 1, cseq: 0, response: resp(200), cnonce: 'x' }).state, s);
  assert.equal(run(s, { kind: 'response', now: 1, cseq: 1, response: resp(100), cnonce: 'x' }).state, s);
});

test('§10.2.2: stop after a 2xx sends Expires: 0, and the answer ends it; stop before any 2xx just stops', () => {
  let s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
  s = run(s, { kind: 'response', now: 1, cseq: 1, response: resp(200), cnonce: 'x' }).state;
  const stop = run(s, { kind: 'stop', now: 2 });
  assert.equal(stop.state.phase, 'unregistering');
  assert.deepEqual(stop.effects.at(-1), { kind: 'send-register', cseq: 2, expiresS: 0 });
  const done = run(stop.state, { kind: 'response', now: 3, cseq: 2, response: resp(200), cnonce: 'x' });
  assert.equal(done.state.phase, 'unregistered');
  assert.deepEqual(done.effects, [{ kind: 'stopped' }]);
  const early = run(run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state, { kind: 'stop', now: 1 });
  assert.equal(early.state.phase, 'unregistered');
  assert.ok(early.effects.some((e) => e.kind === 'stopped'));
});

test('start twice is a programmer error', () => {
  const s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
  assert.throws(() => run(s, { kind: 'start', now: 1 }), { code: 'COMMON_ILLEGAL_TRANSITION' });
});

test('property: backoff is monotonic, at least the minimum and never above the cap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 200 }), (min, extra, n) => {
      const c = { retryMinMs: min, retryMaxMs: min + extra };
      const a = registrationBackoffMs(c, n);
      const b = registrationBackoffMs(c, n + 1);
      return a >= min && a <= c.retryMaxMs && b >= a;
    }),
  );
});

test('property: any final status sequence keeps the machine in a legal phase with one timer or one request', () => {
  const statuses = fc.constantFrom(200, 401, 403, 404, 408, 423, 480, 500, 503, 603);
  fc.assert(
    fc.property(fc.array(fc.oneof(statuses, fc.constant(-1)), { maxLength: 30 }), (seq) => {
      let s = run(initialTrunkRegistration(config), { kind: 'start', now: 0 }).state;
      let now = 0;
      for (const st of seq) {
        now += 1;
        const r = st === -1 ? run(s, { kind: 'timer', now }) : run(s, { kind: 'response', now, cseq: s.cseq, response: resp(st, st === 200 ? [{ name: 'expires', value: '60' }] : []), cnonce: 'x' });
        s = r.state;
        if (!['registering', 'registered', 'failed'].includes(s.phase)) return false;
        if (r.effects.filter((e) => e.kind === 'send-register').length > 1) return false;
      }
      return true;
    }),
  );
});
