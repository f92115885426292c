/**
 * Identity is injected (STYLE G3). Tags, branches and Call-IDs come from
 * crypto so they are unguessable and collision-free in practice (RFC 3261
 * §19.3 asks for at least 32 bits of randomness in tags; we use 64+).
 */
import { randomBytes, randomInt } from 'node:crypto';

export interface Ids {
  tag(): string;
  /** A Via branch with the RFC 3261 magic cookie (§8.1.1.7). */
  branch(): string;
  callId(): string;
  ssrc(): number;
  /** Initial RTP sequence number (RFC 3550 §5.1: random). */
  rtpSeq(): number;
  token(bytes?: number): string;
}

/** Buffered randomness: one randomBytes call serves many ids. */
class RandomPool {
  #buf = Buffer.alloc(0);
  #off = 0;
  take(n: number): Buffer {
    if (this.#off + n > this.#buf.length) {
      this.#buf = randomBytes(Math.max(4096, n));
      this.#off = 0;
    }
    const out = this.#buf.subarray(this.#off, this.#off + n);
    this.#off += n;
    return out;
  }
}

export function cryptoIds(): Ids {
  const pool = new RandomPool();
  const hex = (n: number) => pool.take(n).toString('hex');
  return {
    tag: () => hex(8),
    branch: () => 'z9hG4bK' + hex(10),
    callId: () => hex(16),
    ssrc: () => pool.take(4).readUInt32BE(0),
    rtpSeq: () => randomInt(0, 65536),
    token: (bytes = 16) => hex(bytes),
  };
}

/** Deterministic ids for unit tests. */
export function sequentialIds(prefix = 't'): Ids {
  let n = 0;
  const next = () => `${prefix}${++n}`;
  return {
    tag: next,
    branch: () => 'z9hG4bK' + next(),
    callId: next,
    ssrc: () => 0x10000000 + ++n,
    rtpSeq: () => (++n * 1000) & 0xffff,
    token: next,
  };
}

/**
 * A random-bytes source that draws from crypto in 4 KiB blocks: per-request
 * randomness (nonce salts, cnonces) without a system call each time.
 */
export function pooledRandomBytes(): (n: number) => Buffer {
  const pool = new RandomPool();
  return (n) => Buffer.from(pool.take(n));
}
