/**
 * Compact stand-ins for transactions that only wait. After its final
 * response a transaction lingers to absorb retransmissions (RFC 3261 §17:
 * Timer D 32 s, I = T4, J = 64·T1, K = T4; RFC 6026 §8.4: L and M = 64·T1).
 * Kept as full records, every call and registration would pin parsed
 * requests and responses, closures and one Node timer each for half a
 * minute: at 1,000 calls/s that is ~100,000 live records in the old
 * generation, which the garbage collector then marks again and again.
 *
 * A Linger keeps only what the waiting state needs: the key, the flow, the
 * bytes to resend (final response for J, ACK for D), or the TU's response
 * handler (M: 2xx retransmissions go to the TU, RFC 6026 §7.2). What each
 * role does with a matching message is the waiting state of the pure machine
 * (non-invite-server.ts Completed, invite-server.ts Confirmed/Accepted,
 * non-invite-client.ts Completed, invite-client.ts Completed/Accepted);
 * layer.ts applies it.
 *
 * Expiry: every wait timer has a fixed duration per layer, so the entries of
 * one duration expire in the order they were added. One FIFO per duration and
 * one clock timer armed at the earliest head replace a timer per
 * transaction. Leaves out: transport-error reports in waiting states (the TU
 * already has its final response; errors are logged by the layer).
 */
import type { Clock, TimerHandle } from '../../common/index.ts';
import type { Flow } from '../transport/index.ts';
import type { ResponseHandler } from './layer-types.ts';
import type { TimerName } from './timers.ts';

export type LingerRole =
  /** non-INVITE server, Completed (J): a retransmitted request gets the final response again. */
  | 'resend-response'
  /** INVITE server, Confirmed (I): ACK and INVITE retransmissions are absorbed. */
  | 'absorb-ack'
  /** INVITE server, Accepted (L): INVITE retransmissions absorbed, ACKs passed to the TU. */
  | 'accepted-server'
  /** non-INVITE client, Completed (K): response retransmissions absorbed. */
  | 'absorb-responses'
  /** INVITE client, Completed (D): a retransmitted non-2xx final response gets the ACK again. */
  | 'resend-ack'
  /** INVITE client, Accepted (M): 2xx retransmissions (and other forks' 2xx) go to the TU. */
  | 'accepted-client';

/** The wait timers whose state becomes a Linger, and the role of each. */
export const LINGER_ROLE: Readonly<Partial<Record<TimerName, LingerRole>>> = {
  J: 'resend-response',
  I: 'absorb-ack',
  L: 'accepted-server',
  K: 'absorb-responses',
  D: 'resend-ack',
  M: 'accepted-client',
};

export class Linger {
  constructor(
    readonly key: string,
    readonly role: LingerRole,
    readonly flow: Flow,
    readonly expires: number,
    /** Final response (resend-response) or ACK (resend-ack) as sent. */
    readonly bytes: Buffer | undefined,
    /** The TU's handler (accepted-client); the TU may hand over a smaller one (ClientTransactionHandle.handOver). */
    public onResponse: ResponseHandler | undefined,
  ) {}
}

interface Fifo {
  items: Linger[];
  head: number;
}

/** FIFOs of lingering entries, one per duration, expired by one clock timer. */
export class LingerQueue {
  readonly #clock: Clock;
  readonly #onExpire: (entry: Linger) => void;
  readonly #fifos = new Map<number, Fifo>();
  #timer: TimerHandle | undefined;
  #armedFor = Infinity;

  constructor(clock: Clock, onExpire: (entry: Linger) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  add(entry: Linger, durationMs: number): void {
    let fifo = this.#fifos.get(durationMs);
    if (fifo === undefined) {
      fifo = { items: [], head: 0 };
      this.#fifos.set(durationMs, fifo);
    }
    fifo.items.push(entry);
    if (entry.expires < this.#armedFor) this.#arm(entry.expires);
  }

  /** Drop every entry and the timer (the layer is closing). */
  clear(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#fifos.clear();
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#armedFor = at;
    this.#timer = this.#clock.setTimer(Math.max(0, at - this.#clock.now()), () => this.#sweep());
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const fifo of this.#fifos.values()) {
      const items = fifo.items;
      let h = fifo.head;
      while (h < items.length && (items[h] as Linger).expires <= now) this.#onExpire(items[h++] as Linger);
      // Drop the expired prefix once it is most of the array (amortised O(1)).
      if (h > 1024 && h * 2 > items.length) {
        fifo.items = items.slice(h);
        h = 0;
      } else if (h === items.length) {
        fifo.items = [];
        h = 0;
      }
      fifo.head = h;
      const first = fifo.items[h];
      if (first !== undefined && first.expires < next) next = first.expires;
    }
    if (next !== Infinity) this.#arm(next);
  }
}
