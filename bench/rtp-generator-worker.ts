/**
 * One RTP generator thread for bench/rtp-calls.ts: owns a share of the
 * bench's RTP sockets (one per call end), sends a 20 ms PCMU packet on each
 * and counts what arrives, so the generator's work spreads over threads and
 * the figure is less often the generator's limit. Send times are absolute
 * (performance.timeOrigin + now) so every thread stamps on one clock.
 *
 * Protocol (main → worker): bind {id} → bound {id, port}; remote {id, port,
 * sends: 'fwd'|'back'}; start; window {start, end}; stop → stats {fwd, back}.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { newDirection, type Direction, type DirectionName } from './rtp-delays.ts';

export type ToWorker =
  | { readonly kind: 'bind'; readonly id: number }
  | { readonly kind: 'remote'; readonly id: number; readonly port: number; readonly sends: DirectionName }
  | { readonly kind: 'start' }
  | { readonly kind: 'window'; readonly start: number; readonly end: number }
  | { readonly kind: 'stop' };

export type FromWorker =
  | { readonly kind: 'bound'; readonly id: number; readonly port: number }
  | { readonly kind: 'stats'; readonly fwd: Direction; readonly back: Direction; readonly elu: number };

interface Stream {
  readonly sock: Socket;
  remotePort: number;
  sends: Direction | undefined;
  seq: number;
  ts: number;
  readonly ssrc: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const port = parentPort;
if (port === null) throw new Error('rtp-generator-worker runs as a worker thread');

const dirs: Record<DirectionName, Direction> = { fwd: newDirection(), back: newDirection() };
const streams = new Map<number, Stream>();
let windowStart = Infinity;
let windowEnd = Infinity;
let tick: NodeJS.Timeout | undefined;
let elu0 = performance.eventLoopUtilization();
const payload = Buffer.alloc(160, 0xff);

function record(d: Direction, ms: number): void {
  d.received++;
  d.sum += ms;
  if (ms > d.max) d.max = ms;
  const i = Math.min(d.buckets.length - 1, Math.max(0, Math.floor(ms * 20)));
  d.buckets[i] = (d.buckets[i] ?? 0) + 1;
}

function sendFrame(s: Stream): void {
  if (s.sends === undefined) return;
  const b = Buffer.allocUnsafe(172);
  b[0] = 0x80;
  b[1] = 0; // PCMU
  b.writeUInt16BE(s.seq & 0xffff, 2);
  b.writeUInt32BE(s.ts >>> 0, 4);
  b.writeUInt32BE(s.ssrc, 8);
  payload.copy(b, 12);
  const t = now();
  b.writeDoubleLE(t, 12);
  s.seq++;
  s.ts += 160;
  if (t >= windowStart && t < windowEnd) s.sends.sent++;
  s.sock.send(b, s.remotePort, '127.0.0.1');
}

port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'bind': {
      const sock = createSocket({ type: 'udp4', recvBufferSize: 1 << 18 });
      sock.bind(0, '127.0.0.1', () => {
        streams.set(m.id, { sock, remotePort: 0, sends: undefined, seq: 1, ts: 0, ssrc: (Math.random() * 2 ** 32) >>> 0 });
        port.postMessage({ kind: 'bound', id: m.id, port: sock.address().port } satisfies FromWorker);
      });
      return;
    }
    case 'remote': {
      const s = streams.get(m.id);
      if (s === undefined) return;
      s.remotePort = m.port;
      s.sends = dirs[m.sends];
      const receives = dirs[m.sends === 'fwd' ? 'back' : 'fwd'];
      s.sock.on('message', (msg: Buffer) => {
        if (msg.length < 20) return;
        const stamp = msg.readDoubleLE(12);
        if (stamp < windowStart || stamp >= windowEnd) return;
        record(receives, now() - stamp);
      });
      return;
    }
    case 'start': {
      // 20 ms frames on every stream; catch up (at most 3 frames) when a tick is late.
      const t0 = now();
      let frames = 0;
      tick = setInterval(() => {
        const due = Math.floor((now() - t0) / 20);
        const n = Math.min(due - frames, 3);
        for (let k = 0; k < n; k++) for (const s of streams.values()) sendFrame(s);
        frames = due;
      }, 20);
      return;
    }
    case 'window':
      windowStart = m.start;
      windowEnd = m.end;
      elu0 = performance.eventLoopUtilization();
      return;
    case 'stop': {
      if (tick) clearInterval(tick);
      // Event-loop utilisation of this thread over the window (process.cpuUsage is process-wide).
      const elu = performance.eventLoopUtilization(elu0).utilization;
      // Let packets in flight arrive, then report and close.
      setTimeout(() => {
        port.postMessage({ kind: 'stats', fwd: dirs.fwd, back: dirs.back, elu } satisfies FromWorker);
        for (const s of streams.values()) s.sock.close();
        port.close();
      }, 500);
      return;
    }
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
