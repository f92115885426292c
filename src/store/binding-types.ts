/**
 * The plain shape of a registrar binding as the store keeps it. It mirrors
 * sip/registrar's `Binding` field for field: the store may not import sip
 * (STYLE G7/G8), and TypeScript's structural typing makes the two fit.
 */
export type StoredProtocol = 'udp' | 'tcp' | 'tls';

export interface StoredFlow {
  readonly protocol: StoredProtocol;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly connectionId?: number;
}

export interface StoredBinding {
  readonly aor: string;
  readonly key: string;
  readonly contact: string;
  readonly flow: StoredFlow;
  readonly expiresAt: number;
  readonly q: number | undefined;
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string | undefined;
  readonly instanceId: string | undefined;
  readonly regId: number | undefined;
  readonly registeredAt: number;
  readonly updatedAt: number;
}
