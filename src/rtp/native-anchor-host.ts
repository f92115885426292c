/**
 * AnchorHost over the native relay (native/relay.c, built by `npm ci` through
 * node-gyp into build/Release/belfry_native.node): RTP and RTCP are read with
 * recvmmsg and sent with sendto on native threads, each with its own epoll
 * set, so no packet ever reaches JavaScript. This thread takes port pairs the
 * relay threads bound ahead of need, steers anchors and receives their rare
 * events (latch, silence, telephone-event, socket error).
 *
 * The relay's per-packet decisions are relay.ts's, session.ts's and
 * stats.ts's, written again in C; what is decided per call (the remote
 * description, the payload map, the quality figures) uses the same
 * TypeScript functions. test/integration/rtp/native-relay.test.ts feeds both
 * relays the same packets.
 * Released ports stay bound for `quarantineMs` and drop what arrives (RFC 4961
 * §4), as PortPool's idle pairs do. The pairs bound at once never exceed the
 * descriptor budget (fd-budget.ts); at the budget the oldest quarantined
 * anchor gives its ports up early, and only then does a call fail.
 *
 * Leaves out: what relay.ts leaves out (SRTP, rtcp-mux, SSRC rewriting),
 * and remotes of the other address family than the bind address (an IPv6
 * SDP address on an IPv4 relay leaves that side without a destination until
 * RTP latches it).
 */
import { err, loadNativeAddon, ok, type Result } from '../common/index.ts';
import type { AnchorHandle, AnchorHost, AnchorOptions, AnchorRemote, AnchorStats } from './anchor-host.ts';
import { RtpError, type RtpOperationalCode } from './errors.ts';
import { DirectionMap, receiveQuality, type PayloadMapping, type RelayEvent, type RelaySideName, type RelaySideStats } from './relay.ts';
import { resolveRemote } from './session.ts';
import { eventToDigit } from './telephone-event.ts';

type Engine = object;

/** The addon's functions (native/relay.c, "Node-API glue"). */
interface NativeRelay {
  open(address: string, minPort: number, maxPort: number, threads: number, maxPairs: number, quarantineMs: number, socketBufferBytes: number, onEvent: (id: number, kind: number, side: number, value: number, address: string, port: number) => void): Engine;
  create(e: Engine, silenceMs: number, guardMs: number): [number, number, number, number] | [string, string];
  setRemote(e: Engine, slot: number, id: number, side: number, address: string, port: number, rtcpPort: number, latchAny: number, tePt: number): void;
  setMappings(e: Engine, slot: number, id: number, side: number, outPt: Int16Array, tableIdx: Int8Array, tables: Uint8Array): void;
  setSilence(e: Engine, slot: number, id: number, ms: number): void;
  stats(e: Engine, slot: number, id: number): [Float64Array, string, string] | undefined;
  close(e: Engine, slot: number, id: number): void;
  counters(e: Engine): number[] | undefined;
  shutdown(e: Engine): void;
}

const EV_LATCHED = 1;
const EV_RELATCHED = 2;
const EV_SILENCE = 3;
const EV_TELEPHONE_EVENT = 4;
const EV_SOCKET_ERROR = 5;
const STAT_FIELDS = 15;
const MAX_TABLES = 4;

/** The relay's functions of the native addon, or why it cannot be loaded (not built: run `npm run build:native`). */
export function loadNativeRelay(): Result<NativeRelay, string> {
  const r = loadNativeAddon();
  return r.ok ? ok(r.value as NativeRelay) : r;
}

export interface NativeAnchorHostOptions {
  readonly address: string;
  readonly minPort: number;
  readonly maxPort: number;
  /** Relay threads (at least 1); anchors go to the thread with the fewest. */
  readonly threads: number;
  /** Most pairs bound at once, live and in quarantine (fd-budget.ts). */
  readonly maxBoundPairs: number;
  /** How long released ports stay bound and drop packets (default 2000 ms). */
  readonly quarantineMs?: number;
  readonly socketBufferBytes?: number;
}

