/**
 * The transaction layer (RFC 3261 §17): the table of live client and server
 * transactions and the driver that feeds the pure machines events and
 * applies their effects with the injected Clock and SipTransport (STYLE G1).
 *
 * Owns: matching incoming messages (key.ts), absorbing retransmissions,
 * timers, serialization of what the machines send, synthetic 408/503 for the
 * TU (§8.1.3.1), CANCEL handling (§9.1 client side, §9.2 matching + 481),
 * dropping stray responses (§18.1.2), and the memory bound.
 * Leaves out: sanity checks (transport/sanity.ts, before this layer), dialogs
 * and the ACK for 2xx (passed to the TU), DNS (§18.2.2 is the transport's).
 */
import { assertNever, type Logger } from '../../common/index.ts';
import type { SipMessage, SipRequest } from '../message/index.ts';
import { isReliable, type Flow } from '../transport/index.ts';
import { cancelTargetKey, clientKey, serverKey } from './key.ts';
import type {
  AckHandler,
  ClientTransactionHandle,
  RequestHandler,
  ResponseHandler,
  TransactionCounts,
  TransactionLayerOptions,
} from './layer-types.ts';
import type { TimerName } from './timers.ts';
import { ClientTransaction, ServerTransaction } from './transaction-record.ts';
import type { ClientEvent, MachineContext, ServerEvent, TimerEvent, TransactionEffect, TransportErrorEvent } from './transaction-types.ts';

const DEFAULT_MAX_TRANSACTIONS = 50_000;

type AnyTransaction = ClientTransaction | ServerTransaction;

export class TransactionLayer {
  readonly #opts: TransactionLayerOptions;
  readonly #max: number;
  readonly #log: Logger | undefined;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  /** Serialized bytes per message object: retransmissions re-use them. */
  readonly #bytes = new WeakMap<SipMessage, Buffer>();
  #onRequest: RequestHandler | undefined;
  #onAck: AckHandler | undefined;
  #closed = false;
  #stray = 0;
  #absorbed = 0;
  #rejected = 0;
  #unmatchedCancels = 0;

  constructor(opts: TransactionLayerOptions) {
    this.#opts = opts;
    this.#max = opts.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS;
    this.#log = opts.logger;
    opts.transport.onMessage((message, flow) => this.receive(message, flow));
  }

  /** New server transactions go to this handler (one TU per layer). */
  onRequest(handler: RequestHandler): void {
    this.#onRequest = handler;
  }

  /** ACKs that belong to no transaction (2xx ACKs) go to this handler. */
  onAck(handler: AckHandler): void {
    this.#onAck = handler;
  }

