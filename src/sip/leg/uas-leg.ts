/**
 * The UAS leg of a B2BUA call: the caller's INVITE, answered by us.
 * Sends provisionals (creating the early dialog), the 2xx (retransmitted
 * until the ACK, §13.3.1.4) or a final failure, handles CANCEL (§9.2:
 * 200 to the CANCEL, 487 to the INVITE), and then behaves as a DialogLeg.
 *
 *   incoming ──18x──► early ──2xx──► answered ──ACK──► confirmed
 *       │               │                                  │
 *       └──3xx–6xx / CANCEL──► ended ◄──────── BYE ────────┘
 */
import { createResponse, withHeader } from '../message/index.ts';
import type { HeaderField, SipRequest, SipResponse } from '../message/message-types.ts';
import { Dialog } from '../dialog/dialog.ts';
import type { ServerTransactionHandle } from '../transaction/layer-types.ts';
import { DialogLeg } from './dialog-leg.ts';
import type { BodyWithType, LegContext } from './leg-types.ts';

export type UasLegState = 'incoming' | 'early' | 'answered' | 'confirmed' | 'ended';

export class UasLeg extends DialogLeg {
  readonly invite: SipRequest;
  readonly tx: ServerTransactionHandle;
  readonly localTag: string;
  #state: UasLegState = 'incoming';

  constructor(ctx: LegContext, tx: ServerTransactionHandle) {
    super(ctx, tx.flow);
    this.tx = tx;
    this.invite = tx.request;
    this.localTag = ctx.ids.tag();
  }

  get state(): UasLegState {
    return this.ended ? 'ended' : this.#state;
  }

  #response(status: number, opts: { reason?: string; body?: BodyWithType; headers?: readonly HeaderField[]; contact?: boolean }): SipResponse {
    const headers: HeaderField[] = [...(opts.headers ?? [])];
    if (opts.contact) headers.push({ name: 'contact', value: this.ctx.contact(this.flow) });
    headers.push({ name: 'server', value: this.ctx.product });
    if (opts.body) headers.push({ name: 'content-type', value: opts.body.contentType });
    return createResponse(this.invite, status, opts.reason, { toTag: this.localTag, headers, body: opts.body?.body });
  }

  /** 180 Ringing / 183 Session Progress (with early-media SDP when given). */
  progress(status: number, opts: { body?: BodyWithType; headers?: readonly HeaderField[] } = {}): void {
    if (this.#state !== 'incoming' && this.#state !== 'early') return;
    const response = this.#response(status, { ...opts, contact: true });
    if (this.#state === 'incoming') {
      this.attachDialog(Dialog.asUas(this.invite, this.localTag, 'early'));
      this.#state = 'early';
    }
    this.tx.respond(response);
  }

  answer(body: BodyWithType, headers: readonly HeaderField[] = []): void {
    if (this.#state !== 'incoming' && this.#state !== 'early') return;
    const response = this.#response(200, { body, headers, contact: true });
    if (this.dialog === undefined) this.attachDialog(Dialog.asUas(this.invite, this.localTag, 'confirmed'));
    else this.dialog.phase = 'confirmed';
    this.#state = 'answered';
    this.sendReliable2xx(this.tx, response);
  }

  reject(status: number, opts: { reason?: string; headers?: readonly HeaderField[] } = {}): void {
    if (this.#state !== 'incoming' && this.#state !== 'early') return;
    this.tx.respond(this.#response(status, opts));
    this.end();
  }

  /** §9.2: the caller's CANCEL matched our INVITE transaction. */
  cancelledBy(cancelTx: ServerTransactionHandle): void {
    cancelTx.respond(createResponse(cancelTx.request, 200));
    if (this.#state !== 'incoming' && this.#state !== 'early') return; // already answered: CANCEL has no effect
    let terminated = this.#response(487, {});
    const reason = cancelTx.request.headers.find((h) => h.name === 'reason')?.value;
    if (reason !== undefined) terminated = withHeader(terminated, 'reason', reason);
    this.tx.respond(terminated);
    this.emit({ kind: 'cancelled', reason });
    this.end();
  }

  protected override onAckReceived(ack: SipRequest): void {
    if (this.#state === 'answered') {
      this.#state = 'confirmed';
      this.emit(ack.body.length > 0 ? { kind: 'confirmed', ackBody: ack.body } : { kind: 'confirmed' });
    }
  }
}
