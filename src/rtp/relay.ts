/**
 * The media anchor of one call: two sides (A and B), each an RTP/RTCP socket
 * pair from the PortPool facing one phone, relaying RTP A→B and B→A.
 *
 * Per packet (STYLE G12: nothing allocated by our code): the received Buffer
 * is validated through one reused RtpView, the latch decides (session.ts),
 * then — only when the direction has a mapping for the payload type — the
 * payload is converted in place through a 256-entry table (G.711 μ-law ↔
 * A-law is one byte per sample, so sizes never change) and the PT byte is
 * rewritten to the other leg's number (RFC 4733 telephone-event included).
 * Everything else — SSRC, sequence, timestamp, marker — passes through: each
 * leg is its own RTP session towards its phone, but the stream is one.
 * RTCP passes through the RTCP sockets after the same latching.
 *
 * Silence: when no RTP arrived from either side for `silenceTimeoutMs`, one
 * 'silence' event fires (the engine hangs up and records it in the CDR).
 *
 * Leaves out: SSRC/seq rewriting on media switches (needed only when the
 * engine splices a different source into a leg; that goes through media's
 * endpoint instead), jitter buffering and SRTP. Where relays run (main
 * thread or worker threads) is anchor-host.ts's concern.
 */
import type { RemoteInfo } from 'node:dgram';
import type { Clock, TimerHandle } from '../common/index.ts';
import { RtpView } from './packet.ts';
import type { RtpSocketPair } from './port-pool.ts';
import { RtpSession, type RtpSessionOptions } from './session.ts';
import { estimateMos } from './stats.ts';
import { eventToDigit, TelephoneEventTracker } from './telephone-event.ts';

export type RelaySideName = 'a' | 'b';

/**
 * One payload-type mapping of a direction: packets with `fromPt` leave with
 * `toPt`, payload converted by `table` if given; `drop` discards them (e.g.
 * telephone-event towards a leg that did not negotiate it).
 */
export interface PayloadMapping {
  readonly fromPt: number;
  readonly toPt: number;
  readonly drop?: boolean;
  /** 256-entry byte table applied to every payload byte (G.711 transcoding). */
  readonly table?: Uint8Array;
}

export interface RelaySideOptions extends RtpSessionOptions {
  readonly pair: RtpSocketPair;
  /** PT of telephone-event on packets received from this side; digits are reported as events. */
  readonly telephoneEventPt?: number;
}

export type RelayEvent =
  | { readonly kind: 'latched'; readonly side: RelaySideName; readonly address: string; readonly port: number; readonly relatch: boolean }
  | { readonly kind: 'silence'; readonly silentMs: number }
  | { readonly kind: 'telephone-event'; readonly side: RelaySideName; readonly event: number; readonly digit: string | undefined }
  | { readonly kind: 'socket-error'; readonly side: RelaySideName; readonly message: string }
  | { readonly kind: 'listener-error'; readonly message: string }
  /** The thread hosting the anchor died (worker-anchor-host.ts); the anchor is gone. */
  | { readonly kind: 'host-failure'; readonly message: string };

export interface RtpRelayOptions {
  readonly a: RelaySideOptions;
  readonly b: RelaySideOptions;
  /** Mappings for packets received on A and sent on B; none = pass through unchanged. */
  readonly aToB?: readonly PayloadMapping[];
  readonly bToA?: readonly PayloadMapping[];
  /** 0 disables the silence timeout. */
  readonly silenceTimeoutMs: number;
  readonly clock: Clock;
  readonly onEvent?: (e: RelayEvent) => void;
}

export interface RelaySideStats {
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly latched: boolean;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly expected: number;
  readonly lost: number;
  /** Interarrival jitter in ms. */
  readonly jitterMs: number;
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly malformed: number;
  readonly droppedForeign: number;
  readonly rtcpReceived: number;
  readonly mos: number;
}

/** The synchronous control surface of one relay (anchor-host.ts wraps it for the engine). */
export interface RelayHandle {
  close(): void;
  readonly closed: boolean;
  stats(): { readonly a: RelaySideStats; readonly b: RelaySideStats };
}

/**
 * Precomputed per-direction tables: out PT per in PT (-1 = pass unchanged,
 * -2 = drop) and payload tables. The native relay's host flattens this same
 * map for the addon (native-anchor-host.ts).
 */
