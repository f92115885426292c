import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DigestServer, answerChallenge, computeHa1, parseDigestParams, type DigestCredentials, type VerifyResult } from '../../../../src/sip/auth/index.ts';

const REALM = 'belfry.test';
const URI = 'sip:belfry.test';
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const LIFETIME = 300_000;

/** Deterministic "random" so tests are repeatable (G3). */
function counterRandom(): (n: number) => Buffer {
  let k = 0;
  return (n) => createHash('sha256').update(String(k++)).digest().subarray(0, n);
}

function server(extra: { allowNoQop?: boolean; maxTrackedNonces?: number } = {}): DigestServer {
  return new DigestServer({ secret: Buffer.alloc(32, 7), nonceLifetimeMs: LIFETIME, maxTrackedNonces: extra.maxTrackedNonces ?? 1000, random: counterRandom(), ...(extra.allowNoQop === undefined ? {} : { allowNoQop: extra.allowNoQop }) });
}

const users: Record<string, DigestCredentials> = {
  alice: { password: 'wonderland' },
  bob: { ha1Md5: computeHa1('md5', 'bob', REALM, 'builder'), ha1Sha256: computeHa1('sha256', 'bob', REALM, 'builder') },
};
const lookup = (u: string) => users[u];

function answer(challenge: string, opts: { username?: string; password?: string; nc?: number; uri?: string; method?: string } = {}): string {
  const r = answerChallenge({ challengeValue: challenge, method: opts.method ?? 'REGISTER', uri: opts.uri ?? URI, username: opts.username ?? 'alice', password: opts.password ?? 'wonderland', cnonce: 'cn0nce', nc: opts.nc ?? 1 });
  assert.ok(r.ok);
  return r.value;
}

function verify(s: DigestServer, authorizationValue: string, now = T0, method = 'REGISTER', requestUri = URI): VerifyResult {
  return s.verifyAuthorization({ method, requestUri, authorizationValue, realm: REALM, lookup, now });
}

test('RFC 8760 §2.4: challenges offer SHA-256 first, then MD5, with qop="auth" and one shared nonce', () => {
  const [first, second, ...rest] = server().createChallenge({ realm: REALM, now: T0, opaque: 'op' });
  assert.equal(rest.length, 0);
  assert.ok(first !== undefined && second !== undefined);
  const a = parseDigestParams(first);
  const b = parseDigestParams(second);
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.params.get('algorithm'), 'SHA-256');
  assert.equal(b.value.params.get('algorithm'), 'MD5');
  assert.equal(a.value.params.get('qop'), 'auth');
  assert.equal(a.value.params.get('realm'), REALM);
  assert.equal(a.value.params.get('opaque'), 'op');
  assert.equal(a.value.params.get('nonce'), b.value.params.get('nonce'));
  assert.equal(a.value.params.has('stale'), false);
});

test('a correct SHA-256 and a correct MD5 answer both verify', () => {
  const s = server();
  for (const alg of ['SHA-256', 'MD5'] as const) {
    const [c] = s.createChallenge({ realm: REALM, now: T0, algorithms: [alg] });
    assert.ok(c !== undefined);
    const r = verify(s, answer(c), T0 + 1000);
    assert.equal(r.kind, 'ok');
    if (r.kind === 'ok') assert.equal(r.username, 'alice');
  }
});

test('HA1 stored in place of a password is accepted (MD5 and SHA-256)', () => {
  const s = server();
  for (const alg of ['SHA-256', 'MD5'] as const) {
    const [c] = s.createChallenge({ realm: REALM, now: T0, algorithms: [alg] });
    assert.ok(c !== undefined);
    assert.equal(verify(s, answer(c, { username: 'bob', password: 'builder' })).kind, 'ok');
  }
});

