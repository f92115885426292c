/**
 * One media stream as seen by the anchor: where to send (the remote
 * transport address), symmetric latching, receive statistics and the time of
 * the last packet. No sockets here: the relay feeds packets in and asks where
 * to send, so latching is unit-tested with plain values.
 *
 * Symmetric RTP (RFC 4961 §4: "send to the address packets come from"):
 *  - The SDP address/port is only a first guess. The first valid RTP packet
 *    latches the remote to its actual source: from the SDP address (any
 *    port, because NATs rewrite ports), or from any address when the SDP
 *    address is private, unspecified or otherwise unreachable from here
 *    (`latchAnyAddress`), since a phone behind NAT advertises its LAN address.
 *  - Once latched, packets from other sources are dropped (spoofed or stray
 *    packets must not hijack the stream), except: a source whose SSRC differs
 *    from the latched one, or a new port on the latched address (NAT
 *    rebinding), re-latches after the latched source has been quiet for
 *    `relatchGuardMs`.
 * RTCP latches the same way on its own socket, restricted to the RTP
 * latched address.
 *
 * Leaves out: ICE (RFC 8445) — belfry strips ICE from the SDP it forwards.
 */
import { RtpStreamStats } from './stats.ts';

export type LatchVerdict = 'accept' | 'latch' | 'relatch' | 'drop';

export interface RtpSessionOptions {
  /** Remote address from SDP (c=); undefined or 0.0.0.0 when unknown or on hold. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** Remote RTCP port (a=rtcp, RFC 3605); defaults to remotePort + 1. */
  readonly remoteRtcpPort?: number;
  /** Latch from any source address. Defaults to true when the SDP address is private or unknown. */
  readonly latchAnyAddress?: boolean;
  /** How long the latched source must be quiet before another may take over. */
  readonly relatchGuardMs?: number;
  /** RTP clock rate of the stream, for jitter in timestamp units (8000 for G.711). */
  readonly clockRate?: number;
}

/**
 * Addresses a phone may advertise that we cannot reach as such: RFC 1918,
 * shared address space (RFC 6598), link-local, unspecified, and IPv6 ULA /
 * link-local. Loopback is NOT included: tests and local peers use it exactly.
 */
export function isPrivateOrUnusableAddress(address: string | undefined): boolean {
  if (address === undefined || address === '' || address === '0.0.0.0' || address === '::') return true;
  if (address.includes(':')) {
    const a = address.toLowerCase();
    return a.startsWith('fc') || a.startsWith('fd') || a.startsWith('fe8') || a.startsWith('fe9') || a.startsWith('fea') || a.startsWith('feb');
  }
  const parts = address.split('.');
  if (parts.length !== 4) return true;
  const o1 = Number(parts[0]);
  const o2 = Number(parts[1]);
  if (o1 === 10) return true;
  if (o1 === 172 && o2 >= 16 && o2 <= 31) return true;
  if (o1 === 192 && o2 === 168) return true;
  if (o1 === 100 && o2 >= 64 && o2 <= 127) return true;
  if (o1 === 169 && o2 === 254) return true;
  return false;
}

/** Where a side sends before latching, from its SDP (shared by RtpSession and the native relay's host). */
export interface ResolvedRemote {
  /** '' when the SDP address is unusable (empty, unspecified, port 0): no destination until RTP latches. */
  readonly address: string;
  readonly port: number;
  readonly rtcpPort: number;
  readonly latchAny: boolean;
}

export function resolveRemote(opts: Pick<RtpSessionOptions, 'remoteAddress' | 'remotePort' | 'remoteRtcpPort' | 'latchAnyAddress'>): ResolvedRemote {
  const addr = opts.remoteAddress ?? '';
  const usable = addr !== '' && addr !== '0.0.0.0' && addr !== '::' && opts.remotePort !== undefined && opts.remotePort > 0;
  const port = usable ? (opts.remotePort ?? 0) : 0;
  return {
    address: usable ? addr : '',
    port,
    rtcpPort: usable ? (opts.remoteRtcpPort ?? port + 1) : 0,
    latchAny: opts.latchAnyAddress ?? isPrivateOrUnusableAddress(addr),
  };
}

