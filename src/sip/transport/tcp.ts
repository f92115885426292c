/**
 * SIP over TCP, and the connection handling TLS shares (RFC 3261 §18.2.2,
 * §18.3; RFC 5626 §3.5.1 keep-alives; RFC 5923 is not implemented).
 *
 * Owns: the connection table (inbound and outbound), one StreamFramer per
 * connection (Content-Length framing, a cap on buffered bytes), idle
 * timeouts, a cap on the number of connections, CRLF ping → pong, and where
 * a message goes: the connection it names, else any live connection to the
 * same peer, else a new connection — for a response to the Via `received`
 * address and sent-by port (§18.2.2), for a request to the flow's address.
 * Leaves out: parsing and the edge policy (the stack), connection reuse
 * across aliases (RFC 5923), and TCP for requests over the UDP MTU.
 */
import { createConnection, createServer, isIP, type Server, type Socket } from 'node:net';
import type { Logger } from '../../common/index.ts';
import { StreamFramer } from '../message/framer.ts';
import { parseSipMessage } from '../message/parse.ts';
import type { Flow, TransportError, TransportProtocol } from './transport-types.ts';
import { bareHost, defaultPort } from './flow.ts';
import { newListenerCounters, type BoundAddress, type FramingErrorHandler, type Listener, type PacketHandler } from './listener-types.ts';
import { SipTransportError } from './errors.ts';

export interface StreamTransportOptions {
  readonly host: string;
  readonly port: number;
  /** Cap on one message and so on the bytes buffered per connection. */
  readonly maxMessageBytes: number;
  /** Close a connection with no traffic for this long. Default 120 s (idle, not per message). */
  readonly idleTimeoutMs?: number;
  /** Cap on live connections, inbound and outbound together. Default 10 000. */
  readonly maxConnections?: number;
  readonly logger?: Logger;
  readonly onPacket: PacketHandler;
  readonly onFramingError: FramingErrorHandler;
}

/** How a stream transport makes its sockets: plain TCP here, TLS in tls.ts. */
export interface SocketFactory {
  readonly protocol: Exclude<TransportProtocol, 'udp'>;
  /** A server whose connection handler receives ready-to-use sockets. */
  createServer(onSocket: (s: Socket) => void): Server;
  /** Connect; `ready` fires when application data may be written. */
  connect(host: string, port: number, ready: () => void): Socket;
}

export const tcpSocketFactory: SocketFactory = {
  protocol: 'tcp',
  createServer: (onSocket) => createServer({ noDelay: true }, onSocket),
  connect: (host, port, ready) => createConnection({ host, port, noDelay: true }, ready),
};

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly framer: StreamFramer;
  readonly flow: Flow;
  /** Writes queued before an outbound connection is ready. */
  pending: { bytes: Buffer; onError: ((e: TransportError) => void) | undefined }[] | undefined;
}

let nextConnectionId = 1;

export class StreamTransport implements Listener {
  readonly protocol: Exclude<TransportProtocol, 'udp'>;
  readonly counters = newListenerCounters();
  readonly #opts: StreamTransportOptions;
  readonly #factory: SocketFactory;
  readonly #byId = new Map<number, Connection>();
  readonly #byPeer = new Map<string, Connection>();
  #server: Server | undefined;
  #closed = false;

  constructor(opts: StreamTransportOptions, factory: SocketFactory = tcpSocketFactory) {
    this.#opts = opts;
    this.#factory = factory;
    this.protocol = factory.protocol;
  }

