/**
 * Call detail record shapes: what the engine hands to `writeCall`, and what
 * the read queries return. Field meanings and their Asterisk / FreeSWITCH
 * equivalents are in docs/cdr.md. Times are wall-clock epoch ms.
 */
export type CdrDirection = 'internal' | 'inbound' | 'outbound';
/** Asterisk's disposition names, plus CANCELLED (caller gave up) and INTERRUPTED (process died). */
export type CdrDisposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';
export type HangupSide = 'caller' | 'callee' | 'system';
export type LegRole = 'caller' | 'callee';

/** Written at call start so a crash leaves a trace (closed later as INTERRUPTED). */
export interface CdrCallStart {
  readonly callId: string;
  readonly direction: CdrDirection;
  readonly src: string;
  readonly srcName?: string | undefined;
  readonly dst: string;
  readonly trunk?: string | undefined;
  readonly sipCallId?: string | undefined;
  readonly startMs: number;
}

/** The whole call at its end. */
export interface CdrCall extends CdrCallStart {
  readonly dstName?: string | undefined;
  /** Who finally answered (after hunting, forwarding, pickup). */
  readonly dstFinal?: string | undefined;
  readonly accountcode?: string | undefined;
  /** Dialplan node that decided the call (≈ Asterisk dcontext/lastapp). */
  readonly routeNode?: string | undefined;
  readonly answerMs?: number | undefined;
  readonly endMs: number;
  readonly disposition: CdrDisposition;
  /** Final SIP status seen for the call (e.g. 200, 486, 487). */
  readonly sipCode?: number | undefined;
  /** Q.850 cause value (16 normal clearing, 17 busy, 19 no answer, …). */
  readonly q850Cause?: number | undefined;
  readonly hangupSide?: HangupSide | undefined;
  readonly recordingPath?: string | undefined;
  readonly userfield?: string | undefined;
  /** Free-form JSON-serialisable details (queue, agent, transfer, …). */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

export interface CdrLeg {
  readonly legId: string;
  /** Order within the call: 0 for the caller's leg, then each callee attempt. */
  readonly seq: number;
  readonly role: LegRole;
  /** user/alice, trunk/carrier1, … (≈ Asterisk channel / dstchannel). */
  readonly endpoint: string;
  readonly src?: string | undefined;
  readonly dst?: string | undefined;
  readonly sipCallId?: string | undefined;
  readonly remoteAddress?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly startMs: number;
  readonly answerMs?: number | undefined;
  readonly endMs: number;
  readonly disposition: CdrDisposition;
  readonly sipCode?: number | undefined;
  readonly q850Cause?: number | undefined;
  readonly hangupSide?: HangupSide | undefined;
  /** Post-dial delay: INVITE sent → first ringing/early media. */
  readonly pddMs?: number | undefined;
  readonly codec?: string | undefined;
  readonly rtpPacketsIn?: number | undefined;
  readonly rtpPacketsOut?: number | undefined;
  readonly rtpLostIn?: number | undefined;
  readonly jitterMs?: number | undefined;
  readonly mos?: number | undefined;
  readonly recordingPath?: string | undefined;
}

/** A call row as read back: input fields plus the derived ones. Absent values are null. */
export interface CdrCallRecord {
  readonly callId: string;
  readonly state: 'open' | 'closed';
  readonly direction: CdrDirection;
  readonly src: string;
  readonly srcName: string | null;
  readonly dst: string;
  readonly dstName: string | null;
  readonly dstFinal: string | null;
  readonly trunk: string | null;
  readonly accountcode: string | null;
  readonly routeNode: string | null;
  readonly sipCallId: string | null;
  readonly startIso: string;
  readonly startMs: number;
  readonly answerIso: string | null;
  readonly answerMs: number | null;
  readonly endIso: string | null;
  readonly endMs: number | null;
  /** Whole seconds, end − start (Asterisk duration). */
  readonly duration: number | null;
  /** Whole seconds, end − answer; 0 when never answered (Asterisk billsec). */
  readonly billsec: number | null;
  readonly durationMs: number | null;
  readonly disposition: CdrDisposition | null;
  readonly sipCode: number | null;
  readonly q850Cause: number | null;
  readonly hangupSide: HangupSide | null;
  readonly recordingPath: string | null;
  readonly userfield: string | null;
  readonly extra: Readonly<Record<string, unknown>> | null;
}

export interface CdrLegRecord {
  readonly legId: string;
  readonly callId: string;
  readonly seq: number;
  readonly role: LegRole;
  readonly endpoint: string;
  readonly src: string | null;
  readonly dst: string | null;
  readonly sipCallId: string | null;
  readonly remoteAddress: string | null;
  readonly userAgent: string | null;
  readonly startIso: string;
  readonly startMs: number;
  readonly answerIso: string | null;
  readonly answerMs: number | null;
  readonly endIso: string;
  readonly endMs: number;
  readonly duration: number;
  readonly billsec: number;
  readonly disposition: CdrDisposition;
  readonly sipCode: number | null;
  readonly q850Cause: number | null;
  readonly hangupSide: HangupSide | null;
  readonly pddMs: number | null;
  readonly codec: string | null;
  readonly rtpPacketsIn: number | null;
  readonly rtpPacketsOut: number | null;
  readonly rtpLostIn: number | null;
  readonly jitterMs: number | null;
  readonly mos: number | null;
  readonly recordingPath: string | null;
}

export interface CdrQuery {
  /** Inclusive lower bound on start time, epoch ms. */
  readonly from?: number | undefined;
  /** Exclusive upper bound on start time, epoch ms. */
  readonly to?: number | undefined;
  /** Default 100, at most 1000. */
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
  readonly direction?: CdrDirection | undefined;
  /** Exact match on the caller number. */
  readonly src?: string | undefined;
  /** Exact match on the dialled number. */
  readonly dst?: string | undefined;
}

/**
 * One queued CDR write, as the engine's writer hands a batch to the store
 * (`CdrStore.applyCdrBatch`, directly or through the write thread).
 * `marker` on a final row is the open marker that was dropped for it: written
 * after all if the final row fails, so the call still leaves a trace.
 */
export type CdrOp =
  | { readonly kind: 'open'; readonly start: CdrCallStart }
  | { readonly kind: 'final'; readonly call: CdrCall; readonly legs: readonly CdrLeg[]; readonly marker: CdrCallStart | undefined };

/** What went wrong in a batch: per-row failures, or the commit itself (every row lost). */
export interface CdrBatchResult {
  readonly failed: ReadonlyArray<{ readonly callId: string; readonly what: 'open' | 'final'; readonly error: string }>;
  readonly commitError?: { readonly error: string; readonly callIds: readonly string[] };
}