/** relay.ts's DirectionMap as the addon's flat arrays: out PT per in PT, table index per PT, the distinct tables. */
function flattenMappings(mappings: readonly PayloadMapping[] | undefined): { outPt: Int16Array; tableIdx: Int8Array; tables: Uint8Array } {
  const map = new DirectionMap();
  map.set(mappings);
  const tableIdx = new Int8Array(128).fill(-1);
  const distinct: Uint8Array[] = [];
  map.tables.forEach((t, pt) => {
    if (t === undefined) return;
    let i = distinct.indexOf(t);
    if (i < 0 && distinct.length < MAX_TABLES) i = distinct.push(t) - 1;
    if (i >= 0) tableIdx[pt] = i;
  });
  const tables = new Uint8Array(distinct.length * 256);
  distinct.forEach((t, i) => tables.set(t, i * 256));
  return { outPt: map.outPt, tableIdx, tables };
}

function sideStats(v: Float64Array, base: number, remoteAddress: string): RelaySideStats {
  const expected = v[base + 5] ?? 0;
  const q = receiveQuality(expected, v[base + 6] ?? 0, v[base + 7] ?? 0, 8000);
  return {
    localPort: v[base] ?? 0,
    remoteAddress,
    remotePort: v[base + 1] ?? 0,
    latched: v[base + 2] === 1,
    packetsReceived: v[base + 3] ?? 0,
    bytesReceived: v[base + 4] ?? 0,
    expected,
    lost: q.lost,
    jitterMs: q.jitterMs,
    packetsSent: v[base + 8] ?? 0,
    bytesSent: v[base + 9] ?? 0,
    malformed: v[base + 10] ?? 0,
    droppedForeign: v[base + 11] ?? 0,
    rtcpReceived: v[base + 12] ?? 0,
    mos: q.mos,
  };
}

export class NativeAnchorHost implements AnchorHost {
  readonly #relay: NativeRelay;
  readonly #engine: Engine;
  readonly #address: string;
  readonly #listeners = new Map<number, { handle: AnchorHandle; onEvent: ((e: RelayEvent) => void) | undefined }>();
  #closed = false;

