/**
 * Offer/answer for one audio stream (RFC 3264): answer an offer choosing the
 * codec in the offerer's order among the ones we support (§6.1: "the answerer
 * SHOULD ... use the ordering of the offer"), keep telephone-event with the
 * offerer's PT (RFC 4733 §7.1.1), mirror ptime and direction (§6.1 table,
 * §8.4 hold, including old-style c=0.0.0.0 hold), reject the other streams with
 * port 0 (§6: the answer has as many m= lines as the offer); create offers;
 * read an answer to an offer we made.
 *
 * We answer with a single audio codec (plus telephone-event) so each leg
 * carries exactly one payload format and the relay's mapping is fixed.
 * Leaves out: video and T.38 (rejected with port 0), multiple audio streams
 * (only the first usable one is answered), and SRTP (RTP/SAVP is rejected).
 */
import { err, ok, type Result } from '../../common/index.ts';
import { codecByName, codecByStaticPt, type AudioCodecName, type NegotiatedMedia } from '../codec/registry.ts';
import { sdpError, type SdpError } from '../errors.ts';
import { SdpOriginState } from './origin.ts';
import { parseSdp } from './parse.ts';
import { effectiveMedia, type MediaDirection, type SdpMedia, type SdpRtpMap, type SessionDescription } from './sdp-types.ts';
import { serializeAfterOrigin, serializeSdpWithRest } from './serialize.ts';

export interface LocalCapabilities {
  /** Codecs we accept, in our order of preference (used when we offer). */
  readonly codecs: readonly AudioCodecName[];
  readonly telephoneEvent: boolean;
  /** PT for telephone-event in our offers (dynamic range 96–127; default 101). */
  readonly telephoneEventPt?: number;
  /** Packetisation in ms when the peer states none (default 20). */
  readonly ptime?: number;
}

/** What the remote side told us about its media. */
export interface RemoteMedia {
  /** Undefined when the remote gave no usable address (hold by 0.0.0.0). */
  readonly address: string | undefined;
  readonly port: number;
  readonly rtcpPort: number;
  readonly direction: MediaDirection;
  readonly onHold: boolean;
  readonly ptime: number | undefined;
}

export interface NegotiationResult {
  readonly description: SessionDescription;
  readonly text: string;
  readonly negotiated: NegotiatedMedia;
  readonly remote: RemoteMedia;
  readonly localDirection: MediaDirection;
}

export interface AnswerOptions {
  readonly origin?: SdpOriginState;
  /** We put the remote on hold (RFC 3264 §8.4): we stop sending. */
  readonly localHold?: boolean;
}

const SUPPORTED_PROTO = /^RTP\/AVP$/i;

function rtpmapFor(m: SdpMedia, pt: number): SdpRtpMap | undefined {
  return m.rtpmaps.find((r) => r.payloadType === pt);
}

function codecOf(m: SdpMedia, pt: number): { name: string; clockRate: number } | undefined {
  const r = rtpmapFor(m, pt);
  if (r !== undefined) return { name: r.encoding, clockRate: r.clockRate };
  const s = codecByStaticPt(pt);
  return s === undefined ? undefined : { name: s.name, clockRate: s.clockRate };
}

/** §6.1: sendonly ↔ recvonly, inactive stays, sendrecv stays; a local hold removes our sending. */
function answerDirection(offered: MediaDirection, localHold: boolean): MediaDirection {
  const base: MediaDirection = offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered;
  if (!localHold) return base;
  return base === 'sendrecv' ? 'sendonly' : base === 'recvonly' ? 'inactive' : base;
}

function remoteOf(sd: SessionDescription, m: SdpMedia): RemoteMedia {
  const eff = effectiveMedia(sd, m);
  // Old-style hold (RFC 3264 §8.4 / RFC 2543): c=0.0.0.0 means "do not send to me".
  const direction: MediaDirection = eff.holdByZeroAddress ? (eff.direction === 'sendrecv' ? 'sendonly' : eff.direction === 'recvonly' ? 'inactive' : eff.direction) : eff.direction;
  const address = eff.connection === undefined || eff.holdByZeroAddress ? undefined : eff.connection.address;
  return {
    address,
    port: m.port,
    rtcpPort: m.rtcp?.port ?? m.port + 1,
    direction,
    onHold: direction === 'sendonly' || direction === 'inactive',
    ptime: m.ptime,
  };
}

/** Choose the audio codec and telephone-event PT from `m` in its own order. */
function choose(m: SdpMedia, caps: LocalCapabilities): NegotiatedMedia | undefined {
  let codec: { name: AudioCodecName; pt: number } | undefined;
  let te: number | undefined;
  for (const f of m.formats) {
    const pt = Number(f);
    const c = codecOf(m, pt);
    if (c === undefined) continue;
    const known = codecByName(c.name, c.clockRate);
    if (known === undefined) continue;
    if (known.name === 'telephone-event') {
      if (caps.telephoneEvent && te === undefined) te = pt;
    } else if (codec === undefined && caps.codecs.includes(known.name)) {
      codec = { name: known.name, pt };
    }
  }
  if (codec === undefined) return undefined;
  return te === undefined ? { codec: codec.name, payloadType: codec.pt } : { codec: codec.name, payloadType: codec.pt, telephoneEventPt: te };
}

function audioMediaFor(n: NegotiatedMedia, port: number, ptime: number, direction: MediaDirection, codecName: string): SdpMedia {
  const rtpmaps: SdpRtpMap[] = [{ payloadType: n.payloadType, encoding: codecName, clockRate: 8000 }];
  const formats = [String(n.payloadType)];
  const fmtps: { payloadType: number; config: string }[] = [];
  if (n.telephoneEventPt !== undefined) {
    formats.push(String(n.telephoneEventPt));
    rtpmaps.push({ payloadType: n.telephoneEventPt, encoding: 'telephone-event', clockRate: 8000 });
    fmtps.push({ payloadType: n.telephoneEventPt, config: '0-16' });
  }
  return { type: 'audio', port, proto: 'RTP/AVP', formats, connections: [], rtpmaps, fmtps, ptime, direction };
}

