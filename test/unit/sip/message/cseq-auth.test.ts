import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSeq, parseAuthHeader, formatAuthHeader, MAX_CSEQ } from '../../../../src/sip/message/index.ts';

test('§20.16 CSeq: number and case-sensitive method, leading zeros allowed', () => {
  assert.deepEqual(parseCSeq('0009 INVITE'), { seq: 9, method: 'INVITE' });
  assert.deepEqual(parseCSeq('4711   invite'), { seq: 4711, method: 'invite' });
});

test('§8.1.1.5: CSeq number must be below 2^31', () => {
  assert.deepEqual(parseCSeq(`${MAX_CSEQ} ACK`), { seq: MAX_CSEQ, method: 'ACK' });
  assert.equal(parseCSeq(`${MAX_CSEQ + 1} ACK`), null);
  assert.equal(parseCSeq('36893488147419103232 REGISTER'), null);
  assert.equal(parseCSeq('00000000000000000001 REGISTER')?.seq, 1);
});

test('malformed CSeq', () => {
  assert.equal(parseCSeq('INVITE'), null);
  assert.equal(parseCSeq('1INVITE'), null);
  assert.equal(parseCSeq('1 '), null);
  assert.equal(parseCSeq('-1 INVITE'), null);
  assert.equal(parseCSeq('1 IN VITE'), null);
});

test('§20.44 WWW-Authenticate digest challenge with quoted strings', () => {
  const a = parseAuthHeader('Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5');
  assert.ok(a);
  assert.equal(a.scheme, 'Digest');
  assert.equal(a.params.get('realm'), 'atlanta.com');
  assert.equal(a.params.get('qop'), 'auth,auth-int');
  assert.equal(a.params.get('opaque'), '');
  assert.equal(a.params.get('stale'), 'FALSE');
});

test('§20.7 Authorization with escaped quote and unknown scheme', () => {
  const a = parseAuthHeader('Digest username="bo\\"b", uri="sip:a@b", response="abc", nc=00000001, cnonce="x", qop=auth');
  assert.equal(a?.params.get('username'), 'bo"b');
  assert.equal(a?.params.get('nc'), '00000001');
  const u = parseAuthHeader('NoOneKnowsThisScheme opaque-data=here');
  assert.equal(u?.scheme, 'NoOneKnowsThisScheme');
  assert.equal(parseAuthHeader('Digest')?.params.size, 0);
});

test('malformed auth headers', () => {
  assert.equal(parseAuthHeader(''), null);
  assert.equal(parseAuthHeader('Digest realm="x'), null);
  assert.equal(parseAuthHeader('Digest realm'), null);
  assert.equal(parseAuthHeader('Digest realm="a" nonce="b"'), null);
});

test('formatAuthHeader round-trips through parseAuthHeader', () => {
  const a = parseAuthHeader('Digest realm="r", nonce="n\\"x", algorithm=MD5, qop=auth');
  assert.ok(a);
  assert.deepEqual(parseAuthHeader(formatAuthHeader(a)), a);
});
