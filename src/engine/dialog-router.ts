/**
 * Routes in-dialog requests and ACKs to the leg that owns the dialog
 * (RFC 3261 §12.2.2: matched by Call-ID, local tag = To tag, remote tag =
 * From tag). Requests with a To tag that match nothing get 481 (§12.2.2).
 */
import { systemClock, type Clock, type TimerHandle } from '../common/index.ts';
import { createResponse, dialogKey, type DialogRouting, type DialogTarget, type Flow, type ServerTransactionHandle, type SipRequest } from '../sip/index.ts';

export class DialogRouter implements DialogRouting {
  readonly #targets = new Map<string, DialogTarget>();
  readonly #clock: Clock;
  /**
   * Retired keys in the order retired, with when to forget them; one clock
   * timer armed for the oldest. Legs retire with the same delay (64·T1), so
   * the order is also the expiry order; an entry due earlier than the one
   * before it waits for it (a few ms late at most, never lost).
   */
  #retired: Array<{ readonly keys: readonly string[]; readonly target: DialogTarget; readonly at: number }> = [];
  #head = 0;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  retire(keys: readonly string[], target: DialogTarget, afterMs: number): void {
    for (const k of keys) this.#targets.set(k, target);
    this.#retired.push({ keys, target, at: this.#clock.now() + afterMs });
    this.#arm();
  }

  /** Keys waiting in the retired queue (tests, metrics). */
  get retiring(): number {
    return this.#retired.length - this.#head;
  }

  #arm(): void {
    const first = this.#retired[this.#head];
    if (this.#timer !== undefined || first === undefined) return;
    this.#timer = this.#clock.setTimer(Math.max(0, first.at - this.#clock.now()), () => {
      this.#timer = undefined;
      this.#expire();
    });
  }

  #expire(): void {
    const now = this.#clock.now();
    for (let e = this.#retired[this.#head]; e !== undefined && e.at <= now; e = this.#retired[this.#head]) {
      // Only if still retired: a key registered again since belongs to someone else.
      for (const k of e.keys) if (this.#targets.get(k) === e.target) this.#targets.delete(k);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#retired.length) {
      this.#retired = this.#retired.slice(this.#head);
      this.#head = 0;
    }
    this.#arm();
  }

  register(key: string, target: DialogTarget): void {
    this.#targets.set(key, target);
  }

  unregister(key: string): void {
    this.#targets.delete(key);
  }

  get size(): number {
    return this.#targets.size;
  }

  #keyOf(req: SipRequest): string | undefined {
    const localTag = req.to.tag;
    if (localTag === undefined) return undefined;
    return dialogKey({ callId: req.callId, localTag, remoteTag: req.from.tag ?? '' });
  }

  /** True when the request was in a known dialog (and has been handed to its leg). */
  dispatchRequest(tx: ServerTransactionHandle): boolean {
    const key = this.#keyOf(tx.request);
    if (key === undefined) return false;
    const t = this.#targets.get(key);
    if (t === undefined) {
      tx.respond(createResponse(tx.request, 481));
      return true;
    }
    t.onRequest(tx);
    return true;
  }

  dispatchAck(ack: SipRequest, flow: Flow): void {
    const key = this.#keyOf(ack);
    if (key === undefined) return;
    this.#targets.get(key)?.onAck(ack, flow);
  }
}