  private constructor(relay: NativeRelay, engine: Engine, address: string, onEvents: (f: (id: number, kind: number, side: number, value: number, address: string, port: number) => void) => void) {
    this.#relay = relay;
    this.#engine = engine;
    this.#address = address;
    onEvents((id, kind, side, value, address, port) => this.#onEvent(id, kind, side, value, address, port));
  }

  /** Start the relay threads; fails when the addon is not built or the range is unusable. */
  static start(opts: NativeAnchorHostOptions): Result<NativeAnchorHost, RtpError> {
    const loadedRelay = loadNativeRelay();
    if (!loadedRelay.ok) return err(new RtpError('RTP_BIND_FAILED', `native relay not available: ${loadedRelay.error}`));
    const relay = loadedRelay.value;
    const first = opts.minPort + (opts.minPort & 1);
    if (!(opts.maxPort <= 65535 && first + 3 <= opts.maxPort)) return err(new RtpError('RTP_POOL_BAD_RANGE', `port range ${opts.minPort}-${opts.maxPort} holds fewer than 2 pairs`));
    let dispatch: (id: number, kind: number, side: number, value: number, address: string, port: number) => void = () => undefined;
    try {
      const engine = relay.open(opts.address, opts.minPort, opts.maxPort, Math.max(1, Math.floor(opts.threads)), opts.maxBoundPairs, opts.quarantineMs ?? 2000, opts.socketBufferBytes ?? 0, (...a) => dispatch(...a));
      return ok(new NativeAnchorHost(relay, engine, opts.address, (f) => (dispatch = f)));
    } catch (e) {
      return err(new RtpError('RTP_BIND_FAILED', `native relay did not start: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  #onEvent(id: number, kind: number, side: number, value: number, address: string, port: number): void {
    const l = this.#listeners.get(id);
    if (l === undefined || l.onEvent === undefined || l.handle.closed) return;
    const name: RelaySideName = side === 0 ? 'a' : 'b';
    let e: RelayEvent;
    if (kind === EV_LATCHED || kind === EV_RELATCHED) e = { kind: 'latched', side: name, address, port, relatch: kind === EV_RELATCHED };
    else if (kind === EV_SILENCE) e = { kind: 'silence', silentMs: value };
    else if (kind === EV_TELEPHONE_EVENT) e = { kind: 'telephone-event', side: name, event: value, digit: eventToDigit(value) };
    else if (kind === EV_SOCKET_ERROR) e = { kind: 'socket-error', side: name, message: `socket error ${value}` };
    else return;
    try {
      l.onEvent(e);
    } catch (error) {
      // STYLE G9: a listener's failure must not break event delivery.
      try {
        l.onEvent({ kind: 'listener-error', message: error instanceof Error ? error.message : String(error) });
      } catch {
        // nothing more to tell
      }
    }
  }

  createAnchor(opts: AnchorOptions): Promise<Result<AnchorHandle, RtpError>> {
    if (this.#closed) return Promise.resolve(err(new RtpError('RTP_SESSION_CLOSED', 'anchor host is closed')));
    const r = this.#relay.create(this.#engine, Math.max(0, opts.silenceTimeoutMs), opts.relatchGuardMs ?? 1000);
    if (typeof r[0] === 'string') return Promise.resolve(err(new RtpError(r[0] as RtpOperationalCode, String(r[1]))));
    const [slot, id, aPort, bPort] = r as [number, number, number, number];
    const relay = this.#relay;
    const engine = this.#engine;
    const listeners = this.#listeners;
    let closed = false;
    const handle: AnchorHandle = {
      address: this.#address,
      aPort,
      bPort,
      setRemote(side: RelaySideName, remote: AnchorRemote) {
        if (closed) return;
        // The same rule as session.ts: an unusable address leaves no destination until RTP latches.
        const r = resolveRemote(remote);
        relay.setRemote(engine, slot, id, side === 'a' ? 0 : 1, r.address, r.port, r.rtcpPort, r.latchAny ? 1 : 0, remote.telephoneEventPt ?? -1);
      },
      setMappings(aToB, bToA) {
        if (closed) return;
        // Packets received on A are sent on B, so A's map is the A→B direction (relay.ts).
        const a = flattenMappings(aToB);
        const b = flattenMappings(bToA);
        relay.setMappings(engine, slot, id, 0, a.outPt, a.tableIdx, a.tables);
        relay.setMappings(engine, slot, id, 1, b.outPt, b.tableIdx, b.tables);
      },
      setSilenceTimeout(ms) {
        if (!closed) relay.setSilence(engine, slot, id, Math.max(0, ms));
      },
      stats() {
        const s = closed ? undefined : relay.stats(engine, slot, id);
        if (s === undefined) return Promise.reject(new RtpError('RTP_SESSION_CLOSED', 'anchor is closed'));
        return Promise.resolve({ a: sideStats(s[0], 0, s[1]), b: sideStats(s[0], STAT_FIELDS, s[2]) } satisfies AnchorStats);
      },
      close() {
        if (closed) return;
        closed = true;
        listeners.delete(id);
        relay.close(engine, slot, id);
      },
      get closed() {
        return closed;
      },
    };
    listeners.set(id, { handle, onEvent: opts.onEvent });
    return Promise.resolve(ok(handle));
  }

  /**
   * Pairs bound now (live, in quarantine and reserved), send errors, events
   * dropped, quarantined anchors reclaimed early at the budget, pairs the
   * threads bound ahead of need, live anchors per thread.
   */
  counters(): { openPairs: number; sendErrors: number; eventsDropped: number; reclaimedEarly: number; reserved: number; anchorsPerThread: number[] } {
    const c = this.#closed ? undefined : this.#relay.counters(this.#engine);
    if (c === undefined) return { openPairs: 0, sendErrors: 0, eventsDropped: 0, reclaimedEarly: 0, reserved: 0, anchorsPerThread: [] };
    return { openPairs: c[0] ?? 0, sendErrors: c[1] ?? 0, eventsDropped: c[2] ?? 0, reclaimedEarly: c[3] ?? 0, reserved: c[4] ?? 0, anchorsPerThread: c.slice(5) };
  }

  /** Stop the threads and close every socket (quarantined ones too). */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const [, l] of this.#listeners) l.handle.close();
      this.#listeners.clear();
      this.#relay.shutdown(this.#engine);
    }
    return Promise.resolve();
  }
}
