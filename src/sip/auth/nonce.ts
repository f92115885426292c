/**
 * Stateless nonces (RFC 7616 §3.3, §5.5) and the bounded nonce-count table
 * that rejects replays (RFC 7616 §3.4, nc "MUST" increase; §5.5).
 *
 * A nonce is base64url(ts ‖ salt ‖ MAC), 43 characters, where ts = 8-byte
 * big-endian wall-clock ms at issue, salt = 8 random bytes and
 * MAC = the first 16 bytes of SHA-256(secret ‖ ts ‖ salt ‖ realm).
 * Any server holding the secret can check it without remembering it; it is
 * bound to the realm and its age is readable, so an authentic but old nonce
 * turns into `stale=true` rather than a failure.
 *
 * Why not HMAC: in Node 20 (OpenSSL 3) every createHmac pays an algorithm
 * fetch and key schedule, 7 % of belfry's CPU in the registrar bench (perf,
 * HmacInit), for two MACs per registration. A secret-prefix SHA-256 is one
 * plain hash. Its known weakness, length extension, forges H(secret ‖ m ‖
 * pad ‖ x) from H(secret ‖ m); it does not apply here because the MAC is
 * truncated to 128 bits (the attacker never sees the full hash state to
 * extend, RFC 2104 §5 discussion of truncation / NIST SP 800-107 §5.3.3) and
 * the message has a fixed shape (16 bytes chosen by the nonce, then our own
 * realm), so no longer message is ever checked.
 *
 * The salt is an addition to the plain ts ‖ MAC design: without it two
 * phones challenged in the same millisecond get the same nonce, and the
 * nonce-count table would reject the second phone's nc=1 as a replay.
 */
import { timingSafeEqual } from 'node:crypto';
import { FifoMap, flatCopy } from '../../common/index.ts';
import { sha256 } from './digest.ts';

const TS_BYTES = 8;
const SALT_BYTES = 8;
const HEAD_BYTES = TS_BYTES + SALT_BYTES;
const MAC_BYTES = 16;
const NONCE_BYTES = HEAD_BYTES + MAC_BYTES;
/** base64url without padding: 32 bytes → 43 characters. */
const NONCE_CHARS = 43;
const NONCE_RE = /^[A-Za-z0-9_-]{43}$/;
/** A nonce stamped this far in the future is still accepted (clock steps between cluster nodes). */
const FUTURE_SKEW_MS = 5_000;
const TWO_32 = 0x1_0000_0000;

export type NonceCheck = { readonly kind: 'fresh'; readonly issuedAt: number } | { readonly kind: 'expired'; readonly issuedAt: number } | { readonly kind: 'invalid' };

/** Nonces issued and not yet answered that check() may accept without hashing (see NonceIssuer). */
const MAX_UNANSWERED = 4096;

export class NonceIssuer {
  readonly #secret: Buffer;
  readonly #lifetimeMs: number;
  readonly #random: (n: number) => Buffer;
  /**
   * nonce → issue time, for the nonces of one realm (the first issued for)
   * not answered yet. The usual phone answers its challenge at once, and that
   * first check is a Map lookup instead of a SHA-256 (a Hash object per call
   * in Node). An entry goes at its first check; FIFO-bounded, so challenges
   * nobody answers (scanners) cost at most MAX_UNANSWERED entries, and an
   * evicted one is still checked by its MAC.
   */
  readonly #unanswered = new FifoMap<string, number>();
  #unansweredRealm: string | undefined;
  /** secret ‖ head ‖ realm of the last realm MAC'd: one buffer hashed in one call, realm bytes written once. */
  #macInput: Buffer = Buffer.alloc(0);
  #macRealm: string | undefined;

  constructor(secret: Buffer, lifetimeMs: number, random: (n: number) => Buffer) {
    this.#secret = secret;
    this.#lifetimeMs = lifetimeMs;
    this.#random = random;
  }

  /** The full 32-byte SHA-256; callers use its first MAC_BYTES. */
  #mac(head: Buffer, realm: string): Buffer {
    if (realm !== this.#macRealm) {
      const r = Buffer.from(realm, 'utf8');
      this.#macInput = Buffer.concat([this.#secret, Buffer.alloc(HEAD_BYTES), r]);
      this.#macRealm = realm;
    }
    head.copy(this.#macInput, this.#secret.length, 0, HEAD_BYTES);
    return sha256(this.#macInput);
  }

  issue(realm: string, now: number): string {
    const raw = Buffer.allocUnsafe(NONCE_BYTES);
    const ts = Math.max(0, Math.floor(now));
    raw.writeUInt32BE(Math.floor(ts / TWO_32) >>> 0, 0);
    raw.writeUInt32BE(ts >>> 0, 4);
    this.#random(SALT_BYTES).copy(raw, TS_BYTES, 0, SALT_BYTES);
    this.#mac(raw.subarray(0, HEAD_BYTES), realm).copy(raw, HEAD_BYTES, 0, MAC_BYTES);
    const nonce = raw.toString('base64url');
    this.#unansweredRealm ??= realm;
    if (realm === this.#unansweredRealm) {
      if (this.#unanswered.size >= MAX_UNANSWERED) this.#unanswered.shift();
      this.#unanswered.set(nonce, ts);
    }
    return nonce;
  }

  /** Entries in the unanswered-nonce memory (for tests and metrics). */
  get unanswered(): number {
    return this.#unanswered.size;
  }

  #age(issuedAt: number, now: number): NonceCheck {
    if (issuedAt > now + FUTURE_SKEW_MS) return { kind: 'invalid' };
    return now - issuedAt > this.#lifetimeMs ? { kind: 'expired', issuedAt } : { kind: 'fresh', issuedAt };
  }

  check(nonce: string, realm: string, now: number): NonceCheck {
    // Exactly 43 base64url characters; reject anything else before decoding.
    if (nonce.length !== NONCE_CHARS || !NONCE_RE.test(nonce)) return { kind: 'invalid' };
    if (realm === this.#unansweredRealm) {
      const issuedAt = this.#unanswered.get(nonce);
      if (issuedAt !== undefined) {
        this.#unanswered.delete(nonce);
        return this.#age(issuedAt, now);
      }
    }
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return { kind: 'invalid' };
    const mac = this.#mac(raw.subarray(0, HEAD_BYTES), realm);
    if (!timingSafeEqual(raw.subarray(HEAD_BYTES), mac.subarray(0, MAC_BYTES))) return { kind: 'invalid' };
    return this.#age(raw.readUInt32BE(0) * TWO_32 + raw.readUInt32BE(4), now);
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
  /** LRU order (FifoMap: evicting at the cap must not walk a Map's deleted slots). */
  readonly #seen = new FifoMap<string, number>();
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
    if (this.#seen.has(key)) this.#seen.touch(key, nc);
    else this.#seen.set(flatCopy(key), nc);
    while (this.#seen.size > this.#max) {
      const oldest = this.#seen.shift();
      if (oldest === undefined) break;
      this.#evictedHighWater = Math.max(this.#evictedHighWater, issuedAtOfKey(oldest, issuedAt));
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
  return raw.length >= TS_BYTES ? raw.readUInt32BE(0) * TWO_32 + raw.readUInt32BE(4) : fallback;
}