function finish(media: SdpMedia[], localAddr: string, origin: SdpOriginState): { description: SessionDescription; text: string } {
  const addrType = localAddr.includes(':') ? ('IP6' as const) : ('IP4' as const);
  const connections = [{ addrType, address: localAddr }];
  const placeholder = { username: '-', sessionId: '0', sessionVersion: '0', addrType, address: localAddr };
  const draft: SessionDescription = { origin: placeholder, sessionName: 'belfry', connections, media };
  // The version moves only when the body other than o= changes (RFC 3264 §8).
  // The lines after o= are written once; they are the same in the final text.
  const body = serializeAfterOrigin(draft);
  const description: SessionDescription = { ...draft, origin: origin.originFor(body, localAddr) };
  return { description, text: serializeSdpWithRest(description, body) };
}

/** Answer an offer (RFC 3264 §6). `offer` may be text or an already parsed body. */
export function answerOffer(
  offer: SessionDescription | string,
  caps: LocalCapabilities,
  localAddr: string,
  localPort: number,
  opts: AnswerOptions = {},
): Result<NegotiationResult, SdpError> {
  let sd: SessionDescription;
  if (typeof offer === 'string') {
    const p = parseSdp(offer);
    if (!p.ok) return p;
    sd = p.value;
  } else {
    sd = offer;
  }
  const origin = opts.origin ?? new SdpOriginState('1');
  let chosen: { index: number; negotiated: NegotiatedMedia } | undefined;
  let sawAudio = false;
  for (let i = 0; i < sd.media.length && chosen === undefined; i++) {
    const m = sd.media[i];
    if (m === undefined || m.type !== 'audio' || m.port === 0 || !SUPPORTED_PROTO.test(m.proto)) continue;
    sawAudio = true;
    const n = choose(m, caps);
    if (n !== undefined) chosen = { index: i, negotiated: n };
  }
  if (chosen === undefined) {
    return err(sawAudio ? sdpError('SDP_NO_COMMON_CODEC', `no offered codec among ${caps.codecs.join(', ')}`) : sdpError('SDP_NO_AUDIO', 'no usable RTP/AVP audio stream in the offer'));
  }
  const offered = sd.media[chosen.index];
  if (offered === undefined) return err(sdpError('SDP_NO_AUDIO', 'no usable audio stream'));
  const remote = remoteOf(sd, offered);
  const localDirection = answerDirection(remote.direction, opts.localHold === true);
  const ptime = offered.ptime ?? caps.ptime ?? 20;
  const media: SdpMedia[] = sd.media.map((m, i) =>
    i === chosen.index
      ? audioMediaFor(chosen.negotiated, localPort, ptime, localDirection, chosen.negotiated.codec)
      : { type: m.type, port: 0, proto: m.proto, formats: m.formats.slice(0, 1), connections: [], rtpmaps: [], fmtps: [] },
  );
  const { description, text } = finish(media, localAddr, origin);
  return ok({ description, text, negotiated: chosen.negotiated, remote, localDirection });
}

export interface OfferOptions {
  readonly origin?: SdpOriginState;
  readonly direction?: MediaDirection;
}

/** Create an offer listing our codecs in preference order plus telephone-event (RFC 3264 §5). */
export function createOffer(caps: LocalCapabilities, localAddr: string, localPort: number, opts: OfferOptions = {}): { description: SessionDescription; text: string } {
  const formats: string[] = [];
  const rtpmaps: SdpRtpMap[] = [];
  const fmtps: { payloadType: number; config: string }[] = [];
  for (const c of caps.codecs) {
    const pt = c === 'PCMU' ? 0 : 8;
    formats.push(String(pt));
    rtpmaps.push({ payloadType: pt, encoding: c, clockRate: 8000 });
  }
  if (caps.telephoneEvent) {
    const tePt = caps.telephoneEventPt ?? 101;
    formats.push(String(tePt));
    rtpmaps.push({ payloadType: tePt, encoding: 'telephone-event', clockRate: 8000 });
    fmtps.push({ payloadType: tePt, config: '0-16' });
  }
  const media: SdpMedia[] = [
    { type: 'audio', port: localPort, proto: 'RTP/AVP', formats, connections: [], rtpmaps, fmtps, ptime: caps.ptime ?? 20, direction: opts.direction ?? 'sendrecv' },
  ];
  return finish(media, localAddr, opts.origin ?? new SdpOriginState('1'));
}

/** Read the answer to an offer we made (RFC 3264 §7): the first accepted audio stream and its codec. */
export function readAnswer(answer: SessionDescription | string, caps: LocalCapabilities): Result<{ negotiated: NegotiatedMedia; remote: RemoteMedia }, SdpError> {
  let sd: SessionDescription;
  if (typeof answer === 'string') {
    const p = parseSdp(answer);
    if (!p.ok) return p;
    sd = p.value;
  } else {
    sd = answer;
  }
  let sawAudio = false;
  for (const m of sd.media) {
    if (m.type !== 'audio' || m.port === 0 || !SUPPORTED_PROTO.test(m.proto)) continue;
    sawAudio = true;
    const n = choose(m, caps);
    if (n !== undefined) return ok({ negotiated: n, remote: remoteOf(sd, m) });
  }
  return err(sawAudio ? sdpError('SDP_NO_COMMON_CODEC', 'the answer accepted none of our codecs') : sdpError('SDP_NO_AUDIO', 'the answer rejected the audio stream'));
}