test('RFC 7616 §3.3: an expired but authentic nonce with a correct digest is answered stale=true', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  const r = verify(s, answer(c), T0 + LIFETIME + 1);
  assert.equal(r.kind, 'stale');
  // ...but only when the digest itself is valid.
  const bad = verify(s, answer(c, { password: 'nope' }), T0 + LIFETIME + 1);
  assert.deepEqual(bad.kind === 'fail' ? bad.code : bad.kind, 'AUTH_BAD_CREDENTIALS');
  const [again] = s.createChallenge({ realm: REALM, now: T0, stale: true });
  assert.match(again ?? '', /stale=true/);
});

test('RFC 7616 §3.4: a reused or lower nonce-count is rejected as a replay', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  assert.equal(verify(s, answer(c, { nc: 1 })).kind, 'ok');
  const replay = verify(s, answer(c, { nc: 1 }));
  assert.equal(replay.kind === 'fail' ? replay.code : replay.kind, 'AUTH_NC_REPLAY');
  assert.equal(verify(s, answer(c, { nc: 3 })).kind, 'ok');
  const lower = verify(s, answer(c, { nc: 2 }));
  assert.equal(lower.kind === 'fail' ? lower.code : lower.kind, 'AUTH_NC_REPLAY');
});

test('a forged request does not burn the nonce-count of the real user', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  assert.equal(verify(s, answer(c, { nc: 5, password: 'guess' })).kind, 'fail');
  assert.equal(verify(s, answer(c, { nc: 1 })).kind, 'ok');
});

test('evicted nonce-count entries never reopen a replay: the old nonce becomes stale', () => {
  const s = server({ maxTrackedNonces: 2 });
  const [c1] = s.createChallenge({ realm: REALM, now: T0 });
  const [c2] = s.createChallenge({ realm: REALM, now: T0 + 1 });
  const [c3] = s.createChallenge({ realm: REALM, now: T0 + 2 });
  assert.ok(c1 !== undefined && c2 !== undefined && c3 !== undefined);
  assert.equal(verify(s, answer(c1), T0 + 10).kind, 'ok');
  assert.equal(verify(s, answer(c2), T0 + 10).kind, 'ok');
  assert.equal(verify(s, answer(c3), T0 + 10).kind, 'ok');
  assert.equal(s.trackedNonces, 2);
  assert.equal(verify(s, answer(c1), T0 + 10).kind, 'stale');
});

test('wrong password and unknown user give identical results', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  const wrong = verify(s, answer(c, { username: 'alice', password: 'x' }));
  const unknown = verify(s, answer(c, { username: 'mallory', password: 'x' }));
  assert.deepEqual(wrong, unknown);
  assert.deepEqual(wrong, { kind: 'fail', code: 'AUTH_BAD_CREDENTIALS', detail: 'digest does not match' });
});

test('RFC 2617 §3.2.2.5: a digest uri that is not the Request-URI fails with a 400 code', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  const r = verify(s, answer(c, { uri: 'sip:other.test' }));
  assert.equal(r.kind === 'fail' ? r.code : r.kind, 'AUTH_URI_MISMATCH');
  // Case of scheme and host does not matter (RFC 3261 §19.1.4).
  assert.equal(verify(s, answer(c, { uri: 'SIP:Belfry.TEST' })).kind, 'ok');
});

test('the digest binds the method: an answer for REGISTER does not authorize INVITE', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  assert.equal(verify(s, answer(c), T0, 'INVITE').kind, 'fail');
});

