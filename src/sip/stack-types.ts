/**
 * Companion types for stack.ts: the options of createSipStack and the face
 * the transaction user (the engine) sees.
 */
import type { Clock, Ids, Logger } from '../common/index.ts';
import type { SipLimits, SipRequest, SipResponse } from './message/index.ts';
import type { AckHandler, ClientTransactionHandle, RequestHandler, ResponseHandler, SipTimerBase, TransactionCounts } from './transaction/index.ts';
import type { BoundAddress, Flow, ListenerCounters } from './transport/index.ts';

export interface ListenerConfig {
  readonly protocol: 'udp' | 'tcp' | 'tls';
  readonly host: string;
  /** 0 = ephemeral (tests read the bound port from addresses()). */
  readonly port: number;
  /** UDP only: also bind this IPv6 address. */
  readonly ipv6Host?: string;
  /** TLS only. */
  readonly tls?: { readonly certPath: string; readonly keyPath: string; readonly caPath?: string; readonly verifyPeer?: boolean };
}

export interface StreamConfig {
  /** Close connections idle this long. Default 120 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Cap on live TCP+TLS connections per listener. Default 10 000. */
  readonly maxConnections?: number;
}

export interface SipStackOptions {
  readonly listeners: readonly ListenerConfig[];
  readonly limits?: Partial<SipLimits>;
  readonly timers?: Partial<SipTimerBase>;
  readonly clock?: Clock;
  readonly ids?: Ids;
  readonly logger?: Logger;
  /** Methods the switch handles (Allow; others get 405/501). */
  readonly allowedMethods?: readonly string[];
  /** Option tags (Supported; a Require outside this list gets 420). */
  readonly supportedExtensions?: readonly string[];
  readonly stream?: StreamConfig;
  /** Who moves UDP bytes (transport/udp.ts): 'native' thread, Node's 'dgram', or 'auto' (native when built). Default 'dgram'. */
  readonly udpEngine?: 'auto' | 'native' | 'dgram';
  /**
   * Send UDP responses to the packet source even without rport (RFC-DEVIATION
   * from §18.2.2, the usual NAT practice). Default true.
   */
  readonly symmetricResponses?: boolean;
  /** Cap on live transactions (each kind). Default 50 000. */
  readonly maxTransactions?: number;
  /** Retry-After seconds on the 503 sent during a drain. Default 5. */
  readonly drainRetryAfterSec?: number;
  /** Interval of the rate-limited bad-input log line per peer and code. Default 10 000 ms. */
  readonly badInputLogIntervalMs?: number;
  /**
   * Called with the source address of every packet before it is parsed;
   * false drops it silently (per-IP blocking and rate limits live in the
   * engine's Door). Keep-alives and responses pass through it too.
   */
  readonly admit?: (remoteAddress: string) => boolean;
  /**
   * Called for each new request (not ACK/CANCEL) that passed the edge, before
   * a transaction exists: a returned response is sent statelessly and no
   * transaction is created (RFC 3261 §8.2.7). The engine uses it to challenge
   * requests that carry no credentials, as Kamailio's sl module does.
   */
  readonly stateless?: (request: SipRequest, flow: Flow) => SipResponse | Buffer | undefined;
}

export interface SipStackCounters {
  readonly received: number;
  readonly parseErrors: number;
  readonly dropped: number;
  readonly edgeRejected: number;
  readonly keepalives: number;
  readonly responsesSent: { readonly '1xx': number; readonly '2xx': number; readonly '3xx': number; readonly '4xx': number; readonly '5xx': number; readonly '6xx': number };
  readonly transactions: TransactionCounts;
  readonly listeners: readonly (ListenerCounters & { readonly protocol: string })[];
}

export interface SipStack {
  /** The transaction user: every new server transaction the edge let through, except OPTIONS to the switch. */
  onRequest(handler: RequestHandler): void;
  /** ACKs for 2xx (outside transactions). */
  onAck(handler: AckHandler): void;
  sendRequest(request: SipRequest, flow: Flow, onResponse: ResponseHandler): ClientTransactionHandle;
  sendAck(ack: SipRequest, flow: Flow): void;
  addresses(): BoundAddress[];
  counters(): SipStackCounters;
  readonly closed: boolean;
  /** Drain (new requests get 503 + Retry-After), wait for transactions up to graceMs, then close sockets. */
  close(opts?: { readonly graceMs?: number }): Promise<void>;
}
