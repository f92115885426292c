/**
 * Cost of anchoring a call in the RTP layer (STYLE G11), two parts, one JSON line:
 *
 * 1. setup — steady call churn through InProcessAnchorHost: `--live` calls
 *    stay up, each new anchor (two port pairs, four sockets) closes the
 *    oldest, one setup every 1000/`--rate` ms of a manual clock (so the reuse
 *    quarantine passes in simulated time, and nothing waits for real time).
 *    Between setups the loop yields to the event loop, as the switch does
 *    while handling SIP, so background work (warm reserve refills) runs.
 *    Reported per setup+teardown: CPU µs (process.cpuUsage), mean latency of
 *    createAnchor, and where the pairs came from (idle reuse, warm, bound).
 *    Modes: `bind` (warmPairs 0, reuseAfterMs 0: bind at setup, close at
 *    release, what the pool did before) and `pool` (the pool's defaults).
 * 2. send — CPU per dgram send of a 172-byte datagram to 127.0.0.1 from an
 *    unconnected socket, with Node's default lookup (dns.lookup per send)
 *    and with literalFirstLookup (what PortPool sockets use), each with the
 *    offset/length form of send() and (literal3) the short form.
 *
 *   node --import tsx bench/rtp-setup.bench.ts [--setups 4000] [--live 500] [--rate 300] [--sends 200000] [--base 34000] [--repeats 3] [--only dns|literal|literal3]
 *
 * 127.0.0.1 only; bounded loops.
 */
import { createSocket, type Socket } from 'node:dgram';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { literalFirstLookup, ManualClock } from '../src/common/index.ts';
import { InProcessAnchorHost, PortPool, type AnchorHandle, type PortPoolOptions } from '../src/rtp/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
}
const SETUPS = arg('setups', 4000);
const LIVE = arg('live', 500);
const RATE = arg('rate', 300);
const SENDS = arg('sends', 200_000);
const BASE = arg('base', 34000);
const REPEATS = arg('repeats', 3);

let gcRuns = 0;
const obs = new PerformanceObserver((list) => {
  gcRuns += list.getEntries().length;
});
obs.observe({ entryTypes: ['gc'] });

const yieldTurn = () => new Promise<void>((r) => setImmediate(r));
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

async function setup(mode: 'bind' | 'pool') {
  const clock = new ManualClock(0);
  // Room for the live calls plus the idle and warm pairs.
  const opts: PortPoolOptions = { address: '127.0.0.1', minPort: BASE, maxPort: BASE + LIVE * 4 + 4 * 2048 + 100, clock };
  const pool = new PortPool(mode === 'bind' ? { ...opts, warmPairs: 0, reuseAfterMs: 0 } : opts);
  const host = new InProcessAnchorHost(pool, clock);
  const live: AnchorHandle[] = [];
  const step = 1000 / RATE;
  const run = async (n: number) => {
    let latency = 0;
    for (let i = 0; i < n; i++) {
      clock.advance(step);
      const t0 = performance.now();
      const r = await host.createAnchor({ silenceTimeoutMs: 0 });
      latency += performance.now() - t0;
      if (!r.ok) throw new Error(`${r.error.code}: use another --base`);
      live.push(r.value);
      if (live.length > LIVE) live.shift()?.close();
      await yieldTurn();
    }
    return latency / n;
  };
  // Warm-up: fill the live set and, in pool mode, pass the quarantine once, so the figure is steady state.
  await run(LIVE + Math.ceil((6000 / 1000) * RATE));
  const f0 = pool.handedOut;
  const c0 = cpuUs();
  const latencyMs = await run(SETUPS);
  const cpu = cpuUs() - c0;
  const ready = pool.ready;
  const f1 = pool.handedOut;
  // Where the measured setups' pairs came from (undefined on a pool without the counters).
  const from = f0 === undefined || f1 === undefined ? undefined : { idle: f1.idle - f0.idle, warm: f1.warm - f0.warm, bound: f1.bound - f0.bound };
  for (const a of live) a.close();
  await host.close();
  return { mode, cpuUsPerSetup: +(cpu / SETUPS).toFixed(1), createAnchorMeanMs: +latencyMs.toFixed(4), idleAfter: ready?.idle, warmAfter: ready?.warm, handedOut: from };
}

/**
 * dns: Node's default lookup, send(buf, 0, len, port, addr) — the relay before.
 * literal: literalFirstLookup, same call. literal3: literalFirstLookup and
 * send(buf, port, addr), which skips dgram's per-send sliceBuffer (a new
 * Buffer view per datagram) — the relay now.
 */
async function send(kind: 'dns' | 'literal' | 'literal3') {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  sink.on('message', () => undefined);
  const to = sink.address().port;
  const s: Socket = kind === 'dns' ? createSocket('udp4') : createSocket({ type: 'udp4', lookup: literalFirstLookup });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const buf = Buffer.alloc(172, 0x80);
  const batch = 200; // per event-loop turn, so the kernel queues and the sink keep up
  const loop = async (n: number) => {
    for (let i = 0; i < n; i += batch) {
      if (kind === 'literal3') for (let j = 0; j < batch; j++) s.send(buf, to, '127.0.0.1');
      else for (let j = 0; j < batch; j++) s.send(buf, 0, buf.length, to, '127.0.0.1');
      await yieldTurn();
    }
  };
  await loop(20_000);
  const c0 = cpuUs();
  const g0 = gcRuns;
  const t0 = performance.now();
  await loop(SENDS);
  // Let the GC observer's entries arrive.
  await new Promise((r) => setTimeout(r, 20));
  const gcs = gcRuns - g0;
  const cpu = cpuUs() - c0;
  const wall = performance.now() - t0;
  s.close();
  sink.close();
  return { lookup: kind, cpuNsPerSend: Math.round((cpu * 1000) / SENDS), wallNsPerSend: Math.round((wall * 1e6) / SENDS), gcRuns: gcs };
}

const out = {
  bench: 'rtp-setup',
  setups: SETUPS,
  live: LIVE,
  rate: RATE,
  setup: [] as unknown[],
  send: [] as unknown[],
  date: new Date().toISOString(),
};
// --only dns|literal|literal3: just that send loop (for instruction counts under
// valgrind --tool=callgrind: run two --sends sizes and divide the difference).
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (ONLY === 'dns' || ONLY === 'literal' || ONLY === 'literal3') {
  console.log(JSON.stringify({ bench: 'rtp-setup', send: await send(ONLY) }));
  process.exit(0);
}
// Alternate the modes so a change in the machine's load hits both alike.
for (let i = 0; i < REPEATS; i++) out.setup.push(await setup('bind'), await setup('pool'));
for (let i = 0; i < REPEATS; i++) out.send.push(await send('dns'), await send('literal'), await send('literal3'));
obs.disconnect();
console.log(JSON.stringify(out));
