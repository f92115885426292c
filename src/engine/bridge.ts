/**
 * The media half of a call: one RTP relay anchoring both legs on belfry's
 * ports, and the SDP each leg sees (RFC 3264 offer/answer with our address
 * and ports, never the other phone's). Codec choice avoids transcoding when
 * it can: the B leg is offered the caller's preferred G.711 law first, and
 * the caller is answered with the law the callee picked if the caller
 * offered it; otherwise the relay converts μ-law ↔ A-law in place.
 *
 * Late offer (INVITE without SDP, RFC 3261 §13.2.1) is supported: B is
 * offered our full codec list and A gets our offer in the 2xx; A's answer
 * arrives in the ACK.
 */
import { err, ok, type Clock, type Ids, type Logger, type Result } from '../common/index.ts';
import {
  answerOffer,
  createOffer,
  parseSdp,
  readAnswer,
  relayMappings,
  SdpOriginState,
  type AudioCodecName,
  type LocalCapabilities,
  type NegotiatedMedia,
  type RemoteMedia,
  type SessionDescription,
} from '../media/index.ts';
import type { AnchorHandle, AnchorHost, AnchorStats, RelayEvent } from '../rtp/index.ts';

export type Side = 'a' | 'b';

const ALL: readonly AudioCodecName[] = ['PCMU', 'PCMA'];
const SDP = 'application/sdp';

export interface BridgeOptions {
  /** In-process or worker-thread relays (rtp.workers). */
  readonly anchors: AnchorHost;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  /** Address advertised in our SDP (c=). */
  readonly advertise: string;
  readonly silenceTimeoutMs: number;
  readonly onEvent: (e: RelayEvent) => void;
}

interface SideState {
  /** Our RTP port for this side (RTCP is port + 1). */
  readonly port: number;
  readonly origin: SdpOriginState;
  negotiated: NegotiatedMedia | undefined;
  remote: RemoteMedia | undefined;
}

function caps(codecs: readonly AudioCodecName[]): LocalCapabilities {
  return { codecs, telephoneEvent: true, telephoneEventPt: 101 };
}

function firstOfferedCodecs(sd: SessionDescription): AudioCodecName[] {
  const out: AudioCodecName[] = [];
  for (const m of sd.media) {
    if (m.type !== 'audio' || m.port === 0) continue;
    for (const f of m.formats) {
      const pt = Number(f);
      const map = m.rtpmaps.find((r) => r.payloadType === pt);
      const name = (map?.encoding ?? (pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : '')).toUpperCase();
      if ((name === 'PCMU' || name === 'PCMA') && !out.includes(name)) out.push(name);
    }
    break;
  }
  return out;
}

export class MediaBridge {
  readonly #o: BridgeOptions;
  readonly #a: SideState;
  readonly #b: SideState;
  readonly #relay: AnchorHandle;
  /** The caller's offer, kept until B answers (then we answer A from it). */
  #offerFromA: SessionDescription | undefined;
  #closed = false;
  #answered = false;

  private constructor(o: BridgeOptions, anchor: AnchorHandle) {
    this.#o = o;
    const sessionId = () => String(o.ids.ssrc());
    this.#a = { port: anchor.aPort, origin: new SdpOriginState(sessionId()), negotiated: undefined, remote: undefined };
    this.#b = { port: anchor.bPort, origin: new SdpOriginState(sessionId()), negotiated: undefined, remote: undefined };
    this.#relay = anchor;
  }

  static async open(o: BridgeOptions): Promise<Result<MediaBridge, string>> {
    // Silence is armed only once the call is answered (ringing is silent).
    const anchor = await o.anchors.createAnchor({ silenceTimeoutMs: 0, onEvent: o.onEvent });
    if (!anchor.ok) return err(anchor.error.code);
    return ok(new MediaBridge(o, anchor.value));
  }

