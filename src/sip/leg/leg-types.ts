/**
 * Companion types for the B2BUA legs: what a leg needs from the stack
 * (declared here, by the consumer: STYLE G7) and the events a leg reports to
 * its owner (the engine's call).
 */
import type { Clock, Ids, Logger } from '../../common/index.ts';
import type { SipRequest, SipResponse } from '../message/message-types.ts';
import type { Flow } from '../transport/transport-types.ts';
import type { ClientTransactionHandle, ResponseHandler, ServerTransactionHandle } from '../transaction/layer-types.ts';
import type { SipTimers } from '../transaction/timers.ts';

/** The slice of the transaction layer a leg uses. */
export interface LegTransactions {
  sendRequest(request: SipRequest, flow: Flow, onResponse: ResponseHandler): ClientTransactionHandle;
  sendAck(ack: SipRequest, flow: Flow): void;
}

/** Where in-dialog requests and ACKs for a leg's dialogs are routed. */
export interface DialogRouting {
  register(key: string, target: DialogTarget): void;
  unregister(key: string): void;
  /**
   * Route these keys to `target` for `afterMs`, then forget them: an ended
   * leg's dialog answers late requests (481) for 64·T1. Optional: without it
   * the leg registers and unregisters with a timer of its own.
   */
  retire?(keys: readonly string[], target: DialogTarget, afterMs: number): void;
}

export interface DialogTarget {
  onRequest(tx: ServerTransactionHandle): void;
  onAck(ack: SipRequest, flow: Flow): void;
}

export interface LegContext {
  readonly transactions: LegTransactions;
  readonly routing: DialogRouting;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly timers: SipTimers;
  readonly log: Logger;
  /** Top Via value for a request we send on this flow (RFC 3261 §18.1.1, RFC 3581 rport). */
  via(flow: Flow, branch: string): string;
  /** Our Contact for this flow (an address the peer can reach us on). */
  contact(flow: Flow): string;
  /** Value of the User-Agent / Server header. */
  readonly product: string;
}

export interface BodyWithType {
  readonly body: Buffer;
  readonly contentType: string;
}

/** An in-dialog request the owner must answer (through `respond`). */
export interface InDialogRequest {
  readonly request: SipRequest;
  respond(status: number, opts?: { reason?: string; body?: BodyWithType; headers?: ReadonlyArray<{ name: string; value: string }> }): void;
}

export type LegEvent =
  /** UAC: a provisional response (with or without SDP) from the callee. */
  | { readonly kind: 'provisional'; readonly response: SipResponse }
  /** UAC: the callee answered; the leg has ACKed. */
  | { readonly kind: 'answered'; readonly response: SipResponse }
  /** UAC: a final non-2xx (including synthetic 408/503 from the transaction layer). */
  | { readonly kind: 'failed'; readonly response: SipResponse }
  /**
   * UAC: the final response to an INVITE we had already given up on
   * (CANCELled, usually 487). The leg ended when it was cancelled; this only
   * reports how the far end closed the transaction.
   */
  | { readonly kind: 'cancel-completed'; readonly response: SipResponse }
  /** UAS: the caller sent CANCEL (the leg has answered 200 to it and 487 to the INVITE). */
  | { readonly kind: 'cancelled'; readonly reason: string | undefined }
  /**
   * UAS: the ACK for our 2xx arrived (the call is confirmed on this leg).
   * `ackBody` is the ACK's body: the SDP answer when the INVITE had no offer
   * (late offer, RFC 3261 §13.2.1).
   */
  | { readonly kind: 'confirmed'; readonly ackBody?: Buffer }
  /** Our 2xx was never ACKed within 64·T1 (§13.3.1.4): the leg sent BYE. */
  | { readonly kind: 'ack-timeout' }
  /** The peer hung up (BYE received and answered 200). */
  | { readonly kind: 'bye'; readonly request: SipRequest }
  /** Any other in-dialog request (re-INVITE, UPDATE, INFO, REFER, NOTIFY, OPTIONS, MESSAGE). */
  | { readonly kind: 'request'; readonly req: InDialogRequest }
  /** The leg is over (after BYE either way, a final failure, or close()). */
  | { readonly kind: 'ended' };

export type LegListener = (e: LegEvent) => void;
