/**
 * Allocation of RTP/RTCP UDP port pairs from a configured range: RTP on an
 * even port, RTCP on port + 1 (RFC 3550 §11), both sockets bound before the
 * pair is handed out, returned to the pool on release. Allocation walks the
 * range round-robin so a just-released pair is reused last (stale packets of
 * the previous call then have time to stop). Exhaustion and bind failures are
 * results, not exceptions.
 *
 * Leaves out: rtcp-mux (RFC 5761) and per-interface pools (one pool per
 * bind address; the composition root may create several).
 */
import { createSocket, type Socket } from 'node:dgram';
import { err, ok, type Result } from '../common/index.ts';
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
}

export interface RtpSocketPair {
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  readonly rtp: Socket;
  readonly rtcp: Socket;
  /** Close both sockets and return the ports; idempotent. */
  release(): void;
}

function bindSocket(address: string, port: number, bufferBytes: number | undefined): Promise<Result<Socket, unknown>> {
  return new Promise((resolve) => {
    const s = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    const onError = (e: unknown) => {
      s.close();
      resolve(err(e));
    };
    s.once('error', onError);
    s.bind(port, address, () => {
      s.off('error', onError);
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

function closeQuietly(s: Socket): void {
  try {
    s.close();
  } catch {
    // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing to release.
  }
}

export class PortPool {
  readonly #opts: PortPoolOptions;
  readonly #first: number;
  readonly #pairs: number;
  readonly #busy = new Set<number>();
  #cursor = 0;

  constructor(opts: PortPoolOptions) {
    this.#opts = opts;
    this.#first = opts.minPort + (opts.minPort & 1);
    this.#pairs = Math.max(0, Math.floor((opts.maxPort - this.#first + 1) / 2));
  }

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

  get inUse(): number {
    return this.#busy.size;
  }

  /**
   * Bind the next free pair. Ports taken by other processes are skipped; the
   * walk is bounded by the number of pairs in the range.
   */
  async allocate(): Promise<Result<RtpSocketPair, RtpError>> {
    let lastError: unknown;
    for (let tried = 0; tried < this.#pairs; tried++) {
      const idx = this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#pairs;
      const port = this.#first + idx * 2;
      if (this.#busy.has(port)) continue;
      // Reserve before awaiting so concurrent allocations never race for a port.
      this.#busy.add(port);
      const rtp = await bindSocket(this.#opts.address, port, this.#opts.socketBufferBytes);
      if (!rtp.ok) {
        this.#busy.delete(port);
        lastError = rtp.error;
        continue;
      }
      const rtcp = await bindSocket(this.#opts.address, port + 1, this.#opts.socketBufferBytes);
      if (!rtcp.ok) {
        closeQuietly(rtp.value);
        this.#busy.delete(port);
        lastError = rtcp.error;
        continue;
      }
      return ok(this.#pair(port, rtp.value, rtcp.value));
    }
    if (lastError !== undefined && this.#busy.size < this.#pairs) {
      return err(new RtpError('RTP_BIND_FAILED', `no RTP port pair could be bound on ${this.#opts.address}`, { cause: lastError }));
    }
    return err(new RtpError('RTP_PORTS_EXHAUSTED', `all ${this.#pairs} RTP port pairs in use on ${this.#opts.address}`));
  }

  #pair(port: number, rtp: Socket, rtcp: Socket): RtpSocketPair {
    let released = false;
    return {
      address: this.#opts.address,
      rtpPort: port,
      rtcpPort: port + 1,
      rtp,
      rtcp,
      release: () => {
        if (released) return;
        released = true;
        closeQuietly(rtp);
        closeQuietly(rtcp);
        this.#busy.delete(port);
      },
    };
  }
}
