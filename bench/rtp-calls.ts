/**
 * Anchored RTP under load (issue 2, STYLE G11): N concurrent G.711 calls set
 * up through a real belfry process (trunk bench-in → belfry → trunk
 * bench-out, bench/config/calls), then 20 ms PCMU packets both ways on every
 * call for S seconds. Reports, per direction, packets sent and received in
 * the window, loss, added delay (send time stamped in the payload, read on
 * arrival: same process, same clock) as mean/p50/p99/max, belfry's CPU (all
 * its threads, /proc) and RSS, and the generator's own CPU: when the
 * generator is near 100 % of a core the figure is the generator's limit, not
 * belfry's. Then every call hangs up and the CDRs are counted.
 * Target (issue 2): ≥ 1,000 concurrent calls ≈ 100,000 packets/s each way,
 * < 0.1 % loss. No reference relay is measured here (rtpengine is not
 * installed on this machine; see docs/benchmarks.md).
 *
 *   node --import tsx bench/rtp-calls.ts [--calls 1000] [--seconds 20] [--setup-rate 100] [--warmup 3]
 *
 * Prints one JSON line. 127.0.0.1 only; everything is bounded; belfry is
 * stopped by the PID we started.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { LoadUa, type Incoming } from './rtp-load-ua.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
}
const CALLS = arg('calls', 1000);
const SECONDS = arg('seconds', 20);
const SETUP_RATE = arg('setup-rate', 100);
const WARMUP = arg('warmup', 3);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const TOKEN = 'bench-token-0123456789abcdef';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function bindSocket(): Promise<Socket> {
  const s = createSocket({ type: 'udp4', recvBufferSize: 1 << 18 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

function procTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}
function procRssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'latin1').split('\n').filter((l) => l.startsWith('Udp:'));
  return Number(lines[1]?.split(/\s+/)[6] ?? 0);
}

/** Delay histogram: 50 µs buckets up to 200 ms. */
class Delays {
  readonly buckets = new Uint32Array(4001);
  count = 0;
  sum = 0;
  max = 0;
  add(ms: number): void {
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    this.buckets[Math.min(4000, Math.max(0, Math.floor(ms * 20)))]! += 1;
  }
  pct(p: number): number | null {
    if (this.count === 0) return null;
    let c = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      c += this.buckets[i] ?? 0;
      if (c >= p * this.count) return (i + 1) / 20;
    }
    return 200;
  }
  summary() {
    const r = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
    return { meanMs: this.count ? r(this.sum / this.count) : null, p50Ms: r(this.pct(0.5)), p99Ms: r(this.pct(0.99)), maxMs: r(this.max) };
  }
}

/** One direction's counters over the measurement window. */
interface Direction {
  sent: number;
  received: number;
  readonly delays: Delays;
}

interface Stream {
  readonly sock: Socket;
  remotePort: number;
  seq: number;
  ts: number;
  readonly ssrc: number;
  readonly dir: Direction;
}

let windowStart = Infinity;
let windowEnd = Infinity;
const fwd: Direction = { sent: 0, received: 0, delays: new Delays() };
const back: Direction = { sent: 0, received: 0, delays: new Delays() };

function receiveInto(sock: Socket, dir: Direction): void {
  sock.on('message', (m: Buffer) => {
    if (m.length < 20) return;
    const stamp = m.readDoubleLE(12);
    if (stamp < windowStart || stamp >= windowEnd) return;
    dir.received++;
    dir.delays.add(performance.now() - stamp);
  });
}

