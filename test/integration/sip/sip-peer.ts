/**
 * Loopback SIP peers for transport tests: a UDP socket and a TCP client that
 * collect what they receive, with bounded waits (every wait has a timeout).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

export function options(opts: { via: string; callId?: string; extra?: string; uri?: string; branch?: string; method?: string }): string {
  const method = opts.method ?? 'OPTIONS';
  const branch = opts.branch ?? 'z9hG4bK' + Math.random().toString(36).slice(2);
  return (
    `${method} ${opts.uri ?? 'sip:127.0.0.1'} SIP/2.0\r\n` +
    `Via: ${opts.via};branch=${branch}${opts.via.includes('rport') ? '' : ''}\r\n` +
    'Max-Forwards: 70\r\nFrom: <sip:tester@127.0.0.1>;tag=t1\r\nTo: <sip:127.0.0.1>\r\n' +
    `Call-ID: ${opts.callId ?? Math.random().toString(36).slice(2)}\r\nCSeq: 1 ${method}\r\n${opts.extra ?? ''}Content-Length: 0\r\n\r\n`
  );
}

export class UdpPeer {
  readonly socket: UdpSocket;
  readonly received: string[] = [];
  #waiters: (() => void)[] = [];
  private constructor(s: UdpSocket) {
    this.socket = s;
    s.on('message', (m) => {
      this.received.push(m.toString('latin1'));
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static async open(): Promise<UdpPeer> {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    return new UdpPeer(s);
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(port: number, data: string | Buffer): Promise<void> {
    return new Promise((r, j) => this.socket.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  }
  /** Wait until a received message satisfies pred (or time out → undefined). */
  async waitFor(pred: (m: string) => boolean, ms = 2000): Promise<string | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

export class StreamPeer {
  readonly socket: Socket;
  data = '';
  closed = false;
  #waiters: (() => void)[] = [];
  constructor(s: Socket) {
    this.socket = s;
    s.on('data', (d: Buffer) => {
      this.data += d.toString('latin1');
      this.#wake();
    });
    s.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    s.on('error', () => {});
  }
  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
  static async connect(port: number): Promise<StreamPeer> {
    const s = connect({ host: '127.0.0.1', port });
    await once(s, 'connect');
    return new StreamPeer(s);
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }
  async until(pred: () => boolean, ms = 2000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return true;
  }
  /** Complete SIP messages received so far (Content-Length framed; our responses carry one). */
  messages(): string[] {
    return this.data.split(/(?=SIP\/2\.0 \d{3} )/).filter((m) => m.startsWith('SIP/2.0'));
  }
  close(): void {
    this.socket.destroy();
  }
}
