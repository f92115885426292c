/**
 * What both kinds of leg do once a dialog exists: answer in-dialog requests
 * (RFC 3261 §12.2.2, with the 500 for an out-of-order CSeq), send in-dialog
 * requests (§12.2.1.1) and ACK their 2xx (§13.2.2.4), retransmit our own 2xx
 * to an INVITE until its ACK (§13.3.1.4: T1 doubling to T2, give up after
 * 64·T1 and send BYE), and end with BYE.
 *
 * This is the driver level of the leg (STYLE G1 puts the pure machines
 * below it: dialog.ts and the transaction machines); it owns timers through
 * the injected clock only.
 */
import type { TimerHandle } from '../../common/index.ts';
import { buildRequest, createResponse } from '../message/index.ts';
import type { HeaderField, SipRequest, SipResponse } from '../message/message-types.ts';
import type { Dialog, RequestDraft } from '../dialog/dialog.ts';
import { buildKnownRequest } from '../message/build-known.ts';
import type { Flow } from '../transport/transport-types.ts';
import type { ServerTransactionHandle } from '../transaction/layer-types.ts';
import type { BodyWithType, DialogTarget, InDialogRequest, LegContext, LegEvent, LegListener } from './leg-types.ts';

export interface SentRequestResult {
  readonly response: SipResponse;
}

/** The routing entry of an ended leg: what #onInDialogRequest and #onAck do once #ended is set. */
const ENDED_LEG: DialogTarget = {
  onRequest: (tx) => tx.respond(createResponse(tx.request, 481)),
  onAck: () => {},
};

export abstract class DialogLeg {
  protected readonly ctx: LegContext;
  readonly flow: Flow;
  protected dialog: Dialog | undefined;
  #listeners: LegListener[] = [];
  #ended = false;
  /** Our 2xx responses to INVITEs waiting for their ACK, by CSeq number. */
  #awaitingAck = new Map<number, { timer: TimerHandle; give: TimerHandle }>();
  #registeredKeys = new Set<string>();

  protected constructor(ctx: LegContext, flow: Flow) {
    this.ctx = ctx;
    this.flow = flow;
  }

  on(listener: LegListener): void {
    this.#listeners.push(listener);
  }

  /** Stop reporting to `listener` (an owner that is done with the leg lets go of it). */
  off(listener: LegListener): void {
    // A new array: an emit in progress keeps iterating the old one.
    this.#listeners = this.#listeners.filter((l) => l !== listener);
  }

  get ended(): boolean {
    return this.#ended;
  }

  get callId(): string | undefined {
    return this.dialog?.id.callId;
  }

  /** The dialog's identity (Call-ID, our tag, the peer's tag), once there is a dialog (RFC 3891 matching). */
  get dialogId(): { readonly callId: string; readonly localTag: string; readonly remoteTag: string } | undefined {
    return this.dialog?.id;
  }