export class RtpSession {
  /** Where RTP goes now ('' when unknown: packets for this side are dropped). */
  remoteAddress = '';
  remotePort = 0;
  remoteRtcpAddress = '';
  remoteRtcpPort = 0;
  latched = false;
  latchedSsrc = 0;
  rtcpLatched = false;
  /** Monotonic ms of the last accepted RTP packet (-1: none yet). */
  lastRtpAt = -1;
  readonly stats = new RtpStreamStats();
  /** Packets dropped by latching. */
  droppedForeign = 0;
  readonly clockRate: number;
  #sdpAddress = '';
  #latchAny = true;
  readonly #guardMs: number;

  constructor(opts: RtpSessionOptions = {}) {
    this.clockRate = opts.clockRate ?? 8000;
    this.#guardMs = opts.relatchGuardMs ?? 1000;
    this.setRemote(opts);
  }

  /** Apply a new remote description (initial SDP or a re-INVITE): the latch starts over. */
  setRemote(opts: Pick<RtpSessionOptions, 'remoteAddress' | 'remotePort' | 'remoteRtcpPort' | 'latchAnyAddress'>): void {
    const r = resolveRemote(opts);
    this.#sdpAddress = r.address;
    this.#latchAny = r.latchAny;
    this.remoteAddress = r.address;
    this.remotePort = r.port;
    this.remoteRtcpAddress = r.address;
    this.remoteRtcpPort = r.rtcpPort;
    this.latched = false;
    this.rtcpLatched = false;
  }

  get hasDestination(): boolean {
    return this.remotePort !== 0;
  }

  /** Decide about an RTP packet from address:port carrying ssrc, at monotonic nowMs. */
  acceptRtp(address: string, port: number, ssrc: number, nowMs: number): LatchVerdict {
    if (!this.latched) {
      if (!this.#latchAny && address !== this.#sdpAddress) {
        this.droppedForeign++;
        return 'drop';
      }
      this.#latch(address, port, ssrc, nowMs);
      return 'latch';
    }
    if (port === this.remotePort && address === this.remoteAddress) {
      this.lastRtpAt = nowMs;
      this.latchedSsrc = ssrc;
      return 'accept';
    }
    const quiet = nowMs - this.lastRtpAt >= this.#guardMs;
    const candidate = ssrc !== this.latchedSsrc || address === this.remoteAddress;
    const allowedAddress = this.#latchAny || address === this.#sdpAddress || address === this.remoteAddress;
    if (quiet && candidate && allowedAddress) {
      this.#latch(address, port, ssrc, nowMs);
      return 'relatch';
    }
    this.droppedForeign++;
    return 'drop';
  }

  /** Decide about an RTCP packet; RTCP follows the RTP latch (same address, its own port). */
  acceptRtcp(address: string, port: number): boolean {
    if (this.latched ? address !== this.remoteAddress : !this.#latchAny && address !== this.#sdpAddress) return false;
    if (!this.rtcpLatched || this.remoteRtcpPort !== port || this.remoteRtcpAddress !== address) {
      this.remoteRtcpAddress = address;
      this.remoteRtcpPort = port;
      this.rtcpLatched = true;
    }
    return true;
  }

  #latch(address: string, port: number, ssrc: number, nowMs: number): void {
    this.latched = true;
    this.latchedSsrc = ssrc;
    this.remoteAddress = address;
    this.remotePort = port;
    this.lastRtpAt = nowMs;
    if (!this.rtcpLatched) {
      // Until RTCP itself arrives, guess the RTCP port next to the latched RTP port (RFC 3550 §11).
      this.remoteRtcpAddress = address;
      this.remoteRtcpPort = port + 1;
    }
  }
}
