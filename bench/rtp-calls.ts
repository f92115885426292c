/**
 * Anchored RTP under load (issue 2, STYLE G11): N concurrent G.711 calls set
 * up through a real belfry process (trunk bench-in → belfry → trunk
 * bench-out, bench/config/calls), then 20 ms PCMU packets both ways on every
 * call for S seconds. Reports, per direction, packets sent and received in
 * the window, loss, added delay (send time stamped in the payload, read on
 * arrival: same process, same clock) as mean/p50/p99/max, belfry's CPU (all
 * its threads, /proc) and RSS, and the generator's own load (its process CPU
 * and its busiest thread's event-loop utilisation): near 100 % the figure is
 * the generator's limit, not belfry's. Then every call hangs up and the CDRs are counted.
 * Target (issue 2): ≥ 1,000 concurrent calls ≈ 100,000 packets/s each way,
 * < 0.1 % loss. No reference relay is measured here (rtpengine is not
 * installed on this machine; see docs/benchmarks.md).
 *
 *   node --import tsx bench/rtp-calls.ts [--calls 1000] [--seconds 20] [--setup-rate 100] [--warmup 3] [--generator c|node] [--workers 1] [--belfry-relay native|js|auto] [--belfry-workers 0] [--taskset-belfry CPUS] [--taskset-generator CPUS] [--generator-nice -10]
 *
 * --generator c (the default when `cc` can build it): the RTP sockets live in
 * bench/rtp-gen/rtp-gen.c, compiled with `cc -O2` into bench/rtp-gen/build/
 * (git-ignored) and driven over its stdin/stdout; one thread, a few syscalls
 * per packet, so at 100k packets/s it uses far less CPU than belfry and the
 * loss is belfry's. --generator node: the RTP sockets live in --workers Node
 * generator threads (bench/rtp-generator-worker.ts), which saturate first on
 * a 2-core machine. Either way signalling stays on the main thread.
 * --taskset-*: pin belfry or the C generator to CPUs (taskset -c).
 * --generator-nice: the C generator's niceness (default -10, so it is not the
 * one starved on a busy machine; its run-queue wait is reported).
 *
 * Prints one JSON line. 127.0.0.1 only; everything is bounded; belfry is
 * stopped by the PID we started.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { mergeDirections, summarise, type DirectionName } from './rtp-delays.ts';
import type { FromWorker, ToWorker } from './rtp-generator-worker.ts';
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
const WORKERS = Math.max(1, arg('workers', 1));
const BELFRY_WORKERS = Math.max(0, arg('belfry-workers', 0));
/** belfry's rtp.relay: native (the C relay, default), js or auto. */
const BELFRY_RELAY = process.argv.includes('--belfry-relay') ? String(process.argv[process.argv.indexOf('--belfry-relay') + 1]) : 'native';
function sarg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const TASKSET_BELFRY = sarg('taskset-belfry');
const TASKSET_GEN = sarg('taskset-generator');
// The C generator runs at this niceness (negative needs root; `nice` falls back to
// the normal priority with a warning otherwise) so that, on a busy machine, its
// receive stamps are not delayed by waiting for a CPU: the delay is belfry's.
const GEN_NICE = arg('generator-nice', -10);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const TOKEN = 'bench-token-0123456789abcdef';

/** Build the C generator if needed; undefined when no compiler is there (fallback: Node generator). */
function buildCGenerator(): string | undefined {
  const src = join(here, 'rtp-gen', 'rtp-gen.c');
  const dir = join(here, 'rtp-gen', 'build');
  const bin = join(dir, 'rtp-gen');
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return bin;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`rtp-calls: cannot build the C generator (${r.error?.message ?? r.stderr}); using the Node generator\n`);
    return undefined;
  }
  return bin;
}
const GENERATOR_ARG = sarg('generator');
const C_GEN = GENERATOR_ARG === 'node' ? undefined : buildCGenerator();
if (GENERATOR_ARG === 'c' && C_GEN === undefined) throw new Error('--generator c: the C generator could not be built');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
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
/** Machine-wide UDP receive-buffer drops (column RcvbufErrors of /proc/net/snmp; other processes count too). */
function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'latin1').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  return Number(lines[1]?.split(/\s+/)[names.indexOf('RcvbufErrors')] ?? 0);
}
/**
 * Nanoseconds all threads of a process spent runnable but waiting for a CPU
 * (/proc/PID/task/TID/schedstat, field 2). On a shared machine this says how
 * much of the figure is other people's load rather than belfry's own cost.
 */
