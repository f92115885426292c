/**
 * Companion types for the four transaction machines (STYLE G1/G2): the events
 * they consume and the effects they return. The machines never touch a
 * socket or a clock; layer.ts applies these effects.
 *
 * Also declares `TransactionBuilders`, the few message builders the machines
 * need (ACK for a non-2xx, 100 Trying). They are injected so the machines
 * stay pure and do not depend on how src/sip/message builds messages.
 */
import type { SipRequest, SipResponse } from '../message/index.ts';
import type { TransportError } from '../transport/index.ts';
import type { SipTimers, TimerName } from './timers.ts';

export type { TimerName };

/** Effects common to all machines. */
export type TransactionEffect =
  | { readonly kind: 'send'; readonly message: SipRequest | SipResponse }
  | { readonly kind: 'start-timer'; readonly name: TimerName; readonly ms: number }
  | { readonly kind: 'cancel-timer'; readonly name: TimerName }
  /** Client: a response for the TU. */
  | { readonly kind: 'tu-response'; readonly response: SipResponse }
  /** Server (RFC 6026 Accepted): an ACK for a 2xx, passed to the TU. */
  | { readonly kind: 'tu-ack'; readonly ack: SipRequest }
  /** Timer B/F (client) or H (server) fired: §8.1.3.1 treats it as 408. */
  | { readonly kind: 'tu-timeout'; readonly timer: TimerName }
  /** A fatal transport error: §8.1.3.1 treats it as 503. */
  | { readonly kind: 'tu-transport-error'; readonly error: TransportError }
  | { readonly kind: 'terminated' };

export type TimerEvent = { readonly kind: 'timer'; readonly name: TimerName };
export type TransportErrorEvent = { readonly kind: 'transport-error'; readonly error: TransportError };

export type ClientEvent =
  /** The TU hands the request over: the first transmission. */
  | { readonly kind: 'send-request' }
  | { readonly kind: 'response'; readonly response: SipResponse }
  | TimerEvent
  | TransportErrorEvent;

export type ServerEvent =
  /** The request that created the transaction arrived (first time). */
  | { readonly kind: 'receive-request' }
  /** The same request again (retransmission). */
  | { readonly kind: 'request-retransmission' }
  /** INVITE server: an ACK matching the transaction. */
  | { readonly kind: 'ack'; readonly ack: SipRequest }
  | { readonly kind: 'tu-response'; readonly response: SipResponse }
  | TimerEvent
  | TransportErrorEvent;

export interface TransactionBuilders {
  /** §17.1.1.3: the ACK the INVITE client transaction sends for a 300–699 response. */
  ackForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest;
  /** §17.2.1: the 100 Trying the INVITE server transaction sends on its own. */
  trying(invite: SipRequest): SipResponse;
}

/** What a machine needs to know about its transaction. */
export interface MachineContext {
  readonly request: SipRequest;
  /** §17: reliable transports get no retransmissions and zero wait timers. */
  readonly reliable: boolean;
  readonly timers: SipTimers;
}

export interface Step<S> {
  readonly state: S;
  readonly effects: readonly TransactionEffect[];
}

/** Status classes used by every machine. */
export function isProvisional(r: SipResponse): boolean {
  return r.status >= 100 && r.status < 200;
}
export function isSuccess(r: SipResponse): boolean {
  return r.status >= 200 && r.status < 300;
}
