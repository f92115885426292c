/**
 * The live-transaction records layer.ts keeps in its tables: a machine's
 * current state plus the driver's bookkeeping (timer handles, flow, TU
 * callbacks). ClientTransaction and ServerTransaction are also the handles
 * the TU holds. The machines decide; these classes only hold state and turn
 * TU-bound effects into TU callbacks (synthetic 408/503 per §8.1.3.1).
 * Leaves out: applying effects to sockets and clocks (layer.ts).
 */
import type { TimerHandle } from '../../common/index.ts';
import type { SipRequest, SipResponse } from '../message/index.ts';
import type { Flow } from '../transport/index.ts';
import { TransactionError } from './errors.ts';
import { INVITE_CLIENT_INITIAL, stepInviteClient, type InviteClientContext, type InviteClientState } from './invite-client.ts';
import { INVITE_SERVER_INITIAL, stepInviteServer, type InviteServerContext, type InviteServerState } from './invite-server.ts';
import type { ClientTransactionHandle, ResponseHandler, ServerTransactionHandle, TransactionMessages } from './layer-types.ts';
import { NON_INVITE_CLIENT_INITIAL, stepNonInviteClient, type NonInviteClientState } from './non-invite-client.ts';
import { NON_INVITE_SERVER_INITIAL, stepNonInviteServer, type NonInviteServerState } from './non-invite-server.ts';
import type { TimerName } from './timers.ts';
import type { ClientEvent, MachineContext, ServerEvent, Step, TransactionEffect } from './transaction-types.ts';

/** What the driver needs from either kind of transaction. */
abstract class TransactionRecord {
  readonly timers = new Map<TimerName, TimerHandle>();
  terminated = false;
  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    readonly ctx: MachineContext,
    protected readonly messages: TransactionMessages,
  ) {}
  /** Report a TU-bound effect (responses, ACKs, failures). */
  abstract notify(effect: TransactionEffect): void;
}

export class ClientTransaction extends TransactionRecord implements ClientTransactionHandle {
  #state: InviteClientState | NonInviteClientState;
  /** The INVITE machine's context, built once (not per event). */
  #inviteCtx: InviteClientContext | undefined;
  provisionalSeen = false;
  finalSeen = false;
  cancelState: 'none' | 'pending' | 'sent' = 'none';
  cancelHandler: ResponseHandler | undefined;
  #onResponse: ResponseHandler;
  readonly #sendCancel: (tx: ClientTransaction) => void;
  readonly #handOver: (tx: ClientTransaction, onResponse: ResponseHandler) => void;

  constructor(
    key: string,
    request: SipRequest,
    flow: Flow,
    ctx: MachineContext,
    messages: TransactionMessages,
    onResponse: ResponseHandler,
    sendCancel: (tx: ClientTransaction) => void,
    handOver: (tx: ClientTransaction, onResponse: ResponseHandler) => void = () => {},
  ) {
    super(key, request, flow, ctx, messages);
    this.#state = request.method === 'INVITE' ? INVITE_CLIENT_INITIAL : NON_INVITE_CLIENT_INITIAL;
    this.#onResponse = onResponse;
    this.#sendCancel = sendCancel;
    this.#handOver = handOver;
  }

  handOver(onResponse: ResponseHandler): void {
    this.#onResponse = onResponse;
    this.#handOver(this, onResponse);
  }

