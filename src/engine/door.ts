/**
 * Security at the door (issue 3 point 3), per source IP:
 *  - failed authentications: N failures within T seconds block the address
 *    for B seconds (logged once per block, like fail2ban on Asterisk logs);
 *  - request rate: like Kamailio's pike module, more than R requests per
 *    second (with a burst allowance) blocks the address for B seconds.
 * A blocked address's requests are dropped silently: answering a scanner only
 * tells it we exist. Memory is bounded: every table has a key cap.
 * Pure apart from the injected clock reading (`now` passed in).
 */
import { FifoMap, KeyedTokenBucket } from '../common/index.ts';

export interface DoorPolicy {
  readonly authFailures: number;
  readonly authWindowS: number;
  readonly blockS: number;
  readonly requestsPerSec: number;
  readonly requestBurst: number;
  readonly maxTrackedAddresses: number;
  /** Addresses never blocked (trunks, monitoring); exact IPs. */
  readonly exempt: ReadonlySet<string>;
}

export const DEFAULT_DOOR_POLICY: DoorPolicy = Object.freeze({
  authFailures: 5,
  authWindowS: 60,
  blockS: 300,
  requestsPerSec: 200,
  requestBurst: 400,
  maxTrackedAddresses: 50_000,
  exempt: new Set<string>(),
});

export type DoorVerdict = 'pass' | 'blocked';

export interface BlockEvent {
  readonly address: string;
  readonly reason: 'auth-failures' | 'request-rate';
  readonly untilMs: number;
}

export class Door {
  readonly #policy: DoorPolicy;
  // Oldest first; FifoMap because evicting at the cap must not walk a Map's deleted slots (a spoofed-source flood keeps them at the cap).
  readonly #failures = new FifoMap<string, number[]>();
  readonly #blocked = new FifoMap<string, number>();
  readonly #rate: KeyedTokenBucket;
  readonly #onBlock: (e: BlockEvent) => void;

  constructor(policy: DoorPolicy, onBlock: (e: BlockEvent) => void) {
    this.#policy = policy;
    this.#onBlock = onBlock;
    this.#rate = new KeyedTokenBucket({ ratePerSec: policy.requestsPerSec, burst: policy.requestBurst, maxKeys: policy.maxTrackedAddresses });
  }

  /** Called for every incoming request before any work is done on it. */
  admit(address: string, nowMs: number): DoorVerdict {
    if (this.#policy.exempt.has(address)) return 'pass';
    const until = this.#blocked.get(address);
    if (until !== undefined) {
      if (nowMs < until) return 'blocked';
      this.#blocked.delete(address);
    }
    if (!this.#rate.take(address, nowMs)) {
      this.#block(address, 'request-rate', nowMs);
      return 'blocked';
    }
    return 'pass';
  }

  isBlocked(address: string, nowMs: number): boolean {
    const until = this.#blocked.get(address);
    return until !== undefined && nowMs < until;
  }

  /** A digest verification failed (wrong password or unknown user: the same thing here). */
  authFailed(address: string, nowMs: number): void {
    if (this.#policy.exempt.has(address)) return;
    const windowStart = nowMs - this.#policy.authWindowS * 1000;
    let list = this.#failures.get(address);
    if (list === undefined) {
      if (this.#failures.size >= this.#policy.maxTrackedAddresses) this.#failures.shift();
      list = [];
      this.#failures.set(address, list);
    }
    while (list.length > 0 && (list[0] ?? 0) < windowStart) list.shift();
    list.push(nowMs);
    if (list.length >= this.#policy.authFailures) {
      this.#failures.delete(address);
      this.#block(address, 'auth-failures', nowMs);
    }
  }

  /** A successful authentication clears the failure history of the address. */
  authSucceeded(address: string): void {
    this.#failures.delete(address);
  }

  get blockedCount(): number {
    return this.#blocked.size;
  }

  #block(address: string, reason: BlockEvent['reason'], nowMs: number): void {
    if (this.#blocked.has(address)) return;
    if (this.#blocked.size >= this.#policy.maxTrackedAddresses) this.#blocked.shift();
    const untilMs = nowMs + this.#policy.blockS * 1000;
    this.#blocked.set(address, untilMs);
    this.#onBlock({ address, reason, untilMs });
  }
}
