/**
 * The narrow contract between transports and the layers above (STYLE G7).
 * The transaction layer sees only `SipTransport`: send bytes to a flow, and
 * receive parsed messages with the flow they arrived on.
 */
import type { SipMessage } from '../message/message-types.ts';

export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/**
 * A flow (RFC 5626 §3): where a message came from or must go. For TCP/TLS a
 * flow is bound to one connection (connectionId) when it came in on one;
 * sending to a flow whose connection has closed opens a new connection for
 * requests and fails for responses (RFC 3261 §18.2.2 then falls back to the
 * Via sent-by, which the transport layer handles).
 */
export interface Flow {
  readonly protocol: TransportProtocol;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Set for connection-oriented flows that arrived on (or were sent over) a connection. */
  readonly connectionId?: number;
}

/** A stable string key for maps (never parsed back). */
export function flowKey(f: Flow): string {
  return `${f.protocol}:${f.remoteAddress}:${f.remotePort}`;
}

export function isReliable(p: TransportProtocol): boolean {
  return p !== 'udp';
}

export interface TransportError {
  readonly code: string;
  readonly message: string;
}

export interface SipTransport {
  /**
   * Send serialized bytes along a flow. Resolution failures and socket errors
   * are reported through the callback (the transaction turns them into 503,
   * RFC 3261 §8.1.3.1), never thrown.
   */
  send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void): void;
  /** Incoming messages that passed the stateless edge (sanity.ts). */
  onMessage(handler: (message: SipMessage, flow: Flow) => void): void;
}
