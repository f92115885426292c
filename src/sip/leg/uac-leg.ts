/**
 * The UAC leg of a B2BUA call: one INVITE from us to one target (a
 * registered contact, or a trunk). Reports provisionals and the final
 * outcome, ACKs 2xx (§13.2.2.4), and CANCELs (§9.1: only after a
 * provisional has arrived; a 2xx that races the CANCEL is ACKed and BYEd).
 * A 2xx from a second fork (different To tag) is ACKed and BYEd at once
 * (§13.2.2.4 allows keeping it; a B2BUA leg has one peer).
 *
 *   calling ──1xx──► proceeding/early ──2xx──► answered ── BYE ──► ended
 *      └───────────── 3xx–6xx / 408 / 503 ─────────► ended (failed)
 */
import { buildRequest, createCancel, headerValues, parseSipMessage, serializeSipMessage, withHeader } from '../message/index.ts';
import { answerChallenge, pickChallenge } from '../auth/index.ts';
import type { HeaderField, SipRequest, SipResponse } from '../message/message-types.ts';
import { Dialog } from '../dialog/dialog.ts';
import type { Flow } from '../transport/transport-types.ts';
import type { ClientTransactionHandle } from '../transaction/layer-types.ts';
import { DialogLeg } from './dialog-leg.ts';
import type { BodyWithType, LegContext } from './leg-types.ts';

export type UacLegState = 'idle' | 'calling' | 'proceeding' | 'answered' | 'ended';

export interface UacLegOptions {
  readonly flow: Flow;
  readonly requestUri: string;
  /** From name-addr without tag, e.g. `"Alice" <sip:1001@belfry>`. */
  readonly from: string;
  /** To name-addr, e.g. `<sip:1002@belfry>`. */
  readonly to: string;
  readonly body?: BodyWithType;
  readonly headers?: readonly HeaderField[];
  /**
   * Late offer (INVITE without a body): builds the SDP answer to the offer in
   * the 2xx, sent in the ACK (RFC 3261 §13.2.1).
   */
  readonly lateAnswer?: (offer: Buffer) => BodyWithType;
  /** Answer a 401/407 once with these (trunks, test user agents; RFC 3261 §22.2). */
  readonly credentials?: { readonly username: string; readonly password: string };
}

export class UacLeg extends DialogLeg {
  readonly options: UacLegOptions;
  readonly localTag: string;
  readonly ownCallId: string;
  #invite: SipRequest | undefined;
  #state: UacLegState = 'idle';
  #provisionalSeen = false;
  #cancelWanted: string | undefined;
  #cancelSent = false;
  #cancelCompleted = false;
  #ackBody: BodyWithType | undefined;
  /** The INVITE's client transaction (the last one, after an auth retry). */
  #inviteTx: ClientTransactionHandle | undefined;

  constructor(ctx: LegContext, options: UacLegOptions) {
    super(ctx, options.flow);
    this.options = options;
    this.localTag = ctx.ids.tag();
    this.ownCallId = ctx.ids.callId();
  }

  get state(): UacLegState {
    return this.ended ? 'ended' : this.#state;
  }

  get invite(): SipRequest | undefined {
    return this.#invite;
  }

