/**
 * The codecs belfry speaks and how they appear in SDP (RFC 3551 §6 static
 * payload types, RFC 4733 telephone-event with a dynamic PT). Also decides,
 * for a relayed call, whether the payload must be converted between the two
 * legs and builds the relay's payload mappings.
 *
 * Leaves out: every codec that is not G.711 (no G.722, Opus or G.729 in
 * this release; offers containing only those get 488 from the engine).
 */
import type { PayloadMapping } from '../../rtp/index.ts';
import { ALAW_TO_ULAW, ULAW_TO_ALAW } from './g711.ts';

export type AudioCodecName = 'PCMU' | 'PCMA';

export interface CodecInfo {
  readonly name: AudioCodecName | 'telephone-event';
  /** Static PT, or the PT we use when we are the offerer (dynamic range 96–127). */
  readonly payloadType: number;
  readonly clockRate: number;
  readonly dynamic: boolean;
}

export const PCMU: CodecInfo = { name: 'PCMU', payloadType: 0, clockRate: 8000, dynamic: false };
export const PCMA: CodecInfo = { name: 'PCMA', payloadType: 8, clockRate: 8000, dynamic: false };
export const TELEPHONE_EVENT: CodecInfo = { name: 'telephone-event', payloadType: 101, clockRate: 8000, dynamic: true };

export const CODECS: readonly CodecInfo[] = [PCMU, PCMA, TELEPHONE_EVENT];

/** Look up a codec by its rtpmap encoding name (case-insensitive, RFC 4566 §6) and clock rate. */
export function codecByName(name: string, clockRate: number): CodecInfo | undefined {
  const n = name.toLowerCase();
  return CODECS.find((c) => c.name.toLowerCase() === n && c.clockRate === clockRate);
}

/** A static PT we know without an rtpmap (RFC 3551 Table 4). */
export function codecByStaticPt(pt: number): CodecInfo | undefined {
  return pt === 0 ? PCMU : pt === 8 ? PCMA : undefined;
}

/** What one leg negotiated: its audio codec and PT, and its telephone-event PT if any. */
export interface NegotiatedMedia {
  readonly codec: AudioCodecName;
  readonly payloadType: number;
  readonly telephoneEventPt?: number;
}

/** Whether payload bytes must be converted between two legs (different G.711 laws). */
export function needsTranscoding(a: NegotiatedMedia, b: NegotiatedMedia): boolean {
  return a.codec !== b.codec;
}

/** The 256-byte table converting `from` payloads into `to` payloads, or undefined when none is needed. */
export function transcodeTable(from: AudioCodecName, to: AudioCodecName): Uint8Array | undefined {
  if (from === to) return undefined;
  return from === 'PCMU' ? ULAW_TO_ALAW : ALAW_TO_ULAW;
}

/**
 * Relay mappings for packets flowing from leg `from` to leg `to`: the audio
 * PT is rewritten to `to`'s number (payload converted if the laws differ), and
 * telephone-event to `to`'s event PT. When neither changes, no mapping is
 * returned and packets pass untouched.
 */
export function relayMappings(from: NegotiatedMedia, to: NegotiatedMedia): PayloadMapping[] {
  const out: PayloadMapping[] = [];
  const table = transcodeTable(from.codec, to.codec);
  if (table !== undefined || from.payloadType !== to.payloadType) {
    out.push(table === undefined ? { fromPt: from.payloadType, toPt: to.payloadType } : { fromPt: from.payloadType, toPt: to.payloadType, table });
  }
  if (from.telephoneEventPt !== undefined) {
    if (to.telephoneEventPt === undefined) {
      // The far leg did not negotiate RFC 4733: its phone would play the packets as noise.
      out.push({ fromPt: from.telephoneEventPt, toPt: from.telephoneEventPt, drop: true });
    } else if (from.telephoneEventPt !== to.telephoneEventPt) {
      out.push({ fromPt: from.telephoneEventPt, toPt: to.telephoneEventPt });
    }
  }
  return out;
}
