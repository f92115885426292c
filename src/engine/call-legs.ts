/**
 * The CDR side of one call, pure (no I/O, no clock): the per-leg rows
 * (cdr-types.ts `LegRecord`) built at the call's end from what the call
 * kept — the caller's leg, every fork that was rung (with its final
 * status), the phone that picked the call up, and the parties that joined
 * by transfer — and the disposition of a call that ends in a reject.
 */
import type { RelaySideStats } from '../rtp/index.ts';
import type { DialogLeg, Flow, UacLeg, UasLeg } from '../sip/index.ts';
import type { Side } from './bridge.ts';
import type { CallRecord, Disposition, LegRecord } from './cdr-types.ts';
import type { RingTarget, RouteFailure } from './route-types.ts';

/** One UAC leg the call rang (a "fork"), with what happened to it. */
export interface Fork {
  readonly leg: UacLeg;
  readonly target: RingTarget;
  readonly start: number;
  answer: number | undefined;
  end: number | undefined;
  status: number | undefined;
  trunkIndex: number;
}

export interface CallLegsInput {
  readonly id: string;
  readonly a: { readonly flow: Flow; readonly src: string; readonly start: number; readonly answer: number | undefined; readonly sipCode: number };
  readonly forks: readonly Fork[];
  readonly winner: Fork | undefined;
  readonly picker: { readonly leg: UasLeg; readonly user: string; readonly start: number } | undefined;
  readonly adopted: ReadonlyArray<{ readonly leg: DialogLeg; readonly side: Side; readonly target: string; readonly start: number }>;
  readonly end: number;
  readonly codecs: { readonly a: string | undefined; readonly b: string | undefined };
  /** Undefined when the relay could not report (closed or a worker did not answer in time). */
  readonly stats: { readonly a: RelaySideStats; readonly b: RelaySideStats } | undefined;
}

const peer = (f: Flow): string => `${f.protocol}:${f.remoteAddress}:${f.remotePort}`;
const rtp = (s: RelaySideStats): LegRecord['rtp'] => ({ packetsIn: s.packetsReceived, packetsOut: s.packetsSent, lost: s.lost, jitterMs: s.jitterMs, mos: s.mos });

export function callLegRecords(x: CallLegsInput): LegRecord[] {
  const legs: LegRecord[] = [
    {
      legId: `${x.id}-a`,
      callId: x.id,
      role: 'a',
      peer: peer(x.a.flow),
      target: x.a.src,
      trunk: undefined,
      start: x.a.start,
      answer: x.a.answer,
      end: x.end,
      sipCode: x.a.sipCode,
      codec: x.codecs.a,
      rtp: (x.stats ? rtp(x.stats.a) : undefined),
    },
    ...x.forks.map(
      (f, i): LegRecord => ({
        legId: `${x.id}-b${i + 1}`,
        callId: f.leg.ownCallId,
        role: 'b',
        peer: peer(f.leg.flow),
        target: f.target.kind === 'contact' ? f.target.user : (f.target.trunks[f.trunkIndex]?.requestUri ?? ''),
        trunk: f.target.kind === 'trunk' ? f.target.trunks[f.trunkIndex]?.trunk : undefined,
        start: f.start,
        answer: f.answer,
        end: f.end ?? x.end,
        sipCode: f.status ?? 487,
        codec: f === x.winner ? x.codecs.b : undefined,
        rtp: f === x.winner ? (x.stats ? rtp(x.stats.b) : undefined) : undefined,
      }),
    ),
  ];
  const p = x.picker;
  if (p !== undefined) {
    legs.push({
      legId: `${x.id}-p`,
      callId: p.leg.invite.callId,
      role: 'b',
      peer: peer(p.leg.flow),
      target: p.user,
      trunk: undefined,
      start: p.start,
      answer: p.start,
      end: x.end,
      sipCode: 200,
      codec: x.codecs.b,
      rtp: (x.stats ? rtp(x.stats.b) : undefined),
    });
  }
  // Parties that joined by transfer: the RTP counters stay on the side's first leg.
  x.adopted.forEach((t, i) => {
    legs.push({
      legId: `${x.id}-t${i + 1}`,
      callId: t.leg.dialogId?.callId ?? '',
      role: t.side,
      peer: peer(t.leg.flow),
      target: t.target,
      trunk: undefined,
      start: t.start,
      answer: t.start,
      end: x.end,
      sipCode: 200,
      codec: t.side === 'a' ? x.codecs.a : x.codecs.b,
      rtp: undefined,
    });
  });
  return legs;
}

/**
 * CDR disposition and Q.850 cause of a reject. A plain reject that ends a
 * failed ring (no forwarding, no voicemail; `afterFailure` says why ringing
 * failed) keeps that reason: NO ANSWER (19) after the ring time, BUSY (17);
 * anything else (no phone registered, every fork failed) is FAILED with the
 * route's cause (480 → 18, RFC 3398 §8.2.6.1; Asterisk's CHANUNAVAIL).
 */
export function rejectOutcome(status: number, q850: number, afterFailure: RouteFailure | undefined): { disposition: Disposition; q850: number } {
  if (status === 486 || status === 600 || afterFailure === 'busy') return { disposition: 'BUSY', q850: 17 };
  if (afterFailure === 'no-answer') return { disposition: 'NO ANSWER', q850: 19 };
  return { disposition: 'FAILED', q850 };
}

/** The call's summary row (one per call) from what the call knew at its end. */
export function callRecord(x: {
  readonly id: string;
  readonly start: number;
  readonly answer: number | undefined;
  readonly end: number;
  readonly src: string;
  readonly srcName: string | undefined;
  readonly dst: string;
  readonly dstName: string | undefined;
  readonly direction: CallRecord['direction'];
  readonly trunk: string | undefined;
  readonly disposition: CallRecord['disposition'];
  readonly sipCode: number;
  readonly q850: number;
  readonly hangupSide: CallRecord['hangupSide'];
  readonly hangupReason: string;
  readonly codecs: { readonly a: string | undefined; readonly b: string | undefined; readonly transcoding: boolean };
}): CallRecord {
  return {
    callId: x.id,
    linkedId: x.id,
    start: x.start,
    answer: x.answer,
    end: x.end,
    src: x.src,
    srcName: x.srcName,
    dst: x.dst,
    dstName: x.dstName,
    direction: x.direction,
    trunk: x.trunk,
    disposition: x.disposition,
    sipCode: x.sipCode,
    q850: x.q850,
    hangupSide: x.hangupSide,
    hangupReason: x.hangupReason,
    codecA: x.codecs.a,
    codecB: x.codecs.b,
    transcoded: x.codecs.transcoding,
    recordingPath: undefined,
  };
}
