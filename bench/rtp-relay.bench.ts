/**
 * RTP relay throughput (STYLE G11). Two parts, one JSON line:
 *
 * 1. hotPath — our per-packet code only: packets are handed straight to the
 *    relay's 'message' listener of stub sockets (no kernel, no Node dgram), in
 *    pass-through and μ-law→A-law modes. Reports ns/packet, and heap growth
 *    and GC runs over the loop (zero allocations ⇒ ~0 bytes/packet, 0 GCs).
 * 2. sockets — N anchored sessions on 127.0.0.1, each with two generator
 *    "phones" sending 20 ms G.711 (50 packets/s, 172-byte datagrams) each way
 *    for S seconds. Reports packets/s relayed, loss, added delay (send time
 *    kept per sequence number, looked up on arrival), CPU share and RSS. The
 *    generators and receivers run in the same process, so the relay's share
 *    of the CPU is lower than the figure shown. Node's dgram allocates a
 *    Buffer and a rinfo object per received datagram: that is outside our
 *    code and is why part 1 exists.
 *
 *   node --import tsx bench/rtp-relay.bench.ts --sessions 50 --seconds 3 [--transcode] [--base 30000] [--workers 0]
 *
 * --workers N > 0 hosts the anchors in N relay worker threads
 * (WorkerAnchorHost); CPU and RSS then include the workers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { PerformanceObserver } from 'node:perf_hooks';
import { systemClock } from '../src/common/index.ts';
import { relayMappings } from '../src/media/index.ts';
import {
  InProcessAnchorHost,
  PortPool,
  RtpRelay,
  WorkerAnchorHost,
  writeRtpHeader,
  type AnchorHost,
  type PayloadMapping,
  type RtpSocketPair,
} from '../src/rtp/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
}
const SESSIONS = arg('sessions', 50);
const SECONDS = arg('seconds', 3);
const BASE = arg('base', 30000);
const TRANSCODE = process.argv.includes('--transcode');
const WORKERS = arg('workers', 0);
const PAYLOAD = 160;

let gcRuns = 0;
const obs = new PerformanceObserver((list) => {
  gcRuns += list.getEntries().length;
});
obs.observe({ entryTypes: ['gc'] });

const U = { codec: 'PCMU', payloadType: 0 } as const;
const A = { codec: 'PCMA', payloadType: 8 } as const;

// ---- part 1: hot path with stub sockets ------------------------------------

type Listener = (msg: Buffer, rinfo: { address: string; port: number; family: string; size: number }) => void;

function stubPair(port: number): { pair: RtpSocketPair; rtpListener: () => Listener | undefined } {
  let rtpListener: Listener | undefined;
  const mk = (isRtp: boolean) =>
    ({
      on(ev: string, l: Listener) {
        if (ev === 'message' && isRtp) rtpListener = l;
        return this;
      },
      send() {},
      removeAllListeners() {
        return this;
      },
      close() {},
    }) as unknown as Socket;
  const pair: RtpSocketPair = { address: '127.0.0.1', rtpPort: port, rtcpPort: port + 1, rtp: mk(true), rtcp: mk(false), release() {} };
  return { pair, rtpListener: () => rtpListener };
}

function hotPath(aToB: PayloadMapping[] | undefined, packets: number): { nsPerPacket: number; heapBytesPerPacket: number; gcRuns: number } {
  const a = stubPair(10000);
  const b = stubPair(10002);
  const relay = new RtpRelay({
    a: { pair: a.pair, remoteAddress: '127.0.0.1', remotePort: 20000 },
    b: { pair: b.pair, remoteAddress: '127.0.0.1', remotePort: 20002 },
    ...(aToB ? { aToB } : {}),
    silenceTimeoutMs: 0,
    clock: systemClock,
  });
  const listener = a.rtpListener();
  if (listener === undefined) throw new Error('relay did not subscribe');
  const buf = Buffer.alloc(12 + PAYLOAD, 0x55);
  const rinfo = { address: '127.0.0.1', port: 20000, family: 'IPv4', size: buf.length };
  // Warm up so the JIT has settled before measuring.
  for (let i = 0; i < 50_000; i++) {
    writeRtpHeader(buf, 0, { payloadType: 0, sequenceNumber: i, timestamp: i * 160, ssrc: 1 });
    listener(buf, rinfo);
  }
  const gc0 = gcRuns;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < packets; i++) {
    // Only the header fields that change per packet, written in place.
    buf[1] = 0;
    buf.writeUInt16BE(i & 0xffff, 2);
    buf.writeUInt32BE((i * 160) >>> 0, 4);
    listener(buf, rinfo);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const heap1 = process.memoryUsage().heapUsed;
  relay.close();
  return { nsPerPacket: +(ns / packets).toFixed(1), heapBytesPerPacket: +((heap1 - heap0) / packets).toFixed(3), gcRuns: gcRuns - gc0 };
}

// ---- part 2: real sockets ----------------------------------------------------

interface Gen {
  socket: Socket;
  port: number;
  sentAt: Float64Array;
  seq: number;
  received: number;
  delaySum: number;
  delayMax: number;
}

async function bindGen(): Promise<Gen> {
  const socket = createSocket('udp4');
  const port = await new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
  return { socket, port, sentAt: new Float64Array(65536), seq: 0, received: 0, delaySum: 0, delayMax: 0 };
}

async function sockets(): Promise<Record<string, number>> {
  const range = { address: '127.0.0.1', minPort: BASE, maxPort: BASE + SESSIONS * 4 + 400 * Math.max(1, WORKERS) };
  let host: AnchorHost;
  if (WORKERS > 0) {
    const started = await WorkerAnchorHost.start({ ...range, workers: WORKERS });
    if (!started.ok) throw started.error;
    host = started.value;
  } else {
    host = new InProcessAnchorHost(new PortPool(range), systemClock);
  }
  const gens: { a: Gen; b: Gen; anchorA: number; anchorB: number }[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const r = await host.createAnchor({ silenceTimeoutMs: 0 });
    if (!r.ok) throw new Error(`${r.error.code}: use a larger --base range`);
    const a = await bindGen();
    const b = await bindGen();
    r.value.setRemote('a', { remoteAddress: '127.0.0.1', remotePort: a.port });
    r.value.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: b.port });
    if (TRANSCODE) r.value.setMappings(relayMappings(U, A), relayMappings(A, U));
    gens.push({ a, b, anchorA: r.value.aPort, anchorB: r.value.bPort });
  }
  // Let control messages reach the workers before media starts.
  await new Promise((r) => setTimeout(r, 100));
  // A generator's receive side measures the delay of what the other generator sent.
  const onRecv = (me: Gen, peer: Gen) => (msg: Buffer) => {
    me.received++;
    const d = performance.now() - (peer.sentAt[msg.readUInt16BE(2)] ?? 0);
    me.delaySum += d;
    if (d > me.delayMax) me.delayMax = d;
  };
  for (const g of gens) {
    g.a.socket.on('message', onRecv(g.a, g.b));
    g.b.socket.on('message', onRecv(g.b, g.a));
  }
  const out = Buffer.alloc(12 + PAYLOAD, 0xff);
  const send = (g: Gen, to: number, pt: number, ssrc: number) => {
    writeRtpHeader(out, 0, { payloadType: pt, sequenceNumber: g.seq, timestamp: g.seq * 160, ssrc });
    g.sentAt[g.seq] = performance.now();
    g.seq = (g.seq + 1) & 0xffff;
    g.socket.send(out, to, '127.0.0.1');
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ticks = Math.round((SECONDS * 1000) / 20);
  for (let t = 0; t < ticks; t++) {
    for (const g of gens) {
      send(g.a, g.anchorA, 0, 0xa);
      send(g.b, g.anchorB, TRANSCODE ? 8 : 0, 0xb);
    }
    const next = t0 + (t + 1) * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await new Promise((r) => setTimeout(r, 200));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  let sent = 0;
  let received = 0;
  let delaySum = 0;
  let delayMax = 0;
  for (const g of gens) {
    for (const x of [g.a, g.b]) {
      sent += x.seq;
      received += x.received;
      delaySum += x.delaySum;
      delayMax = Math.max(delayMax, x.delayMax);
    }
  }
  const rss = process.memoryUsage().rss;
  await host.close();
  for (const g of gens) {
    g.a.socket.close();
    g.b.socket.close();
  }
  return {
    sessions: SESSIONS,
    seconds: SECONDS,
    workers: WORKERS,
    packetsSent: sent,
    packetsRelayed: received,
    relayedPerSec: Math.round(received / (wall / 1000)),
    lossRatio: sent === 0 ? 0 : +((sent - received) / sent).toFixed(5),
    meanDelayMs: received === 0 ? 0 : +(delaySum / received).toFixed(3),
    maxDelayMs: +delayMax.toFixed(3),
    cpuPercentOfOneCore: +(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1),
    rssMiB: +(rss / 1048576).toFixed(1),
    gcRuns,
  };
}

const hotN = Math.max(100_000, Math.min(2_000_000, SECONDS * 300_000));
const hot = {
  passThrough: hotPath(undefined, hotN),
  ulawToAlaw: hotPath(relayMappings(U, A), hotN),
};
const sock = await sockets();
obs.disconnect();
console.log(JSON.stringify({ bench: 'rtp-relay', transcode: TRANSCODE, hotPathPackets: hotN, hotPath: hot, sockets: sock }));
