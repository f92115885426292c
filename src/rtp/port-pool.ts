/**
 * Allocation of RTP/RTCP UDP port pairs from a configured range: RTP on an
 * even port, RTCP on port + 1 (RFC 3550 §11), both sockets bound before the
 * pair is handed out. Exhaustion and bind failures are results, not
 * exceptions.
 *
 * Call setup should not wait for socket syscalls, so a pair comes, in order:
 *  1. from the idle list: pairs released by earlier calls stay bound and are
 *     handed out again, oldest first, once they have been quiet for
 *     `reuseAfterMs` (the quarantine lets stray packets of the previous call
 *     stop before a new call can latch on the port, RFC 4961 §4; stray
 *     packets that still arrive meanwhile are read and dropped);
 *  2. from the warm reserve: up to `warmPairs` freshly bound pairs, refilled
 *     one pair per event-loop turn after an allocation, off the call path;
 *  3. bound on the spot, walking the range round-robin so a port closed by
 *     an earlier call is bound again last.
 * When the range has no free port left, an idle pair still in quarantine is
 * reused rather than failing the call. Idle pairs beyond `maxIdlePairs` are
 * closed. Idle and warm sockets are unref'd (they never keep the process
 * alive); close() closes them.
 *
 * Sockets use literalFirstLookup: dgram's send resolves the destination with
 * dns.lookup on every datagram, even for the IP literals the relay always
 * sends to (a process.nextTick per packet); IP literals are answered at once.
 *
 * Leaves out: rtcp-mux (RFC 5761) and per-interface pools (one pool per
 * bind address; the composition root may create several).
 */
import { createSocket, type Socket } from 'node:dgram';
import { err, literalFirstLookup, ok, systemClock, type Clock, type Result } from '../common/index.ts';
import { RtpError } from './errors.ts';

export interface PortPoolOptions {
  /** Address both sockets bind to (e.g. 127.0.0.1, 0.0.0.0, or an IPv6 address). */
  readonly address: string;
  /** First port of the range (rounded up to even). */
  readonly minPort: number;
  /** Last port of the range (inclusive); the last pair must fit. */
  readonly maxPort: number;
  /** Socket receive/send buffer size in bytes (optional; OS default otherwise). */
  readonly socketBufferBytes?: number;
  /** Pre-bound pairs kept ready for the next calls (default 8; 0 disables). */
  readonly warmPairs?: number;
  /** Quarantine before a released pair is handed out again, in ms (default 2000); 0 closes released pairs at once. */
  readonly reuseAfterMs?: number;
  /**
   * Most released pairs kept bound for reuse (default 2048, 4096 sockets).
   * Reuse needs about setup rate × 2 pairs × quarantine: 2048 covers 500 calls/s at 2 s.
   */
  readonly maxIdlePairs?: number;
  /** Monotonic time for the quarantine (STYLE G3); the system clock by default. */
  readonly clock?: Clock;
  /**
   * Most pairs bound at once (in use, warm and idle), from the process's file
   * descriptor budget (fd-budget.ts); the whole range when absent. Past it,
   * idle pairs are reused early and then allocation fails (RTP_PORTS_EXHAUSTED).
   */
  readonly maxBoundPairs?: number;
}

export interface RtpSocketPair {
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  readonly rtp: Socket;
  readonly rtcp: Socket;
  /**
   * Give the pair back; idempotent. The pool takes the sockets back: every
   * listener added since allocation is removed, and the sockets are either
   * kept for reuse or closed.
   */
  release(): void;
}

interface Bound {
  readonly port: number;
  readonly rtp: Socket;
  readonly rtcp: Socket;
}

interface Idle extends Bound {
  readonly since: number;
}

/** The pool's own 'error' listener: an error on a socket nobody uses must not crash the process. */
const ignoreError = (): void => undefined;

function bindSocket(address: string, port: number, bufferBytes: number | undefined): Promise<Result<Socket, unknown>> {
  return new Promise((resolve) => {
    const s = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4', lookup: literalFirstLookup });
    const onError = (e: unknown) => {
      closeQuietly(s);
      resolve(err(e));
    };
    s.once('error', onError);
    s.bind(port, address, () => {
      s.off('error', onError);
      s.on('error', ignoreError);
      s.on('close', markClosed);
      if (bufferBytes !== undefined) {
        try {
          s.setRecvBufferSize(bufferBytes);
          s.setSendBufferSize(bufferBytes);
        } catch {
          // The OS may cap buffer sizes (net.core.rmem_max); the defaults still work.
        }
      }
      resolve(ok(s));
    });
  });
}