export class DirectionMap {
  readonly outPt = new Int16Array(128).fill(-1);
  readonly tables: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(128).fill(undefined);
  set(mappings: readonly PayloadMapping[] | undefined): void {
    this.outPt.fill(-1);
    this.tables.fill(undefined);
    for (const m of mappings ?? []) {
      if (m.fromPt < 0 || m.fromPt > 127) continue;
      this.outPt[m.fromPt] = m.drop === true ? -2 : m.toPt & 0x7f;
      if (m.table !== undefined && m.table.length === 256) this.tables[m.fromPt] = m.table;
    }
  }
}

class Side {
  readonly session: RtpSession;
  readonly map = new DirectionMap();
  readonly tracker = new TelephoneEventTracker();
  tePt: number;
  packetsSent = 0;
  bytesSent = 0;
  malformed = 0;
  rtcpReceived = 0;
  constructor(
    readonly name: RelaySideName,
    readonly opts: RelaySideOptions,
  ) {
    this.session = new RtpSession(opts);
    this.tePt = opts.telephoneEventPt ?? -1;
  }
}

/**
 * A side's lost packets, jitter in ms and estimated MOS from its RFC 3550
 * counters (jitter in timestamp units); both relays report through this.
 * One-way delay is not measured on a relay (no RTT without terminating
 * RTCP), so the MOS uses 0 ms.
 */
export function receiveQuality(expected: number, received: number, jitterTs: number, clockRate: number): { lost: number; jitterMs: number; mos: number } {
  const lost = Math.max(0, expected - received);
  const jitterMs = (jitterTs * 1000) / clockRate;
  return { lost, jitterMs, mos: estimateMos(expected <= 0 ? 0 : lost / expected, jitterMs, 0) };
}

export class RtpRelay implements RelayHandle {
  readonly #a: Side;
  readonly #b: Side;
  readonly #clock: Clock;
  readonly #onEvent: ((e: RelayEvent) => void) | undefined;
  readonly #view = new RtpView();
  #silenceMs: number;
  #silenceTimer: TimerHandle | undefined;
  #silenceFired = false;
  readonly #createdAt: number;
  #closed = false;

  constructor(opts: RtpRelayOptions) {
    this.#clock = opts.clock;
    this.#onEvent = opts.onEvent;
    this.#a = new Side('a', opts.a);
    this.#b = new Side('b', opts.b);
    // Packets received on A are sent on B, so A's map is the A→B direction.
    this.#a.map.set(opts.aToB);
    this.#b.map.set(opts.bToA);
    this.#createdAt = this.#clock.now();
    this.#silenceMs = opts.silenceTimeoutMs;
    this.#wire(this.#a, this.#b);
    this.#wire(this.#b, this.#a);
    this.#armSilence();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Change payload mappings (codec renegotiated by re-INVITE). */
  setMappings(aToB: readonly PayloadMapping[] | undefined, bToA: readonly PayloadMapping[] | undefined): void {
    this.#a.map.set(aToB);
    this.#b.map.set(bToA);
  }

  /** New remote description for one side (re-INVITE, hold): latching starts over. */
  setRemote(side: RelaySideName, remote: Pick<RtpSessionOptions, 'remoteAddress' | 'remotePort' | 'remoteRtcpPort' | 'latchAnyAddress'>): void {
    (side === 'a' ? this.#a : this.#b).session.setRemote(remote);
  }

  /** Which PT carries RFC 4733 events from one side (-1 or undefined: no digit reports). */
  setTelephoneEventPt(side: RelaySideName, pt: number | undefined): void {
    const x = side === 'a' ? this.#a : this.#b;
    x.tePt = pt ?? -1;
    x.tracker.reset();
  }

  /** Change the silence timeout (0 disables it, e.g. while a call is on hold). */
  setSilenceTimeout(ms: number): void {
    this.#silenceMs = ms;
    this.#silenceFired = false;
    this.#silenceTimer?.cancel();
    this.#silenceTimer = undefined;
    this.#armSilence();
  }

  #emit(e: RelayEvent): void {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(e);
    } catch (error) {
      // STYLE G9: a listener's failure must not break the media path.
      if (e.kind !== 'listener-error') this.#emit({ kind: 'listener-error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  #wire(from: Side, to: Side): void {
    const { rtp, rtcp } = from.opts.pair;
    rtp.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#onRtp(from, to, msg, rinfo));
    rtcp.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#onRtcp(from, to, msg, rinfo));
    const onError = (e: Error) => this.#emit({ kind: 'socket-error', side: from.name, message: e.message });
    rtp.on('error', onError);
    rtcp.on('error', onError);
  }

  #onRtp(from: Side, to: Side, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    const v = this.#view;
    if (v.reset(msg, msg.length) !== 'ok') {
      from.malformed++;
      return;
    }
    const now = this.#clock.now();
    const s = from.session;
    const verdict = s.acceptRtp(rinfo.address, rinfo.port, v.ssrc, now);
    if (verdict === 'drop') return;
    if (verdict !== 'accept') this.#emit({ kind: 'latched', side: from.name, address: rinfo.address, port: rinfo.port, relatch: verdict === 'relatch' });
    const pt = v.payloadType;
    s.stats.update(v.ssrc, v.sequenceNumber, v.timestamp, Math.floor((now * s.clockRate) / 1000), msg.length);
    if (pt === from.tePt) {
      const ev = from.tracker.push(v.timestamp, msg, v.payloadOffset, v.payloadLength);
      if (ev >= 0) this.#emit({ kind: 'telephone-event', side: from.name, event: ev, digit: eventToDigit(ev) });
    }
    const out = from.map.outPt[pt] ?? -1;
    if (out === -2) return;
    if (out >= 0) {
      const table = from.map.tables[pt];
      if (table !== undefined) {
        const end = v.payloadOffset + v.payloadLength;
        for (let i = v.payloadOffset; i < end; i++) msg[i] = table[msg[i] ?? 0] ?? 0;
      }
      v.payloadType = out;
    }
    const dst = to.session;
    if (!dst.hasDestination) return;
    to.packetsSent++;
    to.bytesSent += msg.length;
    // The whole datagram: the short form of send() skips dgram's per-call
    // sliceBuffer (a new Buffer view for every packet with offset/length).
    to.opts.pair.rtp.send(msg, dst.remotePort, dst.remoteAddress);
  }