  get ports(): { a: number; b: number } {
    return { a: this.#a.port, b: this.#b.port };
  }

  /** Step 1: the caller's INVITE body (undefined = late offer). Returns the offer for B, or an error (→ 488). */
  offerForB(bodyFromA: Buffer | undefined): Result<{ body: Buffer; contentType: string }, string> {
    let preferred: readonly AudioCodecName[] = ALL;
    if (bodyFromA !== undefined && bodyFromA.length > 0) {
      const p = parseSdp(bodyFromA.toString('utf8'));
      if (!p.ok) return err(p.error.code);
      const offered = firstOfferedCodecs(p.value);
      if (offered.length === 0) return err('SDP_NO_COMMON_CODEC');
      this.#offerFromA = p.value;
      // The caller's favourite first (no transcoding if B takes it), then the other law.
      preferred = [...offered, ...ALL.filter((c) => !offered.includes(c))];
    }
    const offer = createOffer(caps(preferred), this.#o.advertise, this.#b.port, { origin: this.#b.origin });
    return ok({ body: Buffer.from(offer.text), contentType: SDP });
  }

  /**
   * Step 2: B's answer (in a 183 or the 2xx). Returns the body for A: our
   * answer to A's offer, or — for a late offer — our offer to A.
   */
  answerFromB(body: Buffer): Result<{ body: Buffer; contentType: string }, string> {
    const r = readAnswer(body.toString('utf8'), caps(ALL));
    if (!r.ok) return err(r.error.code);
    this.#b.negotiated = r.value.negotiated;
    this.#setRemote('b', r.value.remote);
    if (this.#offerFromA === undefined) {
      const offer = createOffer(caps([r.value.negotiated.codec]), this.#o.advertise, this.#a.port, { origin: this.#a.origin });
      return ok({ body: Buffer.from(offer.text), contentType: SDP });
    }
    return this.#answerA(this.#offerFromA, r.value.negotiated.codec);
  }

  /**
   * Pickup: a new phone takes the call with its own INVITE offer on the B
   * side. Returns our answer to it and the answer for A.
   */
  answerOfferOnB(body: Buffer): Result<{ forB: { body: Buffer; contentType: string }; forA: { body: Buffer; contentType: string } }, string> {
    const p = parseSdp(body.toString('utf8'));
    if (!p.ok) return err(p.error.code);
    const aOffered = this.#offerFromA === undefined ? ALL : firstOfferedCodecs(this.#offerFromA);
    const pOffered = firstOfferedCodecs(p.value);
    const common = aOffered.filter((c) => pOffered.includes(c));
    const ans = answerOffer(p.value, caps(common.length > 0 ? common : pOffered), this.#o.advertise, this.#b.port, { origin: this.#b.origin });
    if (!ans.ok) return err(ans.error.code);
    this.#b.negotiated = ans.value.negotiated;
    this.#setRemote('b', ans.value.remote);
    if (this.#offerFromA === undefined) return err('SDP_LATE_OFFER_PICKUP');
    const forA = this.#answerA(this.#offerFromA, ans.value.negotiated.codec);
    if (!forA.ok) return forA;
    return ok({ forB: { body: Buffer.from(ans.value.text), contentType: SDP }, forA: forA.value });
  }

  /** Late offer: the caller's answer arrived in its ACK. */
  answerFromA(body: Buffer): Result<void, string> {
    const r = readAnswer(body.toString('utf8'), caps(ALL));
    if (!r.ok) return err(r.error.code);
    this.#a.negotiated = r.value.negotiated;
    this.#setRemote('a', r.value.remote);
    this.#applyMappings();
    return ok(undefined);
  }

  #answerA(offer: SessionDescription, bCodec: AudioCodecName): Result<{ body: Buffer; contentType: string }, string> {
    const offered = firstOfferedCodecs(offer);
    const order = offered.includes(bCodec) ? [bCodec] : offered;
    const ans = answerOffer(offer, caps(order), this.#o.advertise, this.#a.port, { origin: this.#a.origin });
    if (!ans.ok) return err(ans.error.code);
    this.#a.negotiated = ans.value.negotiated;
    this.#setRemote('a', ans.value.remote);
    this.#applyMappings();
    return ok({ body: Buffer.from(ans.value.text), contentType: SDP });
  }

  /**
   * A re-INVITE/UPDATE offer from one side (hold, resume, new address or
   * codec): returns the offer to send to the other side. The codec of the
   * other side stays as negotiated; the direction is carried over.
   */
  reofferFrom(side: Side, body: Buffer): Result<{ body: Buffer; contentType: string }, string> {
    const p = parseSdp(body.toString('utf8'));
    if (!p.ok) return err(p.error.code);
    const from = side === 'a' ? this.#a : this.#b;
    const to = side === 'a' ? this.#b : this.#a;
    const offered = firstOfferedCodecs(p.value);
    if (offered.length === 0) return err('SDP_NO_COMMON_CODEC');
    // Answer the offering side now (kept until the other side answers).
    const keep = from.negotiated !== undefined && offered.includes(from.negotiated.codec) ? [from.negotiated.codec] : offered;
    const ans = answerOffer(p.value, caps(keep), this.#o.advertise, from.port, { origin: from.origin });
    if (!ans.ok) return err(ans.error.code);
    this.#pendingAnswer = { side, text: ans.value.text, negotiated: ans.value.negotiated, remote: ans.value.remote };
    const dir = ans.value.remote.direction; // what the offerer wants; the other side gets the same view
    const codec = to.negotiated?.codec ?? ans.value.negotiated.codec;
    const offer = createOffer(caps([codec]), this.#o.advertise, to.port, { origin: to.origin, direction: dir });
    return ok({ body: Buffer.from(offer.text), contentType: SDP });
  }

  #pendingAnswer: { side: Side; text: string; negotiated: NegotiatedMedia; remote: RemoteMedia } | undefined;

  /** The other side answered our re-offer: apply both and return the answer for the offering side. */
  reanswerFrom(side: Side, body: Buffer | undefined): Result<{ body: Buffer; contentType: string }, string> {
    const pending = this.#pendingAnswer;
    if (pending === undefined || pending.side === side) return err('SDP_NO_PENDING_OFFER');
    this.#pendingAnswer = undefined;
    if (body !== undefined && body.length > 0) {
      const r = readAnswer(body.toString('utf8'), caps(ALL));
      if (!r.ok) return err(r.error.code);
      const st = side === 'a' ? this.#a : this.#b;
      st.negotiated = r.value.negotiated;
      this.#setRemote(side, r.value.remote);
    }
    const offerer = pending.side === 'a' ? this.#a : this.#b;
    offerer.negotiated = pending.negotiated;
    this.#setRemote(pending.side, pending.remote);
    this.#applyMappings();
    // On hold nobody may send RTP for a long time: suspend the silence
    // timeout until the call is resumed (sendrecv again).
    const held = pending.remote.direction !== 'sendrecv';
    if (this.#answered) this.#relay.setSilenceTimeout(held ? 0 : this.#o.silenceTimeoutMs);
    return ok({ body: Buffer.from(pending.text), contentType: SDP });
  }

  /** Our current SDP towards one side (an offer for an offerless re-INVITE, RFC 3261 §14.2). */
  currentOffer(side: Side): { body: Buffer; contentType: string } {
    const st = side === 'a' ? this.#a : this.#b;
    const codecs: readonly AudioCodecName[] = st.negotiated ? [st.negotiated.codec] : ALL;
    const offer = createOffer(caps(codecs), this.#o.advertise, st.port, { origin: st.origin });
    return { body: Buffer.from(offer.text), contentType: SDP };
  }

  /**
   * Transfer (RFC 3515/3891): an offer towards a new party taking `side`
   * over. The codec the other side already uses comes first, so a new party
   * that accepts it needs no transcoding; the other side's media path and
   * SDP do not change (the anchor hides the move).
   */
  offerOn(side: Side): { body: Buffer; contentType: string } {
    const st = side === 'a' ? this.#a : this.#b;
    const first = (side === 'a' ? this.#b : this.#a).negotiated?.codec;
    const order: readonly AudioCodecName[] = first === undefined ? ALL : [first, ...ALL.filter((c) => c !== first)];
    const offer = createOffer(caps(order), this.#o.advertise, st.port, { origin: st.origin });
    return { body: Buffer.from(offer.text), contentType: SDP };
  }

  /** The new party's answer to `offerOn(side)`: its address and codec now serve that side. */
  answerOn(side: Side, body: Buffer): Result<void, string> {
    const r = readAnswer(body.toString('utf8'), caps(ALL));
    if (!r.ok) return err(r.error.code);
    (side === 'a' ? this.#a : this.#b).negotiated = r.value.negotiated;
    this.#setRemote(side, r.value.remote);
    this.#applyMappings();
    return ok(undefined);
  }

  /** A new party's own offer for `side` (INVITE with Replaces): our answer, preferring the other side's codec. */
  answerOfferOn(side: Side, body: Buffer): Result<{ body: Buffer; contentType: string }, string> {
    const p = parseSdp(body.toString('utf8'));
    if (!p.ok) return err(p.error.code);
    const offered = firstOfferedCodecs(p.value);
    if (offered.length === 0) return err('SDP_NO_COMMON_CODEC');
    const st = side === 'a' ? this.#a : this.#b;
    const first = (side === 'a' ? this.#b : this.#a).negotiated?.codec;
    const order = first !== undefined && offered.includes(first) ? [first] : offered;
    const ans = answerOffer(p.value, caps(order), this.#o.advertise, st.port, { origin: st.origin });
    if (!ans.ok) return err(ans.error.code);
    st.negotiated = ans.value.negotiated;
    this.#setRemote(side, ans.value.remote);
    this.#applyMappings();
    return ok({ body: Buffer.from(ans.value.text), contentType: SDP });
  }

  /** The call is answered: arm the RTP silence timeout. */
  answered(): void {
    this.#answered = true;
    this.#relay.setSilenceTimeout(this.#o.silenceTimeoutMs);
  }

  #setRemote(side: Side, remote: RemoteMedia): void {
    (side === 'a' ? this.#a : this.#b).remote = remote;
    if (remote.address === undefined) return; // on hold with 0.0.0.0: keep latching what arrives
    this.#relay.setRemote(side, { remoteAddress: remote.address, remotePort: remote.port, remoteRtcpPort: remote.rtcpPort });
  }

  #applyMappings(): void {
    const a = this.#a.negotiated;
    const b = this.#b.negotiated;
    if (a === undefined || b === undefined) return;
    this.#relay.setMappings(relayMappings(a, b), relayMappings(b, a));
  }

  codecs(): { a: string | undefined; b: string | undefined; transcoding: boolean } {
    const a = this.#a.negotiated?.codec;
    const b = this.#b.negotiated?.codec;
    return { a, b, transcoding: a !== undefined && b !== undefined && a !== b };
  }

  /** Per-side RTP figures; from a worker this is a round trip, so it is bounded by a timeout. */
  stats(): Promise<AnchorStats | undefined> {
    if (this.#relay.closed) return Promise.resolve(undefined);
    // The timeout is cancelled when the figures arrive: left running, each
    // call's timer and promise would outlive the call by 2 s.
    return new Promise((resolve) => {
      const timeout = this.#o.clock.setTimer(2000, () => resolve(undefined));
      this.#relay.stats().then(
        (s) => {
          timeout.cancel();
          resolve(s);
        },
        () => {
          timeout.cancel();
          resolve(undefined);
        },
      );
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#relay.close();
  }
}
