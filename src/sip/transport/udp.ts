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
 *
 * Two engines move the bytes (docs/sip-transport.md, "Native UDP I/O"):
 * 'dgram' (Node's sockets, on this thread) and 'native' (native/udp.c: the
 * socket's recvmmsg/sendmmsg and the kernel's loopback work on a thread of
 * its own; this thread only copies datagrams in and out). 'auto' takes the
 * native engine when the addon is built.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { literalFirstLookup, loadNativeAddon, type Logger } from '../../common/index.ts';
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
  /** Who moves the bytes: 'native' (its own thread), 'dgram' (Node), 'auto' (native when built). Default 'dgram'. */
  readonly engine?: 'auto' | 'native' | 'dgram';
}

/** native/udp.c's functions. */
interface NativeUdp {
  udpOpen(host: string, port: number, recvBufferBytes: number, onDatagram: (bytes: Buffer, address: string, port: number) => void): [object, number, number];
  /** 0, or an errno: EINVAL (22) bad address, ENOBUFS (105) queue full, EBADF (9) closed. */
  udpSend(handle: object, bytes: Buffer, port: number, host: string): number;
  udpCounters(handle: object): [number, number, number, number, number];
  udpClose(handle: object): void;
}

/** One bound socket, whichever engine moves its bytes. */
interface UdpSock {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
  send(bytes: Buffer, port: number, host: string, onError: (message: string) => void): void;
  close(): Promise<void>;
}

const SEND_ERRNO: Readonly<Record<number, string>> = { 9: 'EBADF: socket closed', 22: 'EINVAL: bad destination', 105: 'ENOBUFS: send queue full' };

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
  #v4: UdpSock | undefined;
  #v6: UdpSock | undefined;
  #closed = false;
  #native: NativeUdp | undefined;

  constructor(opts: UdpTransportOptions) {
    this.#opts = opts;
    const engine = opts.engine ?? 'dgram';
    if (engine !== 'dgram') {
      const addon = loadNativeAddon();
      if (addon.ok) this.#native = addon.value as NativeUdp;
      else if (engine === 'native') throw new SipTransportError('SIP_TRANSPORT_BIND_FAILED', `native UDP engine not available (npm run build:native): ${addon.error}`);
      else opts.logger?.warn({ reason: addon.error }, 'native UDP engine not available (npm run build:native builds it); using dgram');
    }
  }

  /** Which engine moves the bytes. */
  get engine(): 'native' | 'dgram' {
    return this.#native === undefined ? 'dgram' : 'native';
  }

  async start(): Promise<void> {
    const v6 = isIPv6(this.#opts.host);
    const first = await this.#bind(v6 ? 'udp6' : 'udp4', this.#opts.host, this.#opts.port);
    if (v6) this.#v6 = first;
    else this.#v4 = first;
    if (this.#opts.ipv6Host !== undefined && !v6) this.#v6 = await this.#bind('udp6', this.#opts.ipv6Host, this.#opts.port);
  }

  #deliver(msg: Buffer, remoteAddress: string, remotePort: number, local: { address: string; port: number }): void {
    if (isCrlfKeepalive(msg)) {
      this.counters.keepalives++;
      return;
    }
    this.#opts.onPacket(msg, { protocol: 'udp', remoteAddress, remotePort, localAddress: local.address, localPort: local.port });
  }

  #bind(type: 'udp4' | 'udp6', host: string, port: number): Promise<UdpSock> {
    return this.#native === undefined ? this.#bindDgram(type, host, port) : Promise.resolve(this.#bindNative(this.#native, type, host, port));
  }

  #bindNative(n: NativeUdp, type: 'udp4' | 'udp6', host: string, port: number): UdpSock {
    const wanted = this.#opts.recvBufferBytes ?? 4 * 1024 * 1024;
    let local = { address: host, port };
    let opened: [object, number, number];
    try {
      opened = n.udpOpen(host, port, wanted, (bytes, address, rport) => {
        try {
          this.#deliver(bytes, address, rport, local);
        } catch (e) {
          // STYLE G9: the stack's failure on one datagram must not stop the listener.
          this.#opts.logger?.error({ err: e instanceof Error ? e.message : String(e) }, 'udp: packet handler threw');
        }
      });
    } catch (e) {
      throw new SipTransportError('SIP_TRANSPORT_BIND_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
    }
    const [handle, boundPort, granted] = opened;
    local = { address: host, port: boundPort };
    // Linux caps SO_RCVBUF at net.core.rmem_max (and reports twice what it grants).
    if (granted < wanted) this.#opts.logger?.info({ wanted, got: granted }, 'udp receive buffer capped by the kernel (raise net.core.rmem_max)');
    let closed = false;
    return {
      address: host,
      port: boundPort,
      family: type === 'udp6' ? 'IPv6' : 'IPv4',
      send(bytes, rport, rhost, onError) {
        const e = n.udpSend(handle, bytes, rport, rhost);
        // Reported after send() returns, as dgram's errors are: callers do not expect re-entry.
        if (e !== 0) process.nextTick(onError, SEND_ERRNO[e] ?? `errno ${e}`);
      },
      close() {
        if (!closed) {
          closed = true;
          n.udpClose(handle);
        }
        return Promise.resolve();
      },
    };
  }

  #bindDgram(type: 'udp4' | 'udp6', host: string, port: number): Promise<UdpSock> {
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
        sock.on('message', (msg, rinfo) => this.#deliver(msg, rinfo.address, rinfo.port, local));
        resolve(dgramSock(sock, local));
      });
    });
  }

  addresses(): BoundAddress[] {
    const out: BoundAddress[] = [];
    for (const s of [this.#v4, this.#v6]) {
      if (s !== undefined) out.push({ protocol: 'udp', address: s.address, port: s.port, family: s.family });
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
    sock.send(bytes, flow.remotePort, host, (message) => {
      this.counters.sendErrors++;
      onError?.({ code: 'SIP_TRANSPORT_SEND_FAILED', message });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#v4, this.#v6].map((s) => (s === undefined ? Promise.resolve() : s.close())));
  }
}

function dgramSock(sock: Socket, local: { address: string; port: number; family: string }): UdpSock {
  return {
    address: local.address,
    port: local.port,
    family: local.family === 'IPv6' ? 'IPv6' : 'IPv4',
    send(bytes, port, host, onError) {
      sock.send(bytes, port, host, (e) => {
        if (e !== null && e !== undefined) onError(e.message);
      });
    },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}
