/**
 * Companion types for the socket drivers (udp.ts, stream.ts, tls.ts): what
 * a listener gives the stack. The drivers move bytes only; parsing, the edge
 * policy and logging of bad input happen in the stack (STYLE G5), so every
 * protocol shares one receive path.
 */
import type { Flow, TransportError, TransportProtocol } from './transport-types.ts';
import type { FramerErrorCode } from '../message/framer.ts';

export interface BoundAddress {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** One framed message (a datagram, or a message cut from a stream). */
export type PacketHandler = (bytes: Buffer, flow: Flow) => void;

/**
 * A stream framing error: the connection closes after `reply` (used for a
 * 400 when the header block could be read; RFC 4475 ncl/mcl01).
 */
export type FramingErrorHandler = (
  error: { readonly code: FramerErrorCode; readonly detail: string; readonly headerBytes: Buffer | undefined },
  flow: Flow,
  reply: (bytes: Buffer) => void,
) => void;

export interface ListenerCounters {
  keepalives: number;
  connectionsAccepted: number;
  connectionsRejected: number;
  connectionsClosedIdle: number;
  connectionsClosedOversize: number;
  framingErrors: number;
  sendErrors: number;
}

export function newListenerCounters(): ListenerCounters {
  return { keepalives: 0, connectionsAccepted: 0, connectionsRejected: 0, connectionsClosedIdle: 0, connectionsClosedOversize: 0, framingErrors: 0, sendErrors: 0 };
}

export interface Listener {
  readonly protocol: TransportProtocol;
  readonly counters: ListenerCounters;
  start(): Promise<void>;
  addresses(): BoundAddress[];
  send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void): void;
  /** Close sockets (and, for streams, every connection). Idempotent. */
  close(): Promise<void>;
}
