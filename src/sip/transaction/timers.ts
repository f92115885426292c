/**
 * SIP transaction timers (RFC 3261 §17 and Appendix A; RFC 6026 §8.4 for L
 * and M), derived once from the per-stack T1/T2/T4 into a frozen value
 * (STYLE G3: never module globals, so tests can shorten T1).
 *
 * Retransmission timers (A, E, G) hold their *initial* interval; the machines
 * double them. Wait timers D, I, J and K are zero on reliable transports
 * (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2): use `timerDuration`.
 * Leaves out Timer C (proxy INVITE timer, §16.6): belfry is a B2BUA.
 */

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

export interface SipTimerBase {
  /** RTT estimate, default 500 ms. */
  readonly T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly T2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  readonly T4: number;
}

export interface SipTimers extends SipTimerBase {
  /** INVITE request retransmit, initial interval (doubles without cap). */
  readonly A: number;
  /** INVITE transaction timeout, 64·T1. */
  readonly B: number;
  /** Wait for response retransmits (UDP): at least 32 s. */
  readonly D: number;
  /** Non-INVITE request retransmit, initial interval (doubles up to T2). */
  readonly E: number;
  /** Non-INVITE transaction timeout, 64·T1. */
  readonly F: number;
  /** INVITE final response retransmit, initial interval (doubles up to T2). */
  readonly G: number;
  /** Wait time for ACK receipt, 64·T1. */
  readonly H: number;
  /** Wait time for ACK retransmits (UDP), T4. */
  readonly I: number;
  /** Wait time for non-INVITE request retransmits (UDP), 64·T1. */
  readonly J: number;
  /** Wait time for response retransmits (UDP), T4. */
  readonly K: number;
  /** RFC 6026: INVITE server Accepted state, 64·T1. */
  readonly L: number;
  /** RFC 6026: INVITE client Accepted state, 64·T1. */
  readonly M: number;
}

export const DEFAULT_TIMER_BASE: SipTimerBase = Object.freeze({ T1: 500, T2: 4000, T4: 5000 });

export function createSipTimers(base: Partial<SipTimerBase> = {}): SipTimers {
  const T1 = base.T1 ?? DEFAULT_TIMER_BASE.T1;
  const T2 = base.T2 ?? DEFAULT_TIMER_BASE.T2;
  const T4 = base.T4 ?? DEFAULT_TIMER_BASE.T4;
  for (const [name, v] of [['T1', T1], ['T2', T2], ['T4', T4]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`SIP timer ${name} must be a positive number of ms, got ${v}`);
  }
  if (T2 < T1) throw new RangeError(`SIP timer T2 (${T2}) must not be below T1 (${T1})`);
  const sixtyFour = 64 * T1;
  return Object.freeze({
    T1,
    T2,
    T4,
    A: T1,
    B: sixtyFour,
    // §17.1.1.2: "greater than 32 seconds for unreliable transports"; a
    // stretched T1 must not make D shorter than the B window either.
    D: Math.max(32_000, sixtyFour),
    E: T1,
    F: sixtyFour,
    G: T1,
    H: sixtyFour,
    I: T4,
    J: sixtyFour,
    K: T4,
    L: sixtyFour,
    M: sixtyFour,
  });
}

/** The duration of a timer on a given transport: D, I, J and K are 0 when reliable. */
export function timerDuration(timers: SipTimers, name: TimerName, reliable: boolean): number {
  if (reliable && (name === 'D' || name === 'I' || name === 'J' || name === 'K')) return 0;
  return timers[name];
}

/** Next retransmit interval: A doubles without bound; E and G are capped at T2. */
export function nextInterval(timers: SipTimers, name: 'A' | 'E' | 'G', current: number): number {
  return name === 'A' ? current * 2 : Math.min(current * 2, timers.T2);
}
