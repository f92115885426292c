/**
 * Bounded rate limiting for untrusted sources: a token bucket per key with a
 * hard cap on the number of keys, so an attacker rotating source addresses
 * cannot grow memory without bound (oldest keys are evicted first).
 */
import { FifoMap } from './fifo-map.ts';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  readonly ratePerSec: number;
  /** Bucket size (burst). */
  readonly burst: number;
  /** Maximum distinct keys tracked. */
  readonly maxKeys: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class KeyedTokenBucket {
  readonly #opts: TokenBucketOptions;
  readonly #buckets = new FifoMap<string, Bucket>();

  constructor(opts: TokenBucketOptions) {
    this.#opts = opts;
  }

  /** Take one token for key at monotonic time nowMs; false when over the limit. */
  take(key: string, nowMs: number): boolean {
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#opts.maxKeys) this.#buckets.shift();
      b = { tokens: this.#opts.burst, last: nowMs };
      this.#buckets.set(key, b);
    } else {
      const refill = ((nowMs - b.last) / 1000) * this.#opts.ratePerSec;
      b.tokens = Math.min(this.#opts.burst, b.tokens + refill);
      b.last = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/**
 * Lets one log line per key through per interval and counts the rest, so a
 * flood of bad packets produces a bounded number of log lines (STYLE G5).
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #last = new FifoMap<string, { at: number; suppressed: number }>();

  constructor(intervalMs = 10_000, maxKeys = 10_000) {
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }

  /** Returns the number of suppressed events since the last pass, or -1 to suppress this one. */
  pass(key: string, nowMs: number): number {
    const e = this.#last.get(key);
    if (e === undefined) {
      if (this.#last.size >= this.#maxKeys) this.#last.shift();
      this.#last.set(key, { at: nowMs, suppressed: 0 });
      return 0;
    }
    if (nowMs - e.at >= this.#intervalMs) {
      const s = e.suppressed;
      e.at = nowMs;
      e.suppressed = 0;
      return s;
    }
    e.suppressed++;
    return -1;
  }
}