function procRunqueueWaitNs(pid: number): number {
  let sum = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        sum += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'latin1').split(' ')[1] ?? 0);
      } catch {
        // thread ended
      }
    }
  } catch {
    return 0;
  }
  return sum;
}

/** A generator thread and the requests waiting for its answers. */
class Generator {
  readonly worker: Worker;
  readonly #bound = new Map<number, (port: number) => void>();
  #stats: ((m: Extract<FromWorker, { kind: 'stats' }>) => void) | undefined;
  constructor() {
    // Workers do not inherit tsx's loader: register it in the thread first.
    const entry = new URL('./rtp-generator-worker.ts', import.meta.url).href;
    const api = import.meta.resolve('tsx/esm/api');
    this.worker = new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); }).catch((e) => { console.error(e); process.exit(1); });`, { eval: true });
    this.worker.on('message', (m: FromWorker) => {
      if (m.kind === 'bound') {
        this.#bound.get(m.id)?.(m.port);
        this.#bound.delete(m.id);
      } else this.#stats?.(m);
    });
  }
  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
  bind(id: number): Promise<number> {
    return new Promise((res) => {
      this.#bound.set(id, res);
      this.post({ kind: 'bind', id });
    });
  }
  stop(): Promise<Extract<FromWorker, { kind: 'stats' }>> {
    return new Promise((res) => {
      this.#stats = res;
      this.post({ kind: 'stop' });
    });
  }
}

/**
 * The C generator (bench/rtp-gen/rtp-gen.c) as a child process: all its
 * sockets are bound at start (two per call), remotes are sent as lines, and
 * "run" starts the bounded send/receive loop.
 */
class CGenerator {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #ports: number[] = [];
  #next = 0;
  private constructor(proc: ChildProcessWithoutNullStreams) {
    this.#proc = proc;
    this.#lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  static async start(bin: string, streams: number, maxSeconds: number): Promise<CGenerator> {
    const args = ['--streams', String(streams), '--max-seconds', String(maxSeconds)];
    const cmd = [...(TASKSET_GEN === undefined ? [] : ['taskset', '-c', TASKSET_GEN]), bin, ...args];
    const proc = spawn('nice', ['-n', String(GEN_NICE), ...cmd]);
    proc.stderr.on('data', (c: Buffer) => process.stderr.write(c));
    const g = new CGenerator(proc);
    const first = await g.line();
    if (!first.startsWith('ports ')) throw new Error(`rtp-gen: unexpected ${first}`);
    g.#ports = first.slice(6).split(' ').map(Number);
    return g;
  }
  get pid(): number {
    return this.#proc.pid ?? -1;
  }
  async line(): Promise<string> {
    const r = await this.#lines.next();
    if (r.done === true) throw new Error('rtp-gen ended early');
    return r.value;
  }
  /** The next unused socket: its index and port. */
  take(): { idx: number; port: number } {
    const idx = this.#next++;
    const port = this.#ports[idx];
    if (port === undefined) throw new Error('rtp-gen: out of sockets');
    return { idx, port };
  }
  remote(idx: number, port: number, dir: DirectionName): void {
    this.#proc.stdin.write(`remote ${idx} ${port} ${dir === 'fwd' ? 0 : 1}\n`);
  }
  run(warmupMs: number, windowMs: number): void {
    this.#proc.stdin.write(`run ${warmupMs} ${windowMs}\n`);
  }
  kill(): void {
    if (this.#proc.exitCode === null) this.#proc.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'belfry-rtp-bench-'));
  const callee = await LoadUa.start(0);
  const cfg = join(work, 'config');
  cpSync(join(here, 'config', 'calls'), cfg, { recursive: true });
  const planFile = join(cfg, 'dialplan', 'plan.yaml');
  writeFileSync(planFile, readFileSync(planFile, 'utf8').replace('port: 25080', `port: ${callee.port}`));
  // --belfry-relay native|js and --belfry-workers N: belfry's rtp.relay and rtp.workers (relay threads, or JS worker threads).
  const settingsFile = join(cfg, 'belfry.yaml');
  writeFileSync(settingsFile, readFileSync(settingsFile, 'utf8').replace(/^rtp:\n/m, `rtp:\n  relay: ${BELFRY_RELAY}\n  workers: ${BELFRY_WORKERS}\n`));
  // Everything of ours that binds ephemeral ports does so before belfry's ports are picked
  // (a port freed by freePort() could otherwise be taken again before belfry binds it).
  // Two sockets per call; the C generator binds them all now, the Node one on demand.
  const cgen = C_GEN === undefined ? undefined : await CGenerator.start(C_GEN, 2 * CALLS, Math.ceil(CALLS / SETUP_RATE + WARMUP + SECONDS + 120));
  const caller = await LoadUa.start(0);
  const sipPort = await freePort();
  const httpPort = await freePort();
  const belfryArgs = ['start', '--config', cfg, '--data-dir', join(work, 'data'), '--sip-host', '127.0.0.1', '--sip-port', String(sipPort), '--http-port', String(httpPort)];
  // taskset execs belfry's launcher, which execs node: the PID stays belfry's.
  const child = spawn(TASKSET_BELFRY === undefined ? join(root, 'bin', 'belfry') : 'taskset', TASKSET_BELFRY === undefined ? belfryArgs : ['-c', TASKSET_BELFRY, join(root, 'bin', 'belfry'), ...belfryArgs], {
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
  const gens = cgen === undefined ? Array.from({ length: WORKERS }, () => new Generator()) : [];
  let nextId = 0;
  let nextGen = 0;
  /** One call end's socket: its port, and how to tell the generator where it sends. */
  const bindOne = async (): Promise<{ port: number; remote(port: number, dir: DirectionName): void }> => {
    if (cgen !== undefined) {
      const { idx, port } = cgen.take();
      return { port, remote: (p, dir) => cgen.remote(idx, p, dir) };
    }
    const id = nextId++;
    const g = gens[nextGen++ % gens.length] ?? gens[0];
    if (g === undefined) throw new Error('no generator');
    return { port: await g.bind(id), remote: (p, dir) => g.post({ kind: 'remote', id, port: p, sends: dir }) };
  };
  let failures = 0;
  let established = 0;
  let stopped = false;
  const result: Record<string, unknown> = { bench: 'rtp-calls', calls: CALLS, seconds: SECONDS, generator: cgen === undefined ? 'node' : 'c', ...(cgen === undefined ? {} : { generatorNice: GEN_NICE }), ...(cgen === undefined ? { workers: WORKERS } : {}), belfryRelay: BELFRY_RELAY, belfryWorkers: BELFRY_WORKERS, ...(TASKSET_BELFRY !== undefined ? { tasksetBelfry: TASKSET_BELFRY } : {}), ...(TASKSET_GEN !== undefined ? { tasksetGenerator: TASKSET_GEN } : {}) };
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
    // The callee side: answer every INVITE with a fresh socket in a generator thread.
    callee.onInvite((inc: Incoming) => {
      void bindOne().then(({ port, remote }) => {
        remote(inc.offerPort, 'back');
        inc.leg.progress(180);
        inc.leg.answer({ body: Buffer.from(`v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n`), contentType: 'application/sdp' });
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
      const { port, remote: setRemote } = await bindOne();
      const c = caller.call(sipPort, 'bench', port);
      legs.push(c.leg);
      pending.push(
        Promise.race([c.answered, sleep(15_000).then(() => Promise.reject(new Error('timeout')))]).then(
          (remote) => {
            established++;
            setRemote(remote, 'fwd');
          },
          () => {
            failures++;
          },
        ),
      );
    }
    await Promise.all(pending);
    const setupS = (performance.now() - setupStart) / 1000;
    const concurrent = ((await api('/api/v1/calls')) as { items?: unknown[] }).items?.length ?? 0;
    const hz = 100; // USER_HZ on Linux
    if (cgen !== undefined) {
      // The C generator times the window itself and says when it starts and ends.
      cgen.run(WARMUP * 1000, SECONDS * 1000);
      const expect = async (what: string) => {
        const l = await cgen.line();
        if (l !== what) throw new Error(`rtp-gen: expected ${what}, got ${l}`);
      };
      await expect('window-start');
      const ticks0 = procTicks(pid);
      const waitB0 = procRunqueueWaitNs(pid);
      const waitG0 = procRunqueueWaitNs(cgen.pid);
      const drops0 = udpRcvbufErrors();
      const t0 = performance.now();
      await expect('window-end');
      const wall = (performance.now() - t0) / 1000;
      const ticks1 = procTicks(pid);
      const waitB1 = procRunqueueWaitNs(pid);
      const waitG1 = procRunqueueWaitNs(cgen.pid);
      const rssLoaded = procRssKb(pid);
      const gen = JSON.parse(await cgen.line()) as { callerToCallee: unknown; calleeToCaller: unknown; cpuPct: number; cpuUserPct: number; cpuSysPct: number; sendErrors: number };
      stopped = true;
      const drops1 = udpRcvbufErrors();
      for (const l of legs) l.hangup();
      await sleep(1500);
      Object.assign(result, {
        established,
        setupFailures: failures,
        setupSeconds: Math.round(setupS * 10) / 10,
        concurrentCallsSeen: concurrent,
        callerToCallee: gen.callerToCallee,
        calleeToCaller: gen.calleeToCaller,
        belfry: {
          cpuPct: Math.round(((ticks1 - ticks0) / hz / wall) * 1000) / 10,
          // Runnable but not running (all threads): high values mean the machine, not belfry, was the limit.
          runqueueWaitPct: Math.round(((waitB1 - waitB0) / 1e9 / wall) * 1000) / 10,
          rssIdleKb: rssIdle,
          rssLoadedKb: rssLoaded,
          bytesPerCall: concurrent > 0 ? Math.round(((rssLoaded - rssIdle) * 1024) / concurrent) : null,
        },
        generatorCpuPct: gen.cpuPct,
        generatorRunqueueWaitPct: Math.round(((waitG1 - waitG0) / 1e9 / wall) * 1000) / 10,
        generatorCpuUserPct: gen.cpuUserPct,
        generatorCpuSysPct: gen.cpuSysPct,
        generatorSendErrors: gen.sendErrors,
        kernelUdpRcvbufErrors: drops1 - drops0,
        loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
        target: '≥ 1,000 concurrent calls ≈ 100,000 packets/s each way, < 0.1 % loss',
        date: new Date().toISOString(),
      });
    } else {
      for (const g of gens) g.post({ kind: 'start' });
      await sleep(WARMUP * 1000);
      const ticks0 = procTicks(pid);
      const cpu0 = process.cpuUsage();
      const drops0 = udpRcvbufErrors();
      const start = performance.timeOrigin + performance.now();
      for (const g of gens) g.post({ kind: 'window', start, end: start + SECONDS * 1000 });
      await sleep(SECONDS * 1000);
      const wall = (performance.timeOrigin + performance.now() - start) / 1000;
      const ticks1 = procTicks(pid);
      const cpu1 = process.cpuUsage(cpu0);
      const rssLoaded = procRssKb(pid);
      const stats = await Promise.all(gens.map((g) => g.stop()));
      stopped = true;
      const drops1 = udpRcvbufErrors();
      for (const l of legs) l.hangup();
      await sleep(1500);
      Object.assign(result, {
        established,
        setupFailures: failures,
        setupSeconds: Math.round(setupS * 10) / 10,
        concurrentCallsSeen: concurrent,
        callerToCallee: summarise(mergeDirections(stats.map((s) => s.fwd)), wall),
        calleeToCaller: summarise(mergeDirections(stats.map((s) => s.back)), wall),
        belfry: { cpuPct: Math.round(((ticks1 - ticks0) / hz / wall) * 1000) / 10, rssIdleKb: rssIdle, rssLoadedKb: rssLoaded, bytesPerCall: concurrent > 0 ? Math.round(((rssLoaded - rssIdle) * 1024) / concurrent) : null },
        // The busiest generator thread's event-loop utilisation: near 100 % means the generator is the limit.
        generatorBusiestThreadPct: Math.round(Math.max(...stats.map((s) => s.elu)) * 1000) / 10,
        generatorProcessCpuPct: Math.round(((cpu1.user + cpu1.system) / 1e6 / wall) * 1000) / 10,
        kernelUdpRcvbufErrors: drops1 - drops0,
        loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
        target: '≥ 1,000 concurrent calls ≈ 100,000 packets/s each way, < 0.1 % loss',
        date: new Date().toISOString(),
      });
    }
  } finally {
    if (!stopped) await Promise.race([Promise.all(gens.map((g) => g.stop())), sleep(3000)]);
    for (const g of gens) void g.worker.terminate();
    cgen?.kill();
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