test('nonces not issued here, for another realm, or from the future are refused', () => {
  const s = server();
  const other = new DigestServer({ secret: Buffer.alloc(32, 9), nonceLifetimeMs: LIFETIME, maxTrackedNonces: 10, random: counterRandom() });
  const [foreign] = other.createChallenge({ realm: REALM, now: T0 });
  assert.ok(foreign !== undefined);
  const r1 = verify(s, answer(foreign));
  assert.equal(r1.kind === 'fail' ? r1.code : r1.kind, 'AUTH_BAD_NONCE');
  const [future] = s.createChallenge({ realm: REALM, now: T0 + 3_600_000 });
  assert.ok(future !== undefined);
  const r2 = verify(s, answer(future), T0);
  assert.equal(r2.kind === 'fail' ? r2.code : r2.kind, 'AUTH_BAD_NONCE');
  const [otherRealm] = s.createChallenge({ realm: 'elsewhere', now: T0 });
  assert.ok(otherRealm !== undefined);
  const nonce = parseDigestParams(otherRealm);
  assert.ok(nonce.ok);
  const forged = answer(`Digest realm="${REALM}", nonce="${nonce.value.params.get('nonce') ?? ''}", qop="auth"`);
  const r3 = verify(s, forged);
  assert.equal(r3.kind === 'fail' ? r3.code : r3.kind, 'AUTH_BAD_NONCE');
});

test('realm mismatch, malformed values and unsupported qop/algorithm fail with their codes', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  const good = answer(c);
  const code = (r: VerifyResult) => (r.kind === 'fail' ? r.code : r.kind);
  assert.equal(code(verify(s, good.replace(`realm="${REALM}"`, 'realm="x"'))), 'AUTH_REALM_MISMATCH');
  assert.equal(code(verify(s, 'Digest username="alice"')), 'AUTH_MALFORMED');
  assert.equal(code(verify(s, 'garbage')), 'AUTH_MALFORMED');
  assert.equal(code(verify(s, good.replace('qop=auth', 'qop=auth-int'))), 'AUTH_UNSUPPORTED_QOP');
  assert.equal(code(verify(s, good.replace('algorithm=SHA-256', 'algorithm=SHA-512-256'))), 'AUTH_UNSUPPORTED_ALGORITHM');
  assert.equal(code(verify(s, good.replace('nc=00000001', 'nc=1'))), 'AUTH_MALFORMED');
});

test('RFC 3261 §22.4 / RFC 2069: a no-qop response is accepted once per nonce, then stale', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0, algorithms: ['MD5'] });
  assert.ok(c !== undefined);
  const old = answer(c.replace(', qop="auth"', ''));
  assert.doesNotMatch(old, /qop=/);
  assert.equal(verify(s, old).kind, 'ok');
  assert.equal(verify(s, old).kind, 'stale');
  const strict = server({ allowNoQop: false });
  const [c2] = strict.createChallenge({ realm: REALM, now: T0, algorithms: ['MD5'] });
  assert.ok(c2 !== undefined);
  const r = verify(strict, answer(c2.replace(', qop="auth"', '')));
  assert.equal(r.kind === 'fail' ? r.code : r.kind, 'AUTH_UNSUPPORTED_QOP');
});

test('configuration mistakes throw AUTH_BAD_CONFIG', () => {
  assert.throws(() => new DigestServer({ secret: Buffer.alloc(8), nonceLifetimeMs: 1, maxTrackedNonces: 1, random: counterRandom() }), { code: 'AUTH_BAD_CONFIG' });
  assert.throws(() => server().createChallenge({ realm: REALM, now: T0, algorithms: [] }), { code: 'AUTH_BAD_CONFIG' });
});

test('a nonce with any one of its first 42 characters changed is refused (its MAC covers ts and salt, and is itself checked)', () => {
  const s = server();
  const [c] = s.createChallenge({ realm: REALM, now: T0 });
  assert.ok(c !== undefined);
  const parsed = parseDigestParams(c);
  assert.ok(parsed.ok);
  const nonce = parsed.value.params.get('nonce') ?? '';
  assert.equal(nonce.length, 43);
  for (let i = 0; i < 42; i++) {
    const swapped = nonce[i] === 'A' ? 'B' : 'A';
    const tampered = nonce.slice(0, i) + swapped + nonce.slice(i + 1);
    const r = verify(s, answer(`Digest realm="${REALM}", nonce="${tampered}", qop="auth"`));
    assert.equal(r.kind === 'fail' ? r.code : r.kind, 'AUTH_BAD_NONCE', `character ${i}`);
  }
});