/** EMFILE/ENFILE: the process or the system has no file descriptor left. */
function outOfDescriptors(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

function closeQuietly(s: Socket): void {
  try {
    s.close();
  } catch {
    // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing to release.
  }
}

/**
 * Sockets that emitted 'close' (a user may close one, or it failed). A set
 * instead of asking the socket (address() is a getsockname syscall), checked
 * at release and again when an idle pair is taken, since dgram emits 'close'
 * on the next tick.
 */
const closedSockets = new WeakSet<Socket>();
function markClosed(this: Socket): void {
  closedSockets.add(this);
}
const isOpen = (s: Socket): boolean => !closedSockets.has(s);

/** Take the sockets back from a user: its listeners go, the pool's error listener stays. */
function reclaim(s: Socket): void {
  s.removeAllListeners('message');
  s.removeAllListeners('error');
  s.removeAllListeners('close');
  s.on('error', ignoreError);
  s.on('close', markClosed);
  s.unref();
}

export class PortPool {
  readonly #opts: PortPoolOptions;
  readonly #first: number;
  readonly #pairs: number;
  readonly #clock: Clock;
  readonly #warmTarget: number;
  readonly #reuseAfterMs: number;
  readonly #maxIdle: number;
  /** Every port whose pair is bound or being bound: in use, warm or idle. */
  readonly #taken = new Set<number>();
  readonly #warm: Bound[] = [];
  /** Released pairs, oldest first. */
  readonly #idle: Idle[] = [];
  #inUse = 0;
  /** Where handed-out pairs came from, for benchmarks and the admin view. */
  readonly #from = { idle: 0, warm: 0, bound: 0 };
  #cursor = 0;
  #refilling = false;
  #closed = false;

  constructor(opts: PortPoolOptions) {
    this.#opts = opts;
    this.#first = opts.minPort + (opts.minPort & 1);
    this.#pairs = Math.max(0, Math.floor((opts.maxPort - this.#first + 1) / 2));
    this.#clock = opts.clock ?? systemClock;
    this.#warmTarget = Math.max(0, Math.floor(opts.warmPairs ?? 8));
    this.#reuseAfterMs = Math.max(0, opts.reuseAfterMs ?? 2000);
    this.#maxIdle = this.#reuseAfterMs > 0 ? Math.max(0, Math.floor(opts.maxIdlePairs ?? 2048)) : 0;
    this.#maxBound = Math.max(1, Math.min(this.#pairs, Math.floor(opts.maxBoundPairs ?? this.#pairs)));
  }

  readonly #maxBound: number;

  /** Validate a range without creating a pool. */
  static check(opts: PortPoolOptions): Result<true, RtpError> {
    const first = opts.minPort + (opts.minPort & 1);
    if (!Number.isInteger(opts.minPort) || !Number.isInteger(opts.maxPort) || opts.minPort < 1024 || opts.maxPort > 65535 || first + 1 > opts.maxPort) {
      return err(new RtpError('RTP_POOL_BAD_RANGE', `bad RTP port range ${opts.minPort}-${opts.maxPort}`));
    }
    return ok(true);
  }

  get capacity(): number {
    return this.#pairs;
  }

  /** Pairs handed out and not yet released. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Pairs bound and waiting: warm reserve and released pairs kept for reuse. */
  get ready(): { readonly warm: number; readonly idle: number } {
    return { warm: this.#warm.length, idle: this.#idle.length };
  }

  /** How many pairs were handed out from each source since the pool was made. */
  get handedOut(): { readonly idle: number; readonly warm: number; readonly bound: number } {
    return { ...this.#from };
  }

  /** Hand out a pair: a quiet idle one, a warm one, or one bound now (see the file header). */
  async allocate(): Promise<Result<RtpSocketPair, RtpError>> {
    if (this.#closed) return err(new RtpError('RTP_SESSION_CLOSED', 'port pool is closed'));
    const now = this.#clock.now();
    for (let oldest = this.#idle[0]; oldest !== undefined && now - oldest.since >= this.#reuseAfterMs; oldest = this.#idle[0]) {
      this.#idle.shift();
      if (!isOpen(oldest.rtp) || !isOpen(oldest.rtcp)) {
        this.#drop(oldest);
        continue;
      }
      this.#from.idle++;
      return ok(this.#lend(oldest));
    }
    const warm = this.#warm.pop();
    if (warm !== undefined) {
      this.#scheduleRefill();
      this.#from.warm++;
      return ok(this.#lend(warm));
    }
    const bound = await this.#bindNext();
    if (bound.ok) {
      this.#scheduleRefill();
      this.#from.bound++;
      return ok(this.#lend(bound.value));
    }
    // No free port left in the range: a pair still in quarantine beats a failed call.
    for (let early = this.#idle.shift(); early !== undefined; early = this.#idle.shift()) {
      if (!isOpen(early.rtp) || !isOpen(early.rtcp)) {
        this.#drop(early);
        continue;
      }
      this.#from.idle++;
      return ok(this.#lend(early));
    }
    return bound;
  }

  /** Close every warm and idle socket; later allocations fail. Pairs in use stay with their users until released. */
  close(): void {
    this.#closed = true;
    for (const b of this.#warm.splice(0)) this.#drop(b);
    for (const b of this.#idle.splice(0)) this.#drop(b);
  }

  /**
   * Bind the next free pair. Ports taken by other processes are skipped; the
   * walk is bounded by the number of pairs in the range.
   */
  async #bindNext(): Promise<Result<Bound, RtpError>> {
    let lastError: unknown;
    if (this.#taken.size >= this.#maxBound) {
      return err(new RtpError('RTP_PORTS_EXHAUSTED', `${this.#maxBound} RTP port pairs bound on ${this.#opts.address}: the file descriptor budget is used up`));
    }
    for (let tried = 0; tried < this.#pairs; tried++) {
      const idx = this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#pairs;
      const port = this.#first + idx * 2;
      if (this.#taken.has(port)) continue;
      // Reserve before awaiting so concurrent allocations never race for a port.
      this.#taken.add(port);
      const rtp = await bindSocket(this.#opts.address, port, this.#opts.socketBufferBytes);
      if (!rtp.ok) {
        this.#taken.delete(port);
        lastError = rtp.error;
        // Out of descriptors: no other port would do better; walking the whole range would only burn CPU.
        if (outOfDescriptors(rtp.error)) break;
        continue;
      }
      const rtcp = await bindSocket(this.#opts.address, port + 1, this.#opts.socketBufferBytes);
      if (!rtcp.ok) {
        closeQuietly(rtp.value);
        this.#taken.delete(port);
        lastError = rtcp.error;
        if (outOfDescriptors(rtcp.error)) break;
        continue;
      }
      return ok({ port, rtp: rtp.value, rtcp: rtcp.value });
    }
    if (lastError !== undefined && this.#taken.size < this.#pairs) {
      return err(new RtpError('RTP_BIND_FAILED', `no RTP port pair could be bound on ${this.#opts.address}`, { cause: lastError }));
    }
    return err(new RtpError('RTP_PORTS_EXHAUSTED', `all ${this.#pairs} RTP port pairs in use on ${this.#opts.address}`));
  }

  /** Top the warm reserve up, one pair per event-loop turn so call setups in between are not held up. */
  #scheduleRefill(): void {
    if (this.#refilling || this.#closed || this.#warm.length >= this.#warmTarget) return;
    this.#refilling = true;
    setImmediate(() => {
      void this.#bindNext().then((r) => {
        this.#refilling = false;
        if (!r.ok) return; // range full or failing: allocations report it themselves
        if (this.#closed) {
          this.#drop(r.value);
          return;
        }
        r.value.rtp.unref();
        r.value.rtcp.unref();
        this.#warm.push(r.value);
        this.#scheduleRefill();
      });
    });
  }

  #drop(b: Bound): void {
    closeQuietly(b.rtp);
    closeQuietly(b.rtcp);
    this.#taken.delete(b.port);
  }

  #lend(b: Bound): RtpSocketPair {
    b.rtp.ref();
    b.rtcp.ref();
    this.#inUse++;
    let released = false;
    return {
      address: this.#opts.address,
      rtpPort: b.port,
      rtcpPort: b.port + 1,
      rtp: b.rtp,
      rtcp: b.rtcp,
      release: () => {
        if (released) return;
        released = true;
        this.#inUse--;
        if (this.#closed || this.#idle.length >= this.#maxIdle || !isOpen(b.rtp) || !isOpen(b.rtcp)) {
          this.#drop(b);
          return;
        }
        reclaim(b.rtp);
        reclaim(b.rtcp);
        this.#idle.push({ port: b.port, rtp: b.rtp, rtcp: b.rtcp, since: this.#clock.now() });
      },
    };
  }
}
