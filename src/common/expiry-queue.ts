/**
 * Entries that expire a fixed time after they are added, many at once
 * (transactions lingering in a waiting state, ended dialogs' keys). Every
 * entry of one duration expires in the order it was added, so one FIFO per
 * duration and one clock timer armed at the earliest head replace a timer
 * per entry: no Node timer, closure and context each for 32 s, and nothing
 * for the garbage collector to trace but the entries themselves.
 */
import type { Clock, TimerHandle } from './clock.ts';

interface Fifo<T> {
  items: T[];
  head: number;
}

export class ExpiryQueue<T extends { readonly expires: number }> {
  readonly #clock: Clock;
  readonly #onExpire: (entry: T) => void;
  readonly #fifos = new Map<number, Fifo<T>>();
  #timer: TimerHandle | undefined;
  #armedFor = Infinity;

  constructor(clock: Clock, onExpire: (entry: T) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** `entry.expires` must be now + durationMs: entries of one duration then expire in the order added. */
  add(entry: T, durationMs: number): void {
    let fifo = this.#fifos.get(durationMs);
    if (fifo === undefined) {
      fifo = { items: [], head: 0 };
      this.#fifos.set(durationMs, fifo);
    }
    fifo.items.push(entry);
    if (entry.expires < this.#armedFor) this.#arm(entry.expires);
  }

  /** Drop every entry and the timer (the owner is closing). */
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
      while (h < items.length && (items[h] as T).expires <= now) this.#onExpire(items[h++] as T);
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