  get connectionCount(): number {
    return this.#byId.size;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = this.#factory.createServer((s) => this.#accept(s));
      const onError = (e: Error) =>
        reject(new SipTransportError('SIP_TRANSPORT_BIND_FAILED', `${this.protocol} listen ${this.#opts.host}:${this.#opts.port}: ${e.message}`, { cause: e }));
      server.once('error', onError);
      server.listen(this.#opts.port, this.#opts.host, () => {
        server.off('error', onError);
        server.on('error', (e) => this.#opts.logger?.warn({ err: e.message, protocol: this.protocol }, 'stream server error'));
        this.#server = server;
        resolve();
      });
    });
  }

  addresses(): BoundAddress[] {
    const a = this.#server?.address();
    if (a === undefined || a === null || typeof a === 'string') return [];
    return [{ protocol: this.protocol, address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' }];
  }

  #accept(socket: Socket): void {
    if (this.#closed || this.#byId.size >= (this.#opts.maxConnections ?? 10_000)) {
      this.counters.connectionsRejected++;
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted++;
    this.#register(socket, undefined);
  }

  /** target: for outbound sockets, which have no remote address until connected. */
  #register(socket: Socket, pending: Connection['pending'], target?: { address: string; port: number }): Connection {
    const id = nextConnectionId++;
    const flow: Flow = {
      protocol: this.protocol,
      remoteAddress: target?.address ?? bareHost(socket.remoteAddress ?? ''),
      remotePort: target?.port ?? socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
      connectionId: id,
    };
    const conn: Connection = { id, socket, framer: new StreamFramer({ maxMessageBytes: this.#opts.maxMessageBytes }), flow, pending };
    this.#byId.set(id, conn);
    this.#byPeer.set(`${flow.remoteAddress}:${flow.remotePort}`, conn);
    socket.setTimeout(this.#opts.idleTimeoutMs ?? 120_000, () => {
      this.counters.connectionsClosedIdle++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.#data(conn, chunk));
    socket.on('error', (e) => this.#opts.logger?.debug({ err: e.message, peer: flow.remoteAddress, protocol: this.protocol }, 'connection error'));
    socket.on('close', () => this.#forget(conn));
    return conn;
  }

  #forget(conn: Connection): void {
    this.#byId.delete(conn.id);
    const key = `${conn.flow.remoteAddress}:${conn.flow.remotePort}`;
    if (this.#byPeer.get(key) === conn) this.#byPeer.delete(key);
    for (const p of conn.pending ?? []) p.onError?.({ code: 'SIP_TRANSPORT_CONNECT_FAILED', message: `connection to ${key} closed before it was ready` });
    conn.pending = undefined;
  }

  #data(conn: Connection, chunk: Buffer): void {
    for (const out of conn.framer.push(chunk)) {
      switch (out.kind) {
        case 'message':
          this.#opts.onPacket(out.bytes, conn.flow);
          break;
        case 'keepalive':
          this.counters.keepalives++;
          // RFC 5626 §3.5.1: a double-CRLF ping is answered with a single CRLF pong.
          if (out.ping && conn.socket.writable) conn.socket.write('\r\n');
          break;
        case 'error': {
          this.counters.framingErrors++;
          if (out.code === 'SIP_FRAME_TOO_LARGE') this.counters.connectionsClosedOversize++;
          let replied = false;
          this.#opts.onFramingError(out, conn.flow, (bytes) => {
            replied = true;
            if (conn.socket.writable) conn.socket.end(bytes);
          });
          if (!replied) conn.socket.end();
          // Do not wait for the peer to finish: the stream cannot be resynchronised.
          setTimeout(() => conn.socket.destroy(), 1000).unref();
          return;
        }
      }
    }
  }

  send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void): void {
    if (this.#closed) {
      onError?.({ code: 'SIP_TRANSPORT_CLOSED', message: `${this.protocol} transport closed` });
      return;
    }
    const conn =
      (flow.connectionId === undefined ? undefined : this.#byId.get(flow.connectionId)) ??
      this.#byPeer.get(`${bareHost(flow.remoteAddress)}:${flow.remotePort}`);
    if (conn !== undefined && !conn.socket.destroyed) {
      this.#write(conn, bytes, onError);
      return;
    }
    const target = isResponse(bytes) ? responseTarget(bytes, flow) : { address: bareHost(flow.remoteAddress), port: flow.remotePort };
    if (target === undefined) {
      this.counters.sendErrors++;
      onError?.({ code: 'SIP_TRANSPORT_NO_CONNECTION', message: 'connection closed and the response has no usable Via' });
      return;
    }
    const existing = this.#byPeer.get(`${target.address}:${target.port}`);
    if (existing !== undefined && !existing.socket.destroyed) {
      this.#write(existing, bytes, onError);
      return;
    }
    this.#connect(target.address, target.port, bytes, onError);
  }

  #connect(address: string, port: number, bytes: Buffer, onError: ((e: TransportError) => void) | undefined): void {
    if (this.#byId.size >= (this.#opts.maxConnections ?? 10_000)) {
      this.counters.sendErrors++;
      onError?.({ code: 'SIP_TRANSPORT_CONNECT_FAILED', message: 'connection cap reached' });
      return;
    }
    let conn: Connection | undefined;
    const socket = this.#factory.connect(address, port, () => {
      if (conn === undefined) return;
      const queued = conn.pending ?? [];
      conn.pending = undefined;
      for (const q of queued) this.#write(conn, q.bytes, q.onError);
    });
    conn = this.#register(socket, [{ bytes, onError }], { address, port });
    const key = `${address}:${port}`;
    const registered = conn;
    socket.once('error', (e) => {
      this.counters.sendErrors++;
      for (const p of registered.pending ?? []) p.onError?.({ code: 'SIP_TRANSPORT_CONNECT_FAILED', message: `${this.protocol} connect ${key}: ${e.message}` });
      registered.pending = undefined;
    });
  }

  #write(conn: Connection, bytes: Buffer, onError: ((e: TransportError) => void) | undefined): void {
    if (conn.pending !== undefined) {
      conn.pending.push({ bytes, onError });
      return;
    }
    conn.socket.write(bytes, (e) => {
      if (e === null || e === undefined) return;
      this.counters.sendErrors++;
      onError?.({ code: 'SIP_TRANSPORT_SEND_FAILED', message: e.message });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#byId.values()) c.socket.destroy();
    const server = this.#server;
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }
}

function isResponse(bytes: Buffer): boolean {
  return bytes.length > 8 && bytes.toString('latin1', 0, 8) === 'SIP/2.0 ';
}

/**
 * §18.2.2: when the connection a response belongs to has closed, open one to
 * the `received` address (else the sent-by host) and the sent-by port.
 */
function responseTarget(bytes: Buffer, flow: Flow): { address: string; port: number } | undefined {
  const parsed = parseSipMessage(bytes);
  if (!parsed.ok) return undefined;
  const via = parsed.message.via;
  const host = bareHost(via.host);
  // A sent-by name would need RFC 3263 resolution: without `received`, use the peer's address.
  const address = via.received !== undefined ? bareHost(via.received) : isIP(host) !== 0 ? host : bareHost(flow.remoteAddress);
  return { address, port: via.port ?? defaultPort(flow.protocol) };
}
