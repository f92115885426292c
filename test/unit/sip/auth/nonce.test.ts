import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { NonceIssuer } from '../../../../src/sip/auth/nonce.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const LIFETIME = 300_000;

test('an issued nonce checks fresh from the unanswered memory, and again by its MAC once that entry is gone', () => {
  const n = new NonceIssuer(randomBytes(32), LIFETIME, randomBytes);
  const nonce = n.issue('belfry.test', T0);
  assert.equal(n.unanswered, 1);
  assert.deepEqual(n.check(nonce, 'belfry.test', T0 + 10), { kind: 'fresh', issuedAt: T0 });
  assert.equal(n.unanswered, 0, 'the first check takes the entry out');
  assert.deepEqual(n.check(nonce, 'belfry.test', T0 + 20), { kind: 'fresh', issuedAt: T0 });
  assert.deepEqual(n.check(nonce, 'belfry.test', T0 + LIFETIME + 1), { kind: 'expired', issuedAt: T0 });
});

test('both paths give the same answers: age, future stamps, other realms, other secrets', () => {
  const secret = randomBytes(32);
  const a = new NonceIssuer(secret, LIFETIME, randomBytes);
  const b = new NonceIssuer(secret, LIFETIME, randomBytes); // b has no memory of a's nonces: MAC path only
  for (const [issuedAt, checkedAt] of [
    [T0, T0 + 1],
    [T0, T0 + LIFETIME + 5],
    [T0 + 60_000, T0], // stamped a minute ahead of the checker's clock
  ] as const) {
    const nonce = a.issue('belfry.test', issuedAt);
    assert.deepEqual(a.check(nonce, 'belfry.test', checkedAt), b.check(nonce, 'belfry.test', checkedAt));
  }
  const nonce = a.issue('belfry.test', T0);
  assert.deepEqual(a.check(nonce, 'elsewhere', T0), { kind: 'invalid' }, 'bound to its realm even while remembered');
  const other = new NonceIssuer(randomBytes(32), LIFETIME, randomBytes);
  assert.deepEqual(other.check(a.issue('belfry.test', T0), 'belfry.test', T0), { kind: 'invalid' });
});

test('the unanswered memory is bounded: the oldest go first and are still accepted by their MAC', () => {
  const n = new NonceIssuer(randomBytes(32), LIFETIME, randomBytes);
  const first = n.issue('belfry.test', T0);
  for (let i = 0; i < 5000; i++) n.issue('belfry.test', T0 + i);
  assert.equal(n.unanswered, 4096);
  assert.deepEqual(n.check(first, 'belfry.test', T0 + 6000), { kind: 'fresh', issuedAt: T0 });
});

test('the MAC is the first 16 bytes of SHA-256(secret ‖ ts ‖ salt ‖ realm), whichever realm was MAC\'d before', () => {
  const secret = randomBytes(32);
  const n = new NonceIssuer(secret, LIFETIME, randomBytes);
  for (const realm of ['belfry.test', 'other.example', 'belfry.test', 'ä.example']) {
    const raw = Buffer.from(n.issue(realm, T0), 'base64url');
    const want = createHash('sha256').update(secret).update(raw.subarray(0, 16)).update(realm, 'utf8').digest().subarray(0, 16);
    assert.deepEqual(raw.subarray(16), want, realm);
  }
});
