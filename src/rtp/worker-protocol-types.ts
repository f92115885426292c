/**
 * Control messages between WorkerAnchorHost (main thread) and relay-worker.ts
 * (one per worker thread). Plain structured-clone data: payload tables travel
 * as Uint8Array copies, sockets never cross threads (each worker binds its own
 * port range).
 */
import type { RtpOperationalCode } from './errors.ts';
import type { AnchorRemote, AnchorStats } from './anchor-host.ts';
import type { PayloadMapping, RelayEvent, RelaySideName } from './relay.ts';

export interface WorkerInit {
  readonly address: string;
  readonly minPort: number;
  readonly maxPort: number;
  readonly socketBufferBytes?: number;
  /** This worker's share of the process's RTP descriptor budget (fd-budget.ts). */
  readonly maxBoundPairs?: number;
}

export type WorkerRequest =
  | { readonly op: 'create'; readonly id: number; readonly silenceTimeoutMs: number; readonly relatchGuardMs?: number }
  | { readonly op: 'set-remote'; readonly id: number; readonly side: RelaySideName; readonly remote: AnchorRemote }
  | { readonly op: 'set-mappings'; readonly id: number; readonly aToB?: readonly PayloadMapping[]; readonly bToA?: readonly PayloadMapping[] }
  | { readonly op: 'set-silence'; readonly id: number; readonly ms: number }
  | { readonly op: 'stats'; readonly id: number; readonly requestId: number }
  | { readonly op: 'close'; readonly id: number }
  | { readonly op: 'shutdown' };

export type WorkerReply =
  | { readonly op: 'ready' }
  | { readonly op: 'created'; readonly id: number; readonly address: string; readonly aPort: number; readonly bPort: number }
  | { readonly op: 'create-failed'; readonly id: number; readonly code: RtpOperationalCode; readonly message: string }
  | { readonly op: 'event'; readonly id: number; readonly event: RelayEvent }
  | { readonly op: 'stats'; readonly requestId: number; readonly stats: AnchorStats | undefined }
  | { readonly op: 'shutdown-done' };
