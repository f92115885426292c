/**
 * Routes in-dialog requests and ACKs to the leg that owns the dialog
 * (RFC 3261 §12.2.2: matched by Call-ID, local tag = To tag, remote tag =
 * From tag). Requests with a To tag that match nothing get 481 (§12.2.2).
 */
import { ExpiryQueue, systemClock, type Clock } from '../common/index.ts';
import { createResponse, dialogKey, type DialogRouting, type DialogTarget, type Flow, type ServerTransactionHandle, type SipRequest } from '../sip/index.ts';

interface Retired {
  readonly keys: readonly string[];
  readonly target: DialogTarget;
  readonly expires: number;
}

export class DialogRouter implements DialogRouting {
  readonly #targets = new Map<string, DialogTarget>();
  /** Ended legs' keys, forgotten when their delay is over (one queue, one timer). */
  readonly #retired: ExpiryQueue<Retired>;
  readonly #clock: Clock;
  #retiring = 0;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
    this.#retired = new ExpiryQueue<Retired>(clock, (e) => {
      this.#retiring--;
      // Only if still retired: a key registered again since belongs to someone else.
      for (const k of e.keys) if (this.#targets.get(k) === e.target) this.#targets.delete(k);
    });
  }

  retire(keys: readonly string[], target: DialogTarget, afterMs: number): void {
    for (const k of keys) this.#targets.set(k, target);
    this.#retiring++;
    this.#retired.add({ keys, target, expires: this.#clock.now() + afterMs }, afterMs);
  }

  /** Retirements not yet over (tests, metrics). */
  get retiring(): number {
    return this.#retiring;
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
