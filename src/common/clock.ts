/**
 * Time is injected (STYLE G3): protocol code reads time and sets timers only
 * through a Clock, so tests can drive it with ManualClock.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (for Date headers, CDRs, schedules). */
  wallNow(): number;
  setTimer(ms: number, callback: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(ms, callback) {
    const t = setTimeout(callback, ms);
    // Timers must never keep a process alive on shutdown.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; timers fire in (time, creation) order. */
export class ManualClock implements Clock {
  #now: number;
  #wallOffset: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  constructor(start = 0, wallStart = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = start;
    this.#wallOffset = wallStart - start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#now + this.#wallOffset;
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still pending (not cancelled, not fired). */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Advance time by ms, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      let next: PendingTimer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.#now = next.at;
      next.cancelled = true;
      next.callback();
    }
    this.#now = target;
  }
}