  /** The TU's handler (a lingering Accepted INVITE keeps only this, linger.ts). */
  get responseHandler(): ResponseHandler {
    return this.#onResponse;
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  get state(): string {
    return this.#state.kind;
  }

  step(event: ClientEvent): readonly TransactionEffect[] {
    let next: Step<InviteClientState | NonInviteClientState>;
    if (this.isInvite) next = stepInviteClient((this.#inviteCtx ??= { ...this.ctx, builders: this.messages }), this.#state as InviteClientState, event);
    else next = stepNonInviteClient(this.ctx, this.#state as NonInviteClientState, event);
    this.#state = next.state;
    return next.effects;
  }

  notify(effect: TransactionEffect): void {
    switch (effect.kind) {
      case 'tu-response': {
        const status = effect.response.status;
        if (status < 200) this.provisionalSeen = true;
        else this.finalSeen = true;
        this.#onResponse(effect.response);
        // §9.1: a CANCEL waits for the first provisional response.
        if (status < 200 && this.cancelState === 'pending') this.#sendCancel(this);
        return;
      }
      case 'tu-timeout':
        this.#fail(408, new TransactionError('SIP_TRANSACTION_TIMEOUT', `${this.request.method} timed out (Timer ${effect.timer})`, 408));
        return;
      case 'tu-transport-error':
        this.#fail(503, new TransactionError('SIP_TRANSACTION_TRANSPORT', `transport error: ${effect.error.code} ${effect.error.message}`, 503));
        return;
      default:
        return;
    }
  }

  /** Over the memory bound the request is never sent; the TU sees a 503. */
  failTableFull(): void {
    this.#fail(503, new TransactionError('SIP_TRANSACTION_TABLE_FULL', 'client transaction table is full or the layer is closed', 503));
  }

  cancel(onCancelResponse?: ResponseHandler): boolean {
    if (!this.isInvite || this.finalSeen || this.terminated || this.cancelState !== 'none') return false;
    this.cancelHandler = onCancelResponse;
    this.cancelState = 'pending';
    if (this.provisionalSeen) this.#sendCancel(this);
    return true;
  }

  /** §8.1.3.1: a timeout is treated as 408, a transport failure as 503. */
  #fail(status: 408 | 503, error: TransactionError): void {
    this.finalSeen = true;
    this.#onResponse(this.messages.response(this.request, status), error);
  }
}

/** The layer's services a server transaction calls back into. */
export interface ServerDriver {
  feed(tx: ServerTransaction, event: ServerEvent): void;
  deliverAck(ack: SipRequest, flow: Flow): void;
  sendStateless(response: SipResponse, flow: Flow): void;
}

export class ServerTransaction extends TransactionRecord implements ServerTransactionHandle {
  /** A 2xx went out: the transaction is (or was) in RFC 6026 Accepted. */
  acceptedOnce = false;
  #state: InviteServerState | NonInviteServerState;
  #inviteCtx: InviteServerContext | undefined;
  #failure: ((e: TransactionError) => void) | undefined;
  #transportFailed = false;
  readonly cancels: ServerTransactionHandle | undefined;
  readonly #driver: ServerDriver;

  constructor(
    key: string,
    request: SipRequest,
    flow: Flow,
    ctx: MachineContext,
    messages: TransactionMessages,
    cancels: ServerTransactionHandle | undefined,
    driver: ServerDriver,
  ) {
    super(key, request, flow, ctx, messages);
    this.#state = request.method === 'INVITE' ? INVITE_SERVER_INITIAL : NON_INVITE_SERVER_INITIAL;
    this.cancels = cancels;
    this.#driver = driver;
  }

  get state(): string {
    return this.#state.kind;
  }

  step(event: ServerEvent): readonly TransactionEffect[] {
    let next: Step<InviteServerState | NonInviteServerState>;
    if (this.request.method === 'INVITE') next = stepInviteServer((this.#inviteCtx ??= { ...this.ctx, builders: this.messages }), this.#state as InviteServerState, event);
    else next = stepNonInviteServer(this.ctx, this.#state as NonInviteServerState, event);
    this.#state = next.state;
    return next.effects;
  }

  notify(effect: TransactionEffect): void {
    switch (effect.kind) {
      case 'tu-ack':
        this.#driver.deliverAck(effect.ack, this.flow);
        return;
      case 'tu-timeout':
        this.#failure?.(new TransactionError('SIP_TRANSACTION_TIMEOUT', `no ACK for the final response (Timer ${effect.timer})`, 408));
        return;
      case 'tu-transport-error':
        // The INVITE server keeps its state on transport errors (RFC 6026
        // §7.1), so each Timer G retransmission could fail again: tell once.
        if (this.#transportFailed) return;
        this.#transportFailed = true;
        this.#failure?.(new TransactionError('SIP_TRANSACTION_TRANSPORT', `transport error: ${effect.error.code} ${effect.error.message}`, 503));
        return;
      default:
        return;
    }
  }

  respond(response: SipResponse): void {
    if (response.status < 100 || response.status > 699) {
      throw new TransactionError('SIP_TRANSACTION_BAD_RESPONSE', `status ${response.status} is not a SIP response status`);
    }
    const kind = this.#state.kind;
    // RFC 6026 §7.1: 2xx retransmissions belong to the TU; one that races
    // Timer L (both run for 64·T1) is sent statelessly rather than refused.
    if (this.terminated && this.request.method === 'INVITE' && response.status >= 200 && response.status < 300 && this.acceptedOnce) {
      this.#driver.sendStateless(response, this.flow);
      return;
    }
    // Checked here so a TU mistake is a named programmer error, not an
    // IllegalTransitionError from deep inside a machine.
    if (this.terminated || kind === 'completed' || kind === 'confirmed' || (kind === 'accepted' && response.status >= 300)) {
      throw new TransactionError('SIP_TRANSACTION_ALREADY_FINAL', `${this.request.method} transaction is ${kind}; cannot send ${response.status}`);
    }
    if (kind === 'accepted' && response.status < 200) {
      throw new TransactionError('SIP_TRANSACTION_ALREADY_FINAL', `INVITE transaction is accepted; cannot send ${response.status}`);
    }
    if (response.status >= 200 && response.status < 300) this.acceptedOnce = true;
    this.#driver.feed(this, { kind: 'tu-response', response });
  }

  onFailure(handler: (error: TransactionError) => void): void {
    this.#failure = handler;
  }
}
