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
import { assertNever, detachedCopy, ExpiryQueue, InternPool, type Logger } from '../../common/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/index.ts';
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
import { LINGER_ROLE, Linger } from './linger.ts';
import { ClientTransaction, ServerTransaction } from './transaction-record.ts';
import type { ClientEvent, MachineContext, ServerEvent, TimerEvent, TransactionEffect, TransportErrorEvent } from './transaction-types.ts';

const DEFAULT_MAX_TRANSACTIONS = 50_000;

type AnyTransaction = ClientTransaction | ServerTransaction;

export class TransactionLayer {
  readonly #opts: TransactionLayerOptions;
  readonly #max: number;
  readonly #log: Logger | undefined;
  /** Live transactions, and compact Lingers for those that only wait (linger.ts). */
  readonly #clients = new Map<string, ClientTransaction | Linger>();
  readonly #servers = new Map<string, ServerTransaction | Linger>();
  readonly #lingers: ExpiryQueue<Linger>;
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
    this.#lingers = new ExpiryQueue<Linger>(opts.clock, (l) => this.#expire(l));
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
    const tx = new ClientTransaction(key, request, flow, ctx, this.#opts.messages, onResponse, (t) => this.#sendCancel(t), (t, h) => this.#handOver(t, h));
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
      if (tx instanceof Linger) this.#lingerResponse(tx, message);
      else this.dispatch(tx, { kind: 'response', response: message });
      return;
    }
    this.#receiveRequest(message, flow);
  }

  #receiveRequest(request: SipRequest, flow: Flow): void {
    const key = serverKey(request);
    const existing = this.#servers.get(key);
    if (existing instanceof Linger) {
      this.#lingerRequest(existing, request, flow);
      return;
    }
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
      const target = this.#servers.get(cancelTargetKey(request));
      // An INVITE that only lingers has its final response: nothing to cancel.
      if (target === undefined || target instanceof Linger || target.request.method !== 'INVITE') {
        // §9.2: "If the UAS did not find a matching transaction for the
        // CANCEL ... it SHOULD respond to the CANCEL with a 481".
        this.#unmatchedCancels++;
        this.#send(undefined, messages.response(request, 481, 'Call/Transaction Does Not Exist'), flow);
        return;
      }
      cancels = target;
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
    let sent: SipMessage | undefined;
    let wait: { name: TimerName; ms: number } | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          this.#send(tx, effect.message, tx.flow);
          sent = effect.message;
          break;
        case 'start-timer':
          if (LINGER_ROLE[effect.name] !== undefined) wait = { name: effect.name, ms: effect.ms };
          else this.#startTimer(tx, effect.name, effect.ms);
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
    else if (wait !== undefined) this.#linger(tx, wait.name, wait.ms, sent);
    for (const effect of tu) tx.notify(effect);
  }

  /**
   * The machine entered a waiting state (it asked for Timer D/I/J/K/L/M):
   * replace the record in the table by a Linger (linger.ts). The record is
   * marked terminated, so the TU's later calls take the paths for a finished
   * transaction (a 2xx retransmission is sent statelessly, RFC 6026 §7.1).
   */
  #linger(tx: AnyTransaction, name: TimerName, ms: number, sent: SipMessage | undefined): void {
    const role = LINGER_ROLE[name];
    if (role === undefined) return;
    tx.terminated = true;
    for (const t of tx.timers.values()) t.cancel();
    tx.timers.clear();
    const bytes = (role === 'resend-response' || role === 'resend-ack') && sent !== undefined ? ownBytes(this.#bytes.get(sent)) : undefined;
    const onResponse = role === 'accepted-client' && tx instanceof ClientTransaction ? tx.responseHandler : undefined;
    // The key is built from slices of the request (branch, sent-by): kept
    // 32 s as it is, it would keep the whole request text alive (heap
    // snapshot at 300 calls/s: every INVITE and BYE of the last 32 s). The
    // flow object is shared by the entries of one peer.
    const key = detachedCopy(tx.key);
    const entry = new Linger(key, role, this.#sharedFlow(tx.flow), this.#opts.clock.now() + ms, bytes, onResponse);
    const table: Map<string, AnyTransaction | Linger> = tx instanceof ClientTransaction ? this.#clients : this.#servers;
    if (table.get(tx.key) === tx) {
      table.delete(tx.key);
      table.set(key, entry);
    }
    this.#lingers.add(entry, ms);
  }

  /** One Flow object per peer for the lingering entries. */
  readonly #flows = new InternPool<Flow>(FLOW_POOL_MAX);

  #sharedFlow(f: Flow): Flow {
    return this.#flows.get(`${f.protocol}|${f.remoteAddress}|${f.remotePort}|${f.localAddress}|${f.localPort}|${f.connectionId ?? ''}`, () => f);
  }

  /** The TU replaced its handler: a lingering Accepted INVITE takes the new one too. */
  #handOver(tx: ClientTransaction, onResponse: ResponseHandler): void {
    const entry = this.#clients.get(tx.key);
    if (entry instanceof Linger && entry.role === 'accepted-client') entry.onResponse = onResponse;
  }

  /** A request matching a lingering server transaction (its waiting state, linger.ts). */
  #lingerRequest(entry: Linger, request: SipRequest, flow: Flow): void {
    if (request.method === 'ACK') {
      if (entry.role === 'accepted-server') this.#deliverAck(request, entry.flow);
      else if (entry.role !== 'absorb-ack') this.#deliverAck(request, flow);
      return;
    }
    this.#absorbed++;
    if (entry.role === 'resend-response' && entry.bytes !== undefined) this.#sendBytes(undefined, entry.bytes, entry.flow);
  }

  /** A response matching a lingering client transaction. */
  #lingerResponse(entry: Linger, response: SipResponse): void {
    this.#absorbed++;
    if (entry.role === 'resend-ack' && response.status >= 300 && entry.bytes !== undefined) {
      // §17.1.1.2: a retransmitted final response gets the ACK again and is not passed up.
      this.#sendBytes(undefined, entry.bytes, entry.flow);
    } else if (entry.role === 'accepted-client' && response.status >= 200 && response.status < 300 && entry.onResponse !== undefined) {
      try {
        entry.onResponse(response);
      } catch (error) {
        this.#log?.error({ err: error, callId: response.callId }, 'transaction user threw on a 2xx retransmission');
      }
    }
  }

  #expire(entry: Linger): void {
    if (this.#servers.get(entry.key) === entry) this.#servers.delete(entry.key);
    else if (this.#clients.get(entry.key) === entry) this.#clients.delete(entry.key);
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
    for (const tx of [...this.#clients.values(), ...this.#servers.values()]) if (!(tx instanceof Linger)) this.#remove(tx);
    this.#clients.clear();
    this.#servers.clear();
    this.#lingers.clear();
  }

  /**
   * True when `request` belongs to a transaction in the table, live or
   * lingering (a retransmission), or is a CANCEL for a live INVITE (§9.2).
   */
  knows(request: SipRequest): boolean {
    if (this.#servers.has(serverKey(request))) return true;
    if (request.method !== 'CANCEL') return false;
    const target = this.#servers.get(cancelTargetKey(request));
    return target !== undefined && !(target instanceof Linger) && !target.terminated;
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
    this.#sendBytes(tx, bytes, flow);
  }

  #sendBytes(tx: AnyTransaction | undefined, bytes: Buffer, flow: Flow): void {
    this.#opts.transport.send(flow, bytes, (error) => {
      if (tx !== undefined && !tx.terminated) this.dispatch(tx, { kind: 'transport-error', error });
      else this.#log?.debug({ code: error.code, peer: flow.remoteAddress }, 'transport error outside a transaction');
    });
  }
}

/**
 * A small Buffer is usually a slice of Node's shared 8 KiB pool; kept for a
 * Linger's 32 s it would pin the whole slab. Copy it into its own memory.
 */
/** Distinct peers' flows kept for lingering entries before the pool starts again (a scan of many sources cannot grow it). */
const FLOW_POOL_MAX = 4096;

function ownBytes(b: Buffer | undefined): Buffer | undefined {
  if (b === undefined || b.buffer.byteLength <= b.length * 2) return b;
  const own = Buffer.allocUnsafeSlow(b.length);
  b.copy(own);
  return own;
}
