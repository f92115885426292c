/**
 * Companion types for layer.ts: the options it is built with and the handles
 * the transaction user (TU) holds (STYLE G7: small, declared by the consumer).
 */
import type { Clock, Logger } from '../../common/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/index.ts';
import type { Flow, SipTransport } from '../transport/index.ts';
import type { TransactionError } from './errors.ts';
import type { SipTimers } from './timers.ts';
import type { TransactionBuilders } from './transaction-types.ts';

/**
 * Message functions the layer needs. The composition root passes the ones
 * from src/sip/message (serializeSipMessage, createResponse,
 * createAckForNonSuccess, createCancel); injecting them keeps the layer
 * testable and lets the machines stay pure.
 */
export interface TransactionMessages extends TransactionBuilders {
  serialize(message: SipMessage): Buffer;
  /** A response to `request` with To tag handling as in §8.2.6. */
  response(request: SipRequest, status: number, reason?: string): SipResponse;
  /** §9.1 CANCEL for an INVITE. */
  cancel(invite: SipRequest): SipRequest;
}

export interface TransactionLayerOptions {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly messages: TransactionMessages;
  readonly logger?: Logger;
  /**
   * Upper bound on live server transactions (and, separately, client
   * transactions). New requests over it get a stateless 503; new client
   * requests get a synthetic 503. Default 50 000.
   */
  readonly maxTransactions?: number;
}

/**
 * Called with every response for the TU: real ones, and on failure a
 * synthetic 408 (timeout) or 503 (transport error) per §8.1.3.1, in which
 * case `error` says why.
 */
export type ResponseHandler = (response: SipResponse, error?: TransactionError) => void;

export interface ClientTransactionHandle {
  readonly key: string;
  readonly request: SipRequest;
  readonly terminated: boolean;
  /**
   * INVITE only (§9.1): send a CANCEL in its own transaction. Sent at once
   * if a provisional has arrived, otherwise when the first one does.
   * Returns false when there is nothing to cancel (final response already
   * received, not an INVITE, or already cancelled).
   */
  cancel(onCancelResponse?: ResponseHandler): boolean;
  /**
   * Replace the TU's response handler, for the rest of this transaction's
   * life, Accepted state (Timer M, 64·T1, RFC 6026 §7.2) included. A TU whose
   * dialog has ended hands over a small handler (one that re-sends its ACK)
   * so that the waiting state no longer keeps the whole leg alive.
   */
  handOver(onResponse: ResponseHandler): void;
}

export interface ServerTransactionHandle {
  readonly key: string;
  readonly request: SipRequest;
  readonly flow: Flow;
  readonly terminated: boolean;
  /** For a CANCEL: the INVITE server transaction it matched (§9.2). */
  readonly cancels: ServerTransactionHandle | undefined;
  /** Send a response through the transaction (throws SIP_TRANSACTION_ALREADY_FINAL after a non-2xx final). */
  respond(response: SipResponse): void;
  /** Called when no ACK came (Timer H → 408) or a response could not be sent (503). */
  onFailure(handler: (error: TransactionError) => void): void;
}

export interface TransactionCounts {
  readonly clientTransactions: number;
  readonly serverTransactions: number;
  readonly strayResponses: number;
  readonly absorbedRetransmissions: number;
  readonly rejectedOverLimit: number;
  readonly unmatchedCancels: number;
}

export type RequestHandler = (tx: ServerTransactionHandle) => void;
/** An ACK outside any transaction (ACK for 2xx, §17.1.1.3/RFC 6026): the TU's business. */
export type AckHandler = (ack: SipRequest, flow: Flow) => void;
