import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerChallenge, computeHa1, computeResponse, parseDigestParams } from '../../../../src/sip/auth/index.ts';

const RFC7616_NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const RFC7616_OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
const RFC7616_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

function challenge7616(alg: string): string {
  return `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="${RFC7616_NONCE}", opaque="${RFC7616_OPAQUE}"`;
}

function answerParams(value: string): ReadonlyMap<string, string> {
  const p = parseDigestParams(value);
  assert.ok(p.ok);
  return p.value.params;
}

test('RFC 7616 §3.9.1: SHA-256 example response 753927fa…', () => {
  const r = answerChallenge({ challengeValue: challenge7616('SHA-256'), method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle of Life', cnonce: RFC7616_CNONCE, nc: 1 });
  assert.ok(r.ok);
  const p = answerParams(r.value);
  assert.equal(p.get('response'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(p.get('nc'), '00000001');
  assert.equal(p.get('qop'), 'auth');
  assert.equal(p.get('algorithm'), 'SHA-256');
  assert.equal(p.get('opaque'), RFC7616_OPAQUE, 'opaque MUST be returned unchanged');
});

test('RFC 7616 §3.9.1: MD5 example response 8ca523f5…', () => {
  const r = answerChallenge({ challengeValue: challenge7616('MD5'), method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle of Life', cnonce: RFC7616_CNONCE, nc: 1 });
  assert.ok(r.ok);
  assert.equal(answerParams(r.value).get('response'), '8ca523f5e9506fed4657c9700eebdbec');
});

test('RFC 2617 §3.5: example response 6629fae4… (algorithm absent means MD5)', () => {
  const challenge = 'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  const r = answerChallenge({ challengeValue: challenge, method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle Of Life', cnonce: '0a4f113b', nc: 1 });
  assert.ok(r.ok);
  const p = answerParams(r.value);
  assert.equal(p.get('response'), '6629fae49393a05397450978507c4ef1');
  assert.equal(p.get('opaque'), '5ccc069c403ebaf9f0171e9517f40e41');
});

test('RFC 2617 §3.5 vector through computeResponse with a stored HA1', () => {
  const ha1 = computeHa1('md5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
  const response = computeResponse({ algorithm: 'MD5', ha1: ha1.toUpperCase(), method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: { nc: '00000001', cnonce: '0a4f113b' } });
  assert.equal(response, '6629fae49393a05397450978507c4ef1');
});

test('RFC 2069 (no qop in the challenge): response = H(HA1:nonce:HA2), no nc/cnonce sent', () => {
  const r = answerChallenge({ challengeValue: 'Digest realm="r", nonce="n"', method: 'REGISTER', uri: 'sip:r', username: 'u', password: 'p', cnonce: 'c', nc: 1 });
  assert.ok(r.ok);
  const p = answerParams(r.value);
  const ha1 = computeHa1('md5', 'u', 'r', 'p');
  assert.equal(p.get('response'), computeResponse({ algorithm: 'MD5', ha1, method: 'REGISTER', uri: 'sip:r', nonce: 'n' }));
  assert.equal(p.has('nc'), false);
  assert.equal(p.has('cnonce'), false);
});

test('client refuses a challenge it cannot answer (auth-int only, unknown algorithm, other scheme)', () => {
  const base = { method: 'INVITE', uri: 'sip:x', username: 'u', password: 'p', cnonce: 'c', nc: 1 };
  const a = answerChallenge({ ...base, challengeValue: 'Digest realm="r", nonce="n", qop="auth-int"' });
  assert.equal(a.ok ? '' : a.error.code, 'AUTH_CHALLENGE_UNSUPPORTED');
  const b = answerChallenge({ ...base, challengeValue: 'Digest realm="r", nonce="n", algorithm=SHA-512-256' });
  assert.equal(b.ok ? '' : b.error.code, 'AUTH_CHALLENGE_UNSUPPORTED');
  const c = answerChallenge({ ...base, challengeValue: 'Basic realm="r"' });
  assert.equal(c.ok ? '' : c.error.code, 'AUTH_CHALLENGE_MALFORMED');
});

test('auth-param parser: quoted commas, escapes, duplicates and garbage', () => {
  const p = parseDigestParams('Digest realm="a\\"b, c", qop="auth, auth-int" , nonce=abc');
  assert.ok(p.ok);
  assert.equal(p.value.params.get('realm'), 'a"b, c');
  assert.equal(p.value.params.get('qop'), 'auth, auth-int');
  assert.equal(p.value.params.get('nonce'), 'abc');
  assert.equal(parseDigestParams('Digest a=1, a=2').ok, false);
  assert.equal(parseDigestParams('Digest a="unterminated').ok, false);
  assert.equal(parseDigestParams('Digest =x').ok, false);
  assert.equal(parseDigestParams('').ok, false);
  assert.equal(parseDigestParams('Digest ' + 'a=b,'.repeat(2000)).ok, false);
});
