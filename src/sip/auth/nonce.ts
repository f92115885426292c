/**
 * Stateless nonces (RFC 7616 §3.3, §5.5) and the bounded nonce-count table
 * that rejects replays (RFC 7616 §3.4, nc "MUST" increase; §5.5).
 *
 * A nonce is base64url(ts ‖ salt ‖ HMAC-SHA256(secret, ts ‖ salt ‖ realm)),
 * ts = 8-byte big-endian wall-clock ms at issue, salt = 8 random bytes.
 * Any server holding the secret can check it without remembering it; it is
 * bound to the realm and its age is readable, so an authentic but old nonce
 * turns into `stale=true` rather than a failure.
 *
 * The salt is an addition to the plain ts ‖ MAC design: without it two
 * phones challenged in the same millisecond get the same nonce, and the
 * nonce-count table would reject the second phone's nc=1 as a replay.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const TS_BYTES = 8;
const SALT_BYTES = 8;
const MAC_BYTES = 32;
const NONCE_BYTES = TS_BYTES + SALT_BYTES + MAC_BYTES;
/** A nonce stamped this far in the future is still accepted (clock steps between cluster nodes). */
const FUTURE_SKEW_MS = 5_000;

export type NonceCheck = { readonly kind: 'fresh'; readonly issuedAt: number } | { readonly kind: 'expired'; readonly issuedAt: number } | { readonly kind: 'invalid' };

export class NonceIssuer {
  readonly #secret: Buffer;
  readonly #lifetimeMs: number;
  readonly #random: (n: number) => Buffer;

  constructor(secret: Buffer, lifetimeMs: number, random: (n: number) => Buffer) {
    this.#secret = secret;
    this.#lifetimeMs = lifetimeMs;
    this.#random = random;
  }

  #mac(head: Buffer, realm: string): Buffer {
    return createHmac('sha256', this.#secret).update(head).update(realm, 'utf8').digest();
  }

  issue(realm: string, now: number): string {
    const head = Buffer.alloc(TS_BYTES + SALT_BYTES);
    head.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(now))), 0);
    this.#random(SALT_BYTES).copy(head, TS_BYTES, 0, SALT_BYTES);
    return Buffer.concat([head, this.#mac(head, realm)]).toString('base64url');
  }

  check(nonce: string, realm: string, now: number): NonceCheck {
    // 48 bytes → exactly 64 base64url characters; reject anything else before decoding.
    if (nonce.length !== 64 || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { kind: 'invalid' };
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return { kind: 'invalid' };
    const head = raw.subarray(0, TS_BYTES + SALT_BYTES);
    if (!timingSafeEqual(raw.subarray(TS_BYTES + SALT_BYTES), this.#mac(head, realm))) return { kind: 'invalid' };
    const issuedAt = Number(raw.readBigUInt64BE(0));
    if (issuedAt > now + FUTURE_SKEW_MS) return { kind: 'invalid' };
    return now - issuedAt > this.#lifetimeMs ? { kind: 'expired', issuedAt } : { kind: 'fresh', issuedAt };
  }
}

/**
 * nonce → highest nonce-count accepted, least recently used evicted first.
 *
 * Eviction must not reopen a replay window: we remember the newest issue
 * time among evicted nonces, and a nonce not in the table that was issued
 * at or before it is reported as `evicted` (the verifier answers stale,
 * so the phone simply fetches a fresh nonce).
 */
export class NonceCountTable {
  readonly #max: number;
  readonly #seen = new Map<string, { nc: number; issuedAt: number }>();
  #evictedHighWater = -1;

  constructor(maxEntries: number) {
    this.#max = Math.max(1, maxEntries);
  }

  /** Would nc be accepted for this nonce? Does not record. */
  check(nonce: string, issuedAt: number, nc: number): 'ok' | 'replay' | 'evicted' {
    const e = this.#seen.get(nonce);
    if (e === undefined) return issuedAt <= this.#evictedHighWater ? 'evicted' : 'ok';
    return nc > e.nc ? 'ok' : 'replay';
  }

  /** Record an accepted nc (call only after the digest verified). */
  record(nonce: string, issuedAt: number, nc: number): void {
    this.#seen.delete(nonce);
    this.#seen.set(nonce, { nc, issuedAt });
    while (this.#seen.size > this.#max) {
      const oldest = this.#seen.entries().next();
      if (oldest.done) break;
      this.#seen.delete(oldest.value[0]);
      this.#evictedHighWater = Math.max(this.#evictedHighWater, oldest.value[1].issuedAt);
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}
