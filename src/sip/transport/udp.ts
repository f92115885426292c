/**
 * SIP over UDP (RFC 3261 §18): one dgram socket per address family.
 *
 * Owns: binding, the large receive buffer (a burst of INVITEs must not be
 * dropped by the kernel before we read it), CRLF keep-alive datagrams
 * (RFC 5626 §3.5.1: ignored, no answer over UDP, where STUN does that job),
 * and sending bytes to an address. A datagram is one message (§18.3), so no
 * framing. Leaves out: parsing and the edge policy (the stack), fragmentation
 * and the §18.1.1 switch to TCP for requests over the MTU (belfry's requests
 * are small; RFC-DEVIATION: we send large requests over UDP anyway).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { literalFirstLookup, type Logger } from '../../common/index.ts';
import type { Flow, TransportError } from './transport-types.ts';
import { newListenerCounters, type BoundAddress, type Listener, type PacketHandler } from './listener-types.ts';
import { SipTransportError } from './errors.ts';

export interface UdpTransportOptions {
  readonly host: string;
  readonly port: number;
  /** Also bind this IPv6 address (same port when free, else ephemeral if port is 0). */
  readonly ipv6Host?: string;
  /** SO_RCVBUF in bytes; best effort (the kernel may cap it). Default 4 MiB. */
  readonly recvBufferBytes?: number;
  readonly logger?: Logger;
  readonly onPacket: PacketHandler;
}

/** True for a datagram made only of CR and LF: a keep-alive (RFC 5626 §3.5.1). */
export function isCrlfKeepalive(b: Buffer): boolean {
  if (b.length === 0 || b.length > 16) return false;
  for (const c of b) if (c !== 0x0d && c !== 0x0a) return false;
  return true;
}

export class UdpTransport implements Listener {
  readonly protocol = 'udp' as const;
  readonly counters = newListenerCounters();
  readonly #opts: UdpTransportOptions;
  #v4: Socket | undefined;
  #v6: Socket | undefined;
  #closed = false;

  constructor(opts: UdpTransportOptions) {
    this.#opts = opts;
  }

  async start(): Promise<void> {
    const v6 = isIPv6(this.#opts.host);
    const first = await this.#bind(v6 ? 'udp6' : 'udp4', this.#opts.host, this.#opts.port);
    if (v6) this.#v6 = first;
    else this.#v4 = first;
    if (this.#opts.ipv6Host !== undefined && !v6) this.#v6 = await this.#bind('udp6', this.#opts.ipv6Host, this.#opts.port);
  }

  #bind(type: 'udp4' | 'udp6', host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket({ type, reuseAddr: false, ipv6Only: type === 'udp6', lookup: literalFirstLookup });
      const onError = (e: Error) => reject(new SipTransportError('SIP_TRANSPORT_BIND_FAILED', `udp bind ${host}:${port}: ${e.message}`, { cause: e }));
      sock.once('error', onError);
      sock.bind(port, host, () => {
        sock.off('error', onError);
        const wanted = this.#opts.recvBufferBytes ?? 4 * 1024 * 1024;
        try {
          sock.setRecvBufferSize(wanted);
          // Linux caps SO_RCVBUF at net.core.rmem_max (and reports twice what it grants).
          const got = sock.getRecvBufferSize();
          if (got < wanted) this.#opts.logger?.info({ wanted, got }, 'udp receive buffer capped by the kernel (raise net.core.rmem_max)');
        } catch (e) {
          this.#opts.logger?.warn({ err: String(e) }, 'udp: could not enlarge the receive buffer');
        }
        // Socket errors after bind (ICMP unreachable on some platforms) must not kill the process.
        sock.on('error', (e) => this.#opts.logger?.warn({ err: e.message }, 'udp socket error'));
        const local = sock.address();
        sock.on('message', (msg, rinfo) => {
          if (isCrlfKeepalive(msg)) {
            this.counters.keepalives++;
            return;
          }
          this.#opts.onPacket(msg, {
            protocol: 'udp',
            remoteAddress: rinfo.address,
            remotePort: rinfo.port,
            localAddress: local.address,
            localPort: local.port,
          });
        });
        resolve(sock);
      });
    });
  }

  addresses(): BoundAddress[] {
    const out: BoundAddress[] = [];
    for (const s of [this.#v4, this.#v6]) {
      if (s === undefined) continue;
      const a = s.address();
      out.push({ protocol: 'udp', address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' });
    }
    return out;
  }

  send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void): void {
    const host = flow.remoteAddress.startsWith('[') ? flow.remoteAddress.slice(1, -1) : flow.remoteAddress;
    // Flow addresses are IP literals (from the kernel or resolved targets): a colon means IPv6.
    const sock = host.includes(':') ? this.#v6 : this.#v4;
    if (sock === undefined || this.#closed) {
      this.counters.sendErrors++;
      onError?.({ code: this.#closed ? 'SIP_TRANSPORT_CLOSED' : 'SIP_TRANSPORT_NO_LISTENER', message: `no udp socket for ${host}` });
      return;
    }
    sock.send(bytes, flow.remotePort, host, (e) => {
      if (e === null || e === undefined) return;
      this.counters.sendErrors++;
      onError?.({ code: 'SIP_TRANSPORT_SEND_FAILED', message: e.message });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [this.#v4, this.#v6].map((s) => (s === undefined ? Promise.resolve() : new Promise<void>((r) => s.close(() => r())))),
    );
  }
}
