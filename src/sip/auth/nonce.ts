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
import { flatCopy } from '../../common/index.ts';

const TS_BYTES = 8;
const SALT_BYTES = 8;
const MAC_BYTES = 32;
const NONCE_BYTES = TS_BYTES + SALT_BYTES + MAC_BYTES;
/** base64url without padding: 48 bytes → 64 characters. */
const NONCE_CHARS = 64;
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
    if (nonce.length !== NONCE_CHARS || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { kind: 'invalid' };
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
 *
 * Memory (issue 3, ≤ 2 KB per registration): every registered phone leaves
 * one entry. An entry is keyed by the nonce's first 22 characters, which
 * encode its issue time and salt (unique per nonce; only nonces whose MAC
 * verified get here) as a flat string of their own — the nonce as parsed is
 * a slice of the REGISTER and would keep the whole message alive — and its
 * value is the count alone, a small integer V8 stores without an object. The
 * issue time of an evicted entry is read back from its key.
 */
export class NonceCountTable {
  readonly #max: number;
  readonly #seen = new Map<string, number>();
  #evictedHighWater = -1;

  constructor(maxEntries: number) {
    this.#max = Math.max(1, maxEntries);
  }

  /** Would nc be accepted for this nonce? Does not record. */
  check(nonce: string, issuedAt: number, nc: number): 'ok' | 'replay' | 'evicted' {
    const last = this.#seen.get(keyOf(nonce));
    if (last === undefined) return issuedAt <= this.#evictedHighWater ? 'evicted' : 'ok';
    return nc > last ? 'ok' : 'replay';
  }

  /** Record an accepted nc (call only after the digest verified). */
  record(nonce: string, issuedAt: number, nc: number): void {
    const key = keyOf(nonce);
    if (this.#seen.delete(key)) this.#seen.set(key, nc);
    else this.#seen.set(flatCopy(key), nc);
    while (this.#seen.size > this.#max) {
      const oldest = this.#seen.keys().next();
      if (oldest.done) break;
      this.#seen.delete(oldest.value);
      this.#evictedHighWater = Math.max(this.#evictedHighWater, issuedAtOfKey(oldest.value, issuedAt));
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}

/** The characters of a nonce that encode ts ‖ salt (16 bytes → 22 base64url characters). */
const KEY_CHARS = 22;
const keyOf = (nonce: string): string => (nonce.length === NONCE_CHARS ? nonce.slice(0, KEY_CHARS) : nonce);

/** The issue time a table key encodes; `fallback` for a key that is not a nonce prefix of ours. */
function issuedAtOfKey(key: string, fallback: number): number {
  if (key.length !== KEY_CHARS) return fallback;
  const raw = Buffer.from(key, 'base64url');
  return raw.length >= TS_BYTES ? Number(raw.readBigUInt64BE(0)) : fallback;
}