  protected emit(e: LegEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        // G9: a listener's exception must not break the leg; log with the call-id.
        this.ctx.log.error({ err, callId: this.callId, event: e.kind }, 'leg listener threw');
      }
    }
  }

  protected attachDialog(d: Dialog): void {
    this.dialog = d;
    if (!this.#registeredKeys.has(d.key)) {
      this.#registeredKeys.add(d.key);
      this.ctx.routing.register(d.key, { onRequest: (tx) => this.#onInDialogRequest(tx), onAck: (ack) => this.#onAck(ack) });
    }
  }

  /** Responds to a request with a 2xx that must be retransmitted until ACKed (INVITE only). */
  protected sendReliable2xx(tx: ServerTransactionHandle, response: SipResponse): void {
    tx.respond(response);
    const seq = response.cseq.seq;
    const t = this.ctx.timers;
    let interval = t.T1;
    const resend = (): void => {
      if (!this.#awaitingAck.has(seq)) return;
      // A 2xx through a finished INVITE transaction goes out statelessly (RFC 6026 §7.1).
      tx.respond(response);
      interval = Math.min(interval * 2, t.T2);
      const entry = this.#awaitingAck.get(seq);
      if (entry) entry.timer = this.ctx.clock.setTimer(interval, resend);
    };
    const give = this.ctx.clock.setTimer(64 * t.T1, () => {
      const e = this.#awaitingAck.get(seq);
      if (!e) return;
      e.timer.cancel();
      this.#awaitingAck.delete(seq);
      this.ctx.log.warn({ callId: this.callId }, 'no ACK for our 2xx within 64*T1: sending BYE (RFC 3261 §13.3.1.4)');
      this.emit({ kind: 'ack-timeout' });
      this.hangup();
    });
    this.#awaitingAck.set(seq, { timer: this.ctx.clock.setTimer(interval, resend), give });
  }

  #onAck(ack: SipRequest): void {
    const e = this.#awaitingAck.get(ack.cseq.seq);
    if (e === undefined) return; // retransmitted ACK: nothing to do
    e.timer.cancel();
    e.give.cancel();
    this.#awaitingAck.delete(ack.cseq.seq);
    this.onAckReceived(ack);
  }

  /** Hook for the UAS leg: the ACK for the initial 2xx confirms the call. */
  protected onAckReceived(_ack: SipRequest): void {}

  #onInDialogRequest(tx: ServerTransactionHandle): void {
    const req = tx.request;
    const d = this.dialog;
    if (d === undefined || this.#ended) {
      tx.respond(createResponse(req, 481));
      return;
    }
    if (d.onRequest(req) === 'out-of-order') {
      // §12.2.2: "If the remote sequence number was not empty, but the sequence
      // number of the request is lower than the remote sequence number, the
      // request is out of order and MUST be rejected with a 500".
      tx.respond(createResponse(req, 500, 'Out of Order CSeq'));
      return;
    }
    if (req.method === 'BYE') {
      tx.respond(createResponse(req, 200));
      // End first: a listener that reacts to 'bye' (the B2BUA hanging up the
      // other legs) must already see this leg as ended, or it sends a BYE of
      // its own into the dialog the peer just closed (answered 481).
      this.end();
      this.emit({ kind: 'bye', request: req });
      return;
    }
    const inDialog: InDialogRequest = {
      request: req,
      respond: (status, opts = {}) => {
        const headers: HeaderField[] = [...(opts.headers ?? [])];
        if (status >= 200 && status < 300 && (req.method === 'INVITE' || req.method === 'UPDATE' || req.method === 'SUBSCRIBE')) {
          headers.push({ name: 'contact', value: this.ctx.contact(this.flow) });
        }
        if (opts.body) headers.push({ name: 'content-type', value: opts.body.contentType });
        const response = createResponse(req, status, opts.reason, { headers, body: opts.body?.body });
        if (req.method === 'INVITE' && status >= 200 && status < 300) this.sendReliable2xx(tx, response);
        else tx.respond(response);
      },
    };
    this.emit({ kind: 'request', req: inDialog });
  }

  /** Builds and sends an in-dialog request; resolves with the final response (ACKing a 2xx to INVITE). */
  request(method: string, opts: { body?: BodyWithType; headers?: readonly HeaderField[] } = {}): Promise<SipResponse> {
    const d = this.dialog;
    if (d === undefined) return Promise.reject(new Error(`${method}: leg has no dialog`));
    const refresh = method === 'INVITE' || method === 'UPDATE';
    const draft = d.nextRequest(method, {
      contact: refresh ? this.ctx.contact(this.flow) : undefined,
      body: opts.body?.body,
      contentType: opts.body?.contentType,
      extraHeaders: opts.headers,
    });
    const request = this.buildDraft(draft);
    return new Promise((resolve) => {
      let done = false;
      this.ctx.transactions.sendRequest(request, this.flow, (response) => {
        if (response.status < 200) return;
        if (method === 'INVITE' && response.status < 300) {
          // §13.2.2.4: the UAC core ACKs every 2xx (retransmissions included).
          d.onSuccessResponse(response);
          this.#sendAckFor(request, response);
        }
        if (!done) {
          done = true;
          resolve(response);
        }
      });
    });
  }

  protected ackDraft(invite: SipRequest, body?: BodyWithType): SipRequest {
    const d = this.dialog;
    if (d === undefined) throw new Error('ACK without a dialog');
    const draft = d.nextRequest('ACK', { cseq: invite.cseq.seq, body: body?.body, contentType: body?.contentType });
    return this.buildDraft(draft);
  }

  /** The dialog's draft with a new top Via for our flow; its From/To/Request-URI are not parsed again. */
  protected buildDraft(draft: RequestDraft): SipRequest {
    const via = this.ctx.via(this.flow, this.ctx.ids.branch());
    if (draft.known !== undefined) return buildKnownRequest(draft, via, draft.known);
    return buildRequest({ ...draft, headers: [{ name: 'via', value: via }, ...draft.headers] });
  }

  #sendAckFor(invite: SipRequest, _response: SipResponse): void {
    this.ctx.transactions.sendAck(this.ackDraft(invite), this.flow);
  }

  /** `body`: the SDP answer when the INVITE carried no offer (late offer, RFC 3261 §13.2.1). */
  protected sendAckForInvite(invite: SipRequest, body?: BodyWithType): void {
    this.ctx.transactions.sendAck(this.ackDraft(invite, body), this.flow);
  }

  /** Send BYE (if there is a confirmed dialog) and end the leg. Idempotent. */
  hangup(headers: readonly HeaderField[] = []): void {
    if (this.#ended) return;
    const d = this.dialog;
    if (d !== undefined && d.phase === 'confirmed') {
      void this.request('BYE', { headers });
    }
    this.end();
  }

  /** Release everything without signalling (the owner decided, or the peer already hung up). */
  protected end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const e of this.#awaitingAck.values()) {
      e.timer.cancel();
      e.give.cancel();
    }
    this.#awaitingAck.clear();
    if (this.dialog) this.dialog.phase = 'terminated';
    // Keep routing in-dialog retransmissions (a late BYE retransmission must
    // still get its 200 from the transaction layer, which absorbs it); new
    // requests to an ended leg get 481 (§12.2.2), as #onInDialogRequest
    // answers them once the leg has ended. Unregister after 64·T1 so the
    // table does not grow. Neither the entry nor the timer refers to the leg:
    // held for 64·T1, it would keep the whole call (its listeners, messages,
    // the other legs) alive through many scavenges.
    const keys = [...this.#registeredKeys];
    const routing = this.ctx.routing;
    if (routing.retire !== undefined) {
      // One expiry queue in the router instead of a timer per leg (two per call).
      routing.retire(keys, ENDED_LEG, 64 * this.ctx.timers.T1);
    } else {
      for (const k of keys) routing.register(k, ENDED_LEG);
      this.ctx.clock.setTimer(64 * this.ctx.timers.T1, () => {
        for (const k of keys) routing.unregister(k);
      });
    }
    this.emit({ kind: 'ended' });
  }
}