  #onRtcp(from: Side, to: Side, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    if (!from.session.acceptRtcp(rinfo.address, rinfo.port)) return;
    from.rtcpReceived++;
    const dst = to.session;
    if (dst.remoteRtcpPort === 0) return;
    to.opts.pair.rtcp.send(msg, dst.remoteRtcpPort, dst.remoteRtcpAddress);
  }

  #armSilence(): void {
    if (this.#closed || this.#silenceMs <= 0 || this.#silenceFired) return;
    const last = Math.max(this.#createdAt, this.#a.session.lastRtpAt, this.#b.session.lastRtpAt);
    const due = last + this.#silenceMs - this.#clock.now();
    // Re-check at the earliest moment the timeout could expire; no per-packet timer work.
    this.#silenceTimer = this.#clock.setTimer(Math.max(1, due), () => {
      this.#silenceTimer = undefined;
      if (this.#closed) return;
      const silent = this.#clock.now() - Math.max(this.#createdAt, this.#a.session.lastRtpAt, this.#b.session.lastRtpAt);
      if (silent >= this.#silenceMs) {
        this.#silenceFired = true;
        this.#emit({ kind: 'silence', silentMs: silent });
        return;
      }
      this.#armSilence();
    });
  }

  #sideStats(x: Side): RelaySideStats {
    const st = x.session.stats;
    const q = receiveQuality(st.expected, st.received, st.jitter, x.session.clockRate);
    return {
      localPort: x.opts.pair.rtpPort,
      remoteAddress: x.session.remoteAddress,
      remotePort: x.session.remotePort,
      latched: x.session.latched,
      packetsReceived: st.packets,
      bytesReceived: st.bytes,
      expected: st.expected,
      lost: q.lost,
      jitterMs: q.jitterMs,
      packetsSent: x.packetsSent,
      bytesSent: x.bytesSent,
      malformed: x.malformed,
      droppedForeign: x.session.droppedForeign,
      rtcpReceived: x.rtcpReceived,
      mos: q.mos,
    };
  }

  stats(): { readonly a: RelaySideStats; readonly b: RelaySideStats } {
    return { a: this.#sideStats(this.#a), b: this.#sideStats(this.#b) };
  }

  /** Stop relaying and return both port pairs to the pool; idempotent (STYLE G9). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#silenceTimer?.cancel();
    this.#silenceTimer = undefined;
    for (const x of [this.#a, this.#b]) {
      x.opts.pair.rtp.removeAllListeners('message');
      x.opts.pair.rtcp.removeAllListeners('message');
      x.opts.pair.release();
    }
  }
}
