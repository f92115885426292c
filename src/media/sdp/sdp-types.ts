/**
 * belfry's own model of an SDP body (RFC 4566 / RFC 8866), reduced to what
 * audio offer/answer needs. Parsing (parse.ts) fills it from text after
 * validation; serialize.ts writes it back.
 */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpConnection {
  readonly addrType: 'IP4' | 'IP6';
  /** Unicast or multicast address without the /ttl suffix. */
  readonly address: string;
}

export interface SdpOrigin {
  readonly username: string;
  /** Decimal digits; kept as text because it may exceed 2^53 (RFC 4566 §5.2 suggests NTP values). */
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly addrType: 'IP4' | 'IP6';
  readonly address: string;
}

export interface SdpRtpMap {
  readonly payloadType: number;
  readonly encoding: string;
  readonly clockRate: number;
  readonly channels?: number;
}

export interface SdpMedia {
  readonly type: string;
  readonly port: number;
  readonly proto: string;
  /** Format list as written; for RTP profiles these are payload type numbers. */
  readonly formats: readonly string[];
  /** Media-level c= lines (may be several, RFC 4566 §5.7); empty means "use the session's". */
  readonly connections: readonly SdpConnection[];
  readonly rtpmaps: readonly SdpRtpMap[];
  readonly fmtps: readonly { readonly payloadType: number; readonly config: string }[];
  readonly ptime?: number;
  readonly maxptime?: number;
  /** Direction attribute at media level, if any. */
  readonly direction?: MediaDirection;
  /** a=rtcp (RFC 3605). */
  readonly rtcp?: { readonly port: number; readonly address?: string };
}

export interface SessionDescription {
  readonly origin: SdpOrigin;
  readonly sessionName: string;
  readonly connections: readonly SdpConnection[];
  /** Direction attribute at session level, if any. */
  readonly direction?: MediaDirection;
  readonly media: readonly SdpMedia[];
}

/** Effective values of one media stream after session-level defaults are applied. */
export interface EffectiveMedia {
  readonly connection: SdpConnection | undefined;
  readonly direction: MediaDirection;
  /** True for old-style hold: c= 0.0.0.0 (RFC 3264 §8.4). */
  readonly holdByZeroAddress: boolean;
}

export function effectiveMedia(sd: SessionDescription, m: SdpMedia): EffectiveMedia {
  const connection = m.connections[0] ?? sd.connections[0];
  return {
    connection,
    direction: m.direction ?? sd.direction ?? 'sendrecv',
    holdByZeroAddress: connection !== undefined && connection.address === '0.0.0.0',
  };
}