const payload = Buffer.alloc(160, 0xff);
function sendFrame(s: Stream): void {
  const b = Buffer.allocUnsafe(172);
  b[0] = 0x80;
  b[1] = 0; // PCMU
  b.writeUInt16BE(s.seq & 0xffff, 2);
  b.writeUInt32BE(s.ts >>> 0, 4);
  b.writeUInt32BE(s.ssrc, 8);
  payload.copy(b, 12);
  const now = performance.now();
  b.writeDoubleLE(now, 12);
  s.seq++;
  s.ts += 160;
  if (now >= windowStart && now < windowEnd) s.dir.sent++;
  s.sock.send(b, s.remotePort, '127.0.0.1');
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'belfry-rtp-bench-'));
  const callee = await LoadUa.start(0);
  const cfg = join(work, 'config');
  cpSync(join(here, 'config', 'calls'), cfg, { recursive: true });
  const planFile = join(cfg, 'dialplan', 'plan.yaml');
  writeFileSync(planFile, readFileSync(planFile, 'utf8').replace('port: 25080', `port: ${callee.port}`));
  const sipPort = await freePort();
  const httpPort = await freePort();
  const child = spawn(join(root, 'bin', 'belfry'), ['start', '--config', cfg, '--data-dir', join(work, 'data'), '--sip-host', '127.0.0.1', '--sip-port', String(sipPort), '--http-port', String(httpPort)], {
    env: { ...process.env, BELFRY_API_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const pid = child.pid ?? -1;
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const api = async (path: string): Promise<unknown> => {
    const r = await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return r.json();
  };
  const streams: Stream[] = [];
  const caller = await LoadUa.start(0);
  let failures = 0;
  const result: Record<string, unknown> = { bench: 'rtp-calls', calls: CALLS, seconds: SECONDS };
  try {
    for (let i = 0; ; i++) {
      try {
        await api('/api/v1/health');
        break;
      } catch {
        if (i > 150 || child.exitCode !== null) throw new Error(`belfry did not start: ${stderr}`);
        await sleep(200);
      }
    }
    const rssIdle = procRssKb(pid);
    // The callee side: answer every INVITE with a fresh socket of ours.
    callee.onInvite((inc: Incoming) => {
      void bindSocket().then((sock) => {
        const s: Stream = { sock, remotePort: inc.offerPort, seq: 1, ts: 0, ssrc: (Math.random() * 2 ** 32) >>> 0, dir: back };
        receiveInto(sock, fwd);
        streams.push(s);
        inc.leg.progress(180);
        inc.leg.answer({ body: Buffer.from(`v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${sock.address().port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n`), contentType: 'application/sdp' });
      });
    });
    // Set up the calls at SETUP_RATE per second.
    const setupStart = performance.now();
    const legs: Array<{ hangup(): void }> = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < CALLS; i++) {
      const due = setupStart + (i * 1000) / SETUP_RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const sock = await bindSocket();
      receiveInto(sock, back);
      const c = caller.call(sipPort, 'bench', sock.address().port);
      legs.push(c.leg);
      pending.push(
        Promise.race([c.answered, sleep(15_000).then(() => Promise.reject(new Error('timeout')))]).then(
          (port) => {
            streams.push({ sock, remotePort: port, seq: 1, ts: 0, ssrc: (Math.random() * 2 ** 32) >>> 0, dir: fwd });
          },
          () => {
            failures++;
            sock.close();
          },
        ),
      );
    }
    await Promise.all(pending);
    const setupS = (performance.now() - setupStart) / 1000;
    const concurrent = ((await api('/api/v1/calls')) as { items?: unknown[] }).items?.length ?? 0;
    // Send 20 ms frames on every stream; catch up (bounded) when a tick is late.
    const t0 = performance.now();
    let frames = 0;
    const tick = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / 20);
      const n = Math.min(due - frames, 3);
      for (let k = 0; k < n; k++) for (const s of streams) sendFrame(s);
      frames = due;
    }, 20);
    await sleep(WARMUP * 1000);
    const ticks0 = procTicks(pid);
    const cpu0 = process.cpuUsage();
    const drops0 = udpRcvbufErrors();
    windowStart = performance.now();
    windowEnd = windowStart + SECONDS * 1000;
    await sleep(SECONDS * 1000);
    const wall = (performance.now() - windowStart) / 1000;
    const ticks1 = procTicks(pid);
    const cpu1 = process.cpuUsage(cpu0);
    const rssLoaded = procRssKb(pid);
    clearInterval(tick);
    await sleep(500); // packets still in flight
    const drops1 = udpRcvbufErrors();
    const hz = 100; // USER_HZ on Linux
    const dirSummary = (d: Direction) => ({
      sent: d.sent,
      received: d.received,
      lossPct: d.sent ? Math.round(((d.sent - d.received) / d.sent) * 1e5) / 1e3 : null,
      pps: Math.round(d.received / wall),
      ...d.delays.summary(),
    });
    for (const l of legs) l.hangup();
    await sleep(1500);
    Object.assign(result, {
      established: streams.length / 2,
      setupFailures: failures,
      setupSeconds: Math.round(setupS * 10) / 10,
      concurrentCallsSeen: concurrent,
      callerToCallee: dirSummary(fwd),
      calleeToCaller: dirSummary(back),
      belfry: { cpuPct: Math.round(((ticks1 - ticks0) / hz / wall) * 1000) / 10, rssIdleKb: rssIdle, rssLoadedKb: rssLoaded, bytesPerCall: concurrent > 0 ? Math.round(((rssLoaded - rssIdle) * 1024) / concurrent) : null },
      generatorCpuPct: Math.round(((cpu1.user + cpu1.system) / 1e6 / wall) * 1000) / 10,
      kernelUdpRcvbufErrors: drops1 - drops0,
      target: '≥ 1,000 concurrent calls ≈ 100,000 packets/s each way, < 0.1 % loss',
      date: new Date().toISOString(),
    });
  } finally {
    for (const s of streams) {
      try {
        s.sock.close();
      } catch {
        /* closed */
      }
    }
    await caller.close();
    await callee.close();
    if (child.exitCode === null) child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(hard);
    try {
      // Counted after belfry stopped, so every CDR it wrote is on disk.
      const db = new Database(join(work, 'data', 'belfry.db'), { readonly: true });
      result['answeredCdrs'] = (db.prepare("select count(*) as n from cdr_calls where disposition = 'ANSWERED'").get() as { n: number }).n;
      db.close();
    } catch (e) {
      result['answeredCdrs'] = `unreadable: ${(e as Error).message}`;
    }
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main();
