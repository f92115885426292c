/**
 * Where media anchors live. The engine asks an AnchorHost for an anchor (two
 * bound port pairs, A and B, relaying between them) and steers it through an
 * AnchorHandle: remote descriptions as SDP arrives, payload mappings when
 * codecs are known, silence timeout, stats, close. Two hosts implement it:
 * InProcessAnchorHost (relays on the calling thread, below) and
 * WorkerAnchorHost (worker-anchor-host.ts: relays in worker threads, each with
 * its own port range, for packet rates one thread cannot carry). The engine
 * does not know which one it has.
 *
 * Leaves out: moving a live anchor between hosts.
 */
import { err, ok, type Clock, type Result } from '../common/index.ts';
import { RtpError } from './errors.ts';
import type { PortPool } from './port-pool.ts';
import { RtpRelay, type PayloadMapping, type RelayEvent, type RelaySideName, type RelaySideStats } from './relay.ts';

/** What signalling learned about one side's remote media (all optional: unknown until SDP arrives). */
export interface AnchorRemote {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly remoteRtcpPort?: number;
  readonly latchAnyAddress?: boolean;
  /** PT of RFC 4733 telephone-event received from this side: digits are reported. */
  readonly telephoneEventPt?: number;
}

export interface AnchorOptions {
  /** 0 disables the timeout. */
  readonly silenceTimeoutMs: number;
  readonly relatchGuardMs?: number;
  readonly onEvent?: (e: RelayEvent) => void;
}

export interface AnchorStats {
  readonly a: RelaySideStats;
  readonly b: RelaySideStats;
}

export interface AnchorHandle {
  /** The local address and RTP ports to put in SDP (RTCP is port + 1). */
  readonly address: string;
  readonly aPort: number;
  readonly bPort: number;
  setRemote(side: RelaySideName, remote: AnchorRemote): void;
  setMappings(aToB: readonly PayloadMapping[] | undefined, bToA: readonly PayloadMapping[] | undefined): void;
  setSilenceTimeout(ms: number): void;
  stats(): Promise<AnchorStats>;
  /** Idempotent; ports go back to the pool. */
  close(): void;
  readonly closed: boolean;
}

export interface AnchorHost {
  createAnchor(opts: AnchorOptions): Promise<Result<AnchorHandle, RtpError>>;
  /** Close every anchor and stop the host. */
  close(): Promise<void>;
}

/** Relays on the calling thread, ports from one PortPool, which it owns and closes. */
export class InProcessAnchorHost implements AnchorHost {
  readonly #pool: PortPool;
  readonly #clock: Clock;
  readonly #live = new Set<AnchorHandle>();
  #closed = false;

  constructor(pool: PortPool, clock: Clock) {
    this.#pool = pool;
    this.#clock = clock;
  }

  async createAnchor(opts: AnchorOptions): Promise<Result<AnchorHandle, RtpError>> {
    if (this.#closed) return err(new RtpError('RTP_SESSION_CLOSED', 'anchor host is closed'));
    const pa = await this.#pool.allocate();
    if (!pa.ok) return pa;
    const pb = await this.#pool.allocate();
    if (!pb.ok) {
      pa.value.release();
      return pb;
    }
    const guard = opts.relatchGuardMs === undefined ? {} : { relatchGuardMs: opts.relatchGuardMs };
    const relay = new RtpRelay({
      a: { pair: pa.value, ...guard },
      b: { pair: pb.value, ...guard },
      silenceTimeoutMs: opts.silenceTimeoutMs,
      clock: this.#clock,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    const live = this.#live;
    const handle: AnchorHandle = {
      address: pa.value.address,
      aPort: pa.value.rtpPort,
      bPort: pb.value.rtpPort,
      setRemote(side, remote) {
        relay.setRemote(side, remote);
        relay.setTelephoneEventPt(side, remote.telephoneEventPt);
      },
      setMappings: (aToB, bToA) => relay.setMappings(aToB, bToA),
      setSilenceTimeout: (ms) => relay.setSilenceTimeout(ms),
      stats: () => Promise.resolve(relay.stats()),
      close() {
        relay.close();
        live.delete(handle);
      },
      get closed() {
        return relay.closed;
      },
    };
    live.add(handle);
    return ok(handle);
  }

  /** Close every anchor, then the pool's warm and idle sockets (the host owns its pool). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const h of [...this.#live]) h.close();
    this.#pool.close();
  }
}
