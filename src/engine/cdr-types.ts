/**
 * The call records the engine produces (one per call, one per leg), named
 * after Asterisk's CDR fields where they exist (../shared/reference/
 * pbx-anchors.md §3). The engine declares the sink; main adapts the store.
 */
export type Disposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';

export interface LegRecord {
  readonly legId: string;
  readonly callId: string;
  readonly role: 'a' | 'b';
  readonly peer: string;
  readonly target: string;
  readonly trunk: string | undefined;
  readonly start: number;
  readonly answer: number | undefined;
  readonly end: number;
  readonly sipCode: number | undefined;
  readonly codec: string | undefined;
  readonly rtp:
    | {
        readonly packetsIn: number;
        readonly packetsOut: number;
        readonly lost: number;
        readonly jitterMs: number;
        readonly mos: number;
      }
    | undefined;
}

export interface CallRecord {
  readonly callId: string;
  readonly linkedId: string;
  readonly start: number;
  readonly answer: number | undefined;
  readonly end: number;
  readonly src: string;
  readonly srcName: string | undefined;
  readonly dst: string;
  readonly dstName: string | undefined;
  readonly direction: 'internal' | 'inbound' | 'outbound';
  readonly trunk: string | undefined;
  readonly disposition: Disposition;
  readonly sipCode: number;
  readonly q850: number;
  readonly hangupSide: 'caller' | 'callee' | 'system' | undefined;
  readonly hangupReason: string;
  readonly codecA: string | undefined;
  readonly codecB: string | undefined;
  readonly transcoded: boolean;
  readonly recordingPath: string | undefined;
}

export interface CdrSink {
  /** An open marker, so a crash leaves a row the next start closes as INTERRUPTED. */
  callStarted(c: { callId: string; linkedId: string; start: number; src: string; dst: string; direction: CallRecord['direction'] }): void;
  /** Written once at call end, in one transaction. */
  callEnded(call: CallRecord, legs: readonly LegRecord[]): void;
}

/** SIP status → Q.850 cause (RFC 3398 §7.2.4.1, the usual mapping used by Asterisk). */
export function q850ForStatus(status: number): number {
  switch (status) {
    case 200:
      return 16;
    case 404:
    case 485:
      return 1;
    case 403:
      return 21;
    case 408:
    case 480:
      return 18;
    case 486:
    case 600:
      return 17;
    case 487:
      return 16;
    case 488:
    case 606:
      return 65;
    case 502:
      return 27;
    case 503:
      return 34;
    case 504:
      return 102;
    default:
      return status >= 500 ? 41 : status >= 400 ? 21 : 16;
  }
}