  /** Start a client transaction (§17.1). ACK is not a transaction: use sendAck. */
  sendRequest(request: SipRequest, flow: Flow, onResponse: ResponseHandler): ClientTransactionHandle {
    if (request.method === 'ACK') throw new RangeError('ACK is sent with sendAck, not in a transaction (§17.1.1.3)');
    const key = clientKey(request);
    if (key === undefined) throw new RangeError('request has no Via branch (§8.1.1.7)');
    if (this.#clients.has(key)) throw new RangeError(`a client transaction with key ${key} already exists`);
    const ctx: MachineContext = { request, reliable: isReliable(flow.protocol), timers: this.#opts.timers };
    const tx = new ClientTransaction(key, request, flow, ctx, this.#opts.messages, onResponse, (t) => this.#sendCancel(t));
    if (this.#closed || this.#clients.size >= this.#max) {
      this.#rejected++;
      tx.terminated = true;
      queueMicrotask(() => tx.failTableFull());
      return tx;
    }
    this.#clients.set(key, tx);
    this.dispatch(tx, { kind: 'send-request' });
    return tx;
  }

  /** Send an ACK for a 2xx outside any transaction (§13.2.2.4). */
  sendAck(ack: SipRequest, flow: Flow): void {
    this.#send(undefined, ack, flow);
  }

  /** Feed one incoming message (the constructor subscribes this to the transport). */
  receive(message: SipMessage, flow: Flow): void {
    if (this.#closed) return;
    if (message.kind === 'response') {
      const key = clientKey(message);
      const tx = key === undefined ? undefined : this.#clients.get(key);
      if (tx === undefined) {
        // §18.1.2 as corrected by RFC 6026: a response matching no client
        // transaction is discarded (late 2xx retransmissions are caught by
        // the Accepted state while Timer M runs).
        this.#stray++;
        this.#log?.debug({ callId: message.callId, status: message.status, peer: flow.remoteAddress }, 'stray response dropped');
        return;
      }
      this.dispatch(tx, { kind: 'response', response: message });
      return;
    }
    this.#receiveRequest(message, flow);
  }

  #receiveRequest(request: SipRequest, flow: Flow): void {
    const key = serverKey(request);
    const existing = this.#servers.get(key);
    if (request.method === 'ACK') {
      if (existing !== undefined && existing.request.method === 'INVITE') this.dispatch(existing, { kind: 'ack', ack: request });
      else this.#deliverAck(request, flow);
      return;
    }
    if (existing !== undefined) {
      this.#absorbed++;
      this.dispatch(existing, { kind: 'request-retransmission' });
      return;
    }
    const messages = this.#opts.messages;
    if (this.#servers.size >= this.#max) {
      this.#rejected++;
      this.#send(undefined, messages.response(request, 503, 'Service Unavailable'), flow);
      return;
    }
    let cancels: ServerTransaction | undefined;
    if (request.method === 'CANCEL') {
      cancels = this.#servers.get(cancelTargetKey(request));
      if (cancels === undefined || cancels.request.method !== 'INVITE') {
        // §9.2: "If the UAS did not find a matching transaction for the
        // CANCEL ... it SHOULD respond to the CANCEL with a 481".
        this.#unmatchedCancels++;
        this.#send(undefined, messages.response(request, 481, 'Call/Transaction Does Not Exist'), flow);
        return;
      }
    }
    const ctx: MachineContext = { request, reliable: isReliable(flow.protocol), timers: this.#opts.timers };
    const tx = new ServerTransaction(key, request, flow, ctx, messages, cancels, {
      feed: (t, e) => this.dispatch(t, e),
      deliverAck: (a, f) => this.#deliverAck(a, f),
      sendStateless: (m, f) => this.#send(undefined, m, f),
    });
    this.#servers.set(key, tx);
    this.dispatch(tx, { kind: 'receive-request' });
    const handler = this.#onRequest;
    if (handler === undefined) {
      tx.respond(messages.response(request, 500, 'No Transaction User'));
      return;
    }
    try {
      handler(tx);
    } catch (error) {
      this.#log?.error({ err: error, callId: request.callId }, 'transaction user threw on a new request');
    }
  }

  /** Feed one event to a transaction and apply the effects (G1 driver). */
  dispatch(tx: ClientTransaction, event: ClientEvent): void;
  dispatch(tx: ServerTransaction, event: ServerEvent): void;
  dispatch(tx: AnyTransaction, event: TimerEvent | TransportErrorEvent): void;
  dispatch(tx: AnyTransaction, event: ClientEvent | ServerEvent): void {
    if (tx.terminated) return;
    // The overloads guarantee the event fits the transaction kind.
    const effects = tx instanceof ClientTransaction ? tx.step(event as ClientEvent) : tx.step(event as ServerEvent);
    // Transport and timer effects first, TU callbacks last: a TU that reacts
    // (respond, cancel) then sees a consistent table.
    const tu: TransactionEffect[] = [];
    let ended = false;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          this.#send(tx, effect.message, tx.flow);
          break;
        case 'start-timer':
          this.#startTimer(tx, effect.name, effect.ms);
          break;
        case 'cancel-timer':
          tx.timers.get(effect.name)?.cancel();
          tx.timers.delete(effect.name);
          break;
        case 'terminated':
          ended = true;
          break;
        case 'tu-response':
        case 'tu-ack':
        case 'tu-timeout':
        case 'tu-transport-error':
          tu.push(effect);
          break;
        default:
          assertNever(effect, 'transaction effect');
      }
    }
    if (ended) this.#remove(tx);
    for (const effect of tu) tx.notify(effect);
  }

  /** §9.1: the CANCEL for an INVITE client transaction, in its own transaction. */
  #sendCancel(invite: ClientTransaction): void {
    invite.cancelState = 'sent';
    const cancel = this.#opts.messages.cancel(invite.request);
    this.sendRequest(cancel, invite.flow, invite.cancelHandler ?? (() => undefined));
  }

  #deliverAck(ack: SipRequest, flow: Flow): void {
    const handler = this.#onAck;
    if (handler === undefined) return;
    try {
      handler(ack, flow);
    } catch (error) {
      this.#log?.error({ err: error, callId: ack.callId }, 'transaction user threw on an ACK');
    }
  }

  counts(): TransactionCounts {
    return {
      clientTransactions: this.#clients.size,
      serverTransactions: this.#servers.size,
      strayResponses: this.#stray,
      absorbedRetransmissions: this.#absorbed,
      rejectedOverLimit: this.#rejected,
      unmatchedCancels: this.#unmatchedCancels,
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Drop every transaction and timer (STYLE G9: idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tx of [...this.#clients.values(), ...this.#servers.values()]) this.#remove(tx);
  }

  #startTimer(tx: AnyTransaction, name: TimerName, ms: number): void {
    tx.timers.get(name)?.cancel();
    const handle = this.#opts.clock.setTimer(ms, () => {
      tx.timers.delete(name);
      this.dispatch(tx, { kind: 'timer', name });
    });
    tx.timers.set(name, handle);
  }

  #remove(tx: AnyTransaction): void {
    tx.terminated = true;
    for (const t of tx.timers.values()) t.cancel();
    tx.timers.clear();
    if (tx instanceof ClientTransaction) {
      if (this.#clients.get(tx.key) === tx) this.#clients.delete(tx.key);
    } else {
      if (this.#servers.get(tx.key) === tx) this.#servers.delete(tx.key);
    }
  }

  #send(tx: AnyTransaction | undefined, message: SipMessage, flow: Flow): void {
    let bytes = this.#bytes.get(message);
    if (bytes === undefined) {
      bytes = this.#opts.messages.serialize(message);
      this.#bytes.set(message, bytes);
    }
    this.#opts.transport.send(flow, bytes, (error) => {
      if (tx !== undefined && !tx.terminated) this.dispatch(tx, { kind: 'transport-error', error });
      else this.#log?.debug({ code: error.code, peer: flow.remoteAddress }, 'transport error outside a transaction');
    });
  }
}
