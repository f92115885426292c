/**
 * Routes in-dialog requests and ACKs to the leg that owns the dialog
 * (RFC 3261 §12.2.2: matched by Call-ID, local tag = To tag, remote tag =
 * From tag). Requests with a To tag that match nothing get 481 (§12.2.2).
 */
import { createResponse, dialogKey, type DialogRouting, type DialogTarget, type Flow, type ServerTransactionHandle, type SipRequest } from '../sip/index.ts';

export class DialogRouter implements DialogRouting {
  readonly #targets = new Map<string, DialogTarget>();

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
