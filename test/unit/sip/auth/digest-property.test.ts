import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { DigestServer, answerChallenge, parseDigestParams } from '../../../../src/sip/auth/index.ts';
import { constantTimeEqual } from '../../../../src/sip/auth/digest.ts';

const REALM = 'prop.test';
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

// Printable text without control characters; usernames also avoid nothing else on purpose.
const text = fc.string({ minLength: 1, maxLength: 24, unit: fc.constantFrom(...'abcXYZ019 !#$%&*+-.@:;"\\/_~é€'.split('')) });

test('property: a client answer always verifies with the right password and never with a different one', () => {
  const server = new DigestServer({ secret: randomBytes(32), nonceLifetimeMs: 60_000, maxTrackedNonces: 10_000, random: randomBytes });
  fc.assert(
    fc.property(text, text, text, fc.constantFrom('REGISTER', 'INVITE', 'BYE'), fc.integer({ min: 0, max: 1 }), fc.string({ minLength: 1, maxLength: 16, unit: fc.constantFrom(...'abcdef0123'.split('')) }), (username, password, other, method, pick, cnonce) => {
      const uri = `sip:${REALM}`;
      const challenges = server.createChallenge({ realm: REALM, now: T0 });
      const challenge = challenges[pick];
      assert.ok(challenge !== undefined);
      const a = answerChallenge({ challengeValue: challenge, method, uri, username, password, cnonce, nc: 1 });
      assert.ok(a.ok);
      // The answer must parse back to the exact username (quoting round-trips).
      const back = parseDigestParams(a.value);
      assert.ok(back.ok);
      assert.equal(back.value.params.get('username'), username);
      const right = server.verifyAuthorization({ method, requestUri: uri, authorizationValue: a.value, realm: REALM, lookup: (u) => (u === username ? { password } : undefined), now: T0 + 10 });
      assert.equal(right.kind, 'ok');
      if (other !== password) {
        const wrong = server.verifyAuthorization({ method, requestUri: uri, authorizationValue: a.value, realm: REALM, lookup: (u) => (u === username ? { password: other } : undefined), now: T0 + 10 });
        assert.equal(wrong.kind, 'fail');
      }
    }),
    { numRuns: 300 },
  );
});

test('property: verifyAuthorization never throws on arbitrary header text', () => {
  const server = new DigestServer({ secret: randomBytes(32), nonceLifetimeMs: 60_000, maxTrackedNonces: 100, random: randomBytes });
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (value) => {
      const r = server.verifyAuthorization({ method: 'REGISTER', requestUri: 'sip:x', authorizationValue: 'Digest ' + value, realm: REALM, lookup: () => ({ password: 'p' }), now: T0 });
      assert.notEqual(r.kind, 'ok');
    }),
    { numRuns: 500 },
  );
});

test('constantTimeEqual agrees with === for any two strings, including different lengths and near-misses', () => {
  const hex = fc.string({ minLength: 0, maxLength: 66, unit: fc.constantFrom(...'0123456789abcdef'.split('')) });
  fc.assert(
    fc.property(hex, hex, fc.nat(70), (a, b, flip) => {
      assert.equal(constantTimeEqual(a, b), a === b);
      assert.equal(constantTimeEqual(a, a), true);
      // One character changed anywhere must be caught.
      if (a.length > 0) {
        const i = flip % a.length;
        const changed = a.slice(0, i) + (a[i] === '0' ? '1' : '0') + a.slice(i + 1);
        assert.equal(constantTimeEqual(a, changed), false);
      }
    }),
  );
  fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => assert.equal(constantTimeEqual(a, b), a === b)));
});