  #authTried = false;

  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'calling';
    this.#send(1, []);
  }

  #send(cseq: number, authHeaders: readonly HeaderField[]): void {
    const o = this.options;
    const headers: HeaderField[] = [
      { name: 'via', value: this.ctx.via(this.flow, this.ctx.ids.branch()) },
      // The owner may carry the caller's Max-Forwards minus one (loop protection).
      ...(o.headers?.some((h) => h.name === 'max-forwards') ? [] : [{ name: 'max-forwards', value: '70' }]),
      { name: 'from', value: `${o.from};tag=${this.localTag}` },
      { name: 'to', value: o.to },
      { name: 'call-id', value: this.ownCallId },
      { name: 'cseq', value: `${cseq} INVITE` },
      { name: 'contact', value: this.ctx.contact(this.flow) },
      { name: 'user-agent', value: this.ctx.product },
      { name: 'allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY' },
      ...(o.headers ?? []),
      ...authHeaders,
    ];
    if (o.body) headers.push({ name: 'content-type', value: o.body.contentType });
    const invite = buildRequest({ method: 'INVITE', uri: o.requestUri, headers, body: o.body?.body });
    this.#invite = invite;
    this.#inviteTx = this.ctx.transactions.sendRequest(invite, this.flow, (r) => this.#onResponse(invite, r));
  }

  /** §22.2: answer one 401/407 with credentials, same Call-ID and From tag, CSeq + 1. */
  #retryWithAuth(invite: SipRequest, r: SipResponse): boolean {
    const cred = this.options.credentials;
    if (cred === undefined || this.#authTried || this.#cancelWanted !== undefined || this.ended) return false;
    const proxy = r.status === 407;
    const challenge = pickChallenge(headerValues(r, proxy ? 'proxy-authenticate' : 'www-authenticate'));
    if (challenge === undefined) return false;
    const answer = answerChallenge({ challengeValue: challenge, method: 'INVITE', uri: invite.uri, username: cred.username, password: cred.password, cnonce: this.ctx.ids.token(8), nc: 1 });
    if (!answer.ok) return false;
    this.#authTried = true;
    this.#provisionalSeen = false;
    this.#send(invite.cseq.seq + 1, [{ name: proxy ? 'proxy-authorization' : 'authorization', value: answer.value }]);
    return true;
  }

  #onResponse(invite: SipRequest, r: SipResponse): void {
    if (r.status < 200) {
      this.#provisionalSeen = true;
      if (this.#cancelWanted !== undefined) {
        this.#sendCancel(invite); // §9.1: the CANCEL that waited for a provisional
        return;
      }
      if (this.ended) return;
      if (r.to.tag !== undefined && r.status > 100) {
        if (this.dialog === undefined) this.attachDialog(Dialog.asUac(invite, r));
      }
      this.#state = 'proceeding';
      if (r.status > 100) this.emit({ kind: 'provisional', response: r });
      return;
    }
    if (r.status < 300) {
      const tag = r.to.tag ?? '';
      if (this.dialog !== undefined && this.dialog.phase === 'confirmed') {
        if (this.dialog.id.remoteTag === tag) {
          this.sendAckForInvite(invite, this.#ackBody); // 2xx retransmission: ACK again
        } else {
          this.#ackAndBye(invite, r); // a second fork answered
        }
        return;
      }
      if (this.#cancelWanted !== undefined || this.ended) {
        this.#ackAndBye(invite, r); // answered after we gave up on it
        return;
      }
      if (this.dialog === undefined || this.dialog.id.remoteTag !== tag) this.attachDialog(Dialog.asUac(invite, r));
      this.dialog?.onSuccessResponse(r);
      this.#state = 'answered';
      if (invite.body.length === 0 && this.options.lateAnswer) this.#ackBody = this.options.lateAnswer(r.body);
      this.sendAckForInvite(invite, this.#ackBody);
      this.emit({ kind: 'answered', response: r });
      return;
    }
    if (this.ended) {
      if (this.#cancelWanted !== undefined && !this.#cancelCompleted) {
        this.#cancelCompleted = true;
        this.emit({ kind: 'cancel-completed', response: r });
      }
      return;
    }
    if ((r.status === 401 || r.status === 407) && this.#retryWithAuth(invite, r)) return;
    this.emit({ kind: 'failed', response: r });
    this.end();
  }

  /**
   * The INVITE's transaction outlives the call by up to 64·T1 (Timer M, RFC
   * 6026 §7.2) and would keep this whole leg (dialog, INVITE, listeners)
   * alive through it: at 600 calls/s that was ~15 KB per call and 250 MB of
   * heap. An answered leg hands over a handler that only re-sends its ACK to
   * a 2xx retransmission (§13.2.2.4), built once here.
   *
   * RFC-DEVIATION (§13.2.2.4, a 2xx from another fork must be ACKed and then
   * ended with BYE): once the call has ended such a 2xx is logged and not
   * answered; its UAS ends that dialog itself after 64·T1 without an ACK
   * (§13.3.1.4). Before the call ends it is handled as before (#ackAndBye).
   */
  protected override end(): void {
    const tx = this.#inviteTx;
    const d = this.dialog;
    const invite = this.#invite;
    if (!this.ended && tx !== undefined && invite !== undefined && this.#state === 'answered' && d !== undefined && d.phase === 'confirmed') {
      // Kept as its wire text (one flat string) rather than a parsed request
      // (~2 KB of objects for 32 s); parsed again only if a 2xx does come back.
      const ackText = serializeSipMessage(this.ackDraft(invite, this.#ackBody)).toString('latin1');
      const remoteTag = d.id.remoteTag;
      const { flow } = this;
      const { transactions, log } = this.ctx;
      const callId = this.ownCallId;
      tx.handOver((r) => {
        if (r.status < 200 || r.status >= 300) return;
        if ((r.to.tag ?? '') !== remoteTag) {
          log.info({ callId, toTag: r.to.tag, status: r.status }, '2xx from another fork after the call ended: not acknowledged');
          return;
        }
        const ack = parseSipMessage(Buffer.from(ackText, 'latin1'));
        if (ack.ok && ack.message.kind === 'request') transactions.sendAck(ack.message, flow);
      });
    }
    this.#inviteTx = undefined;
    super.end();
  }

  /** ACK and immediately BYE a dialog we do not want (fork or race with CANCEL). */
  #ackAndBye(invite: SipRequest, r: SipResponse): void {
    const d = Dialog.asUac(invite, r);
    this.ctx.transactions.sendAck(this.buildDraft(d.nextRequest('ACK', { cseq: invite.cseq.seq })), this.flow);
    const bye = this.buildDraft(d.nextRequest('BYE'));
    this.ctx.transactions.sendRequest(bye, this.flow, () => {});
  }

  /**
   * Give up on this leg: CANCEL if it is still ringing, BYE if it answered.
   * `reason` is a Reason header value (RFC 3326), e.g.
   * `SIP;cause=200;text="Call completed elsewhere"`.
   */
  cancel(reason?: string): void {
    if (this.ended || this.#state === 'idle') {
      this.end();
      return;
    }
    if (this.#state === 'answered') {
      this.hangup(reason ? [{ name: 'reason', value: reason }] : []);
      return;
    }
    this.#cancelWanted = reason ?? '';
    const invite = this.#invite;
    if (invite !== undefined && this.#provisionalSeen) this.#sendCancel(invite);
    // Without a provisional the CANCEL waits (§9.1); the INVITE's own Timer B ends it otherwise.
    this.end();
  }

  #sendCancel(invite: SipRequest): void {
    if (this.#cancelSent) return;
    this.#cancelSent = true;
    let cancel = createCancel(invite);
    if (this.#cancelWanted) cancel = withHeader(cancel, 'reason', this.#cancelWanted);
    this.ctx.transactions.sendRequest(cancel, this.flow, () => {});
  }
}
