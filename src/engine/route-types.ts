/**
 * What the engine's routing function returns for a call: the one seam
 * between "where does this call go" (the dialplan) and "how do we ring it"
 * (the call). The call never looks at the plan; the router never touches SIP.
 */
import type { Binding, Flow } from '../sip/index.ts';

export type CallDirection = 'internal' | 'inbound' | 'outbound';

/** One thing to ring. */
export type RingTarget =
  | {
      readonly kind: 'contact';
      /** The user (extension) this contact belongs to. */
      readonly user: string;
      readonly binding: Binding;
      readonly delayMs: number;
      /** Set when this fork rings a ring-group member (GroupStats bookkeeping). */
      readonly group?: GroupMember;
    }
  | {
      readonly kind: 'trunk';
      /** Trunks to try in order (failover on 5xx/408/503). */
      readonly trunks: readonly TrunkTarget[];
      readonly delayMs: number;
      /** Extra headers for this leg (e.g. Diversion for Anywhere/forwarding). */
      readonly headers: ReadonlyArray<{ name: string; value: string }>;
      /** The user this leg rings on behalf of (Anywhere), if any, for busy counts. */
      readonly user?: string;
      /** Set when this fork rings a ring-group member (GroupStats bookkeeping). */
      readonly group?: GroupMember;
    };

/** Which ring group and member (extension or external number, as the plan writes it) a fork rings. */
export interface GroupMember {
  readonly id: string;
  readonly member: string;
}

export interface TrunkTarget {
  readonly trunk: string;
  readonly flow: Flow;
  readonly requestUri: string;
  readonly to: string;
  readonly from: string;
  /** Extra headers for this trunk's INVITE (P-Asserted-Identity). */
  readonly headers?: ReadonlyArray<{ name: string; value: string }>;
  /** Digest credentials to answer the carrier's 401/407 with (§22.2). */
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** Targets rung together for up to timeoutMs. */
export interface RingStage {
  readonly targets: readonly RingTarget[];
  readonly timeoutMs: number;
  /** Explanation for logs/CDR (e.g. "ring group sales: hunt member 2 of 3"). */
  readonly label: string;
}

export type RouteFailure = 'busy' | 'no-answer' | 'unreachable' | 'failed';

export type Route =
  | {
      readonly kind: 'ring';
      readonly stages: readonly RingStage[];
      /** Display name and user part for the B legs' From. */
      readonly callerName: string | undefined;
      readonly callerNumber: string;
      readonly destination: string;
      readonly destinationName: string | undefined;
      readonly direction: CallDirection;
      /** Asked when every stage failed: another route (forwarding, overflow, voicemail…) or undefined to give up. */
      readonly onFailure?: (why: RouteFailure) => Route | undefined;
      readonly trace: readonly string[];
    }
  | {
      readonly kind: 'reject';
      readonly status: number;
      readonly reason: string;
      /** Q.850 cause for the CDR (RFC 3326 Reason header too). */
      readonly q850: number;
      readonly destination: string;
      readonly direction: CallDirection;
      readonly trace: readonly string[];
      /** The rejection is a blocked/blacklisted call: logged as intercepted. */
      readonly intercepted?: boolean;
    };
