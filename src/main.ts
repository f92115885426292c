/**
 * The composition root (the only one): loads settings and the dialplan,
 * builds the clock, logger, store, SIP stack, engine and admin API, and
 * handles signals and graceful shutdown. bin/cli.ts parses argv and calls
 * the run* functions here.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { mkdirSync, readFileSync, watch, writeFileSync, existsSync, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, cryptoIds, pooledRandomBytes, systemClock, type Clock, type Logger, type TimerHandle } from './common/index.ts';
import { explainRoute, formatDiagnostic, parseRouteTime, type Plan } from './dialplan/index.ts';
import { createSipStack, createSipTimers, DigestServer, type Flow, type SipRequest, type SipResponse, type SipStack } from './sip/index.ts';
import { InProcessAnchorHost, NativeAnchorHost, PortPool, WorkerAnchorHost, openFileLimit, rtpPairBudget, type AnchorHost } from './rtp/index.ts';
import { openDatabase, CachedBindingStore, SqliteBindingStore, CdrStore, StoreWriteThread } from './store/index.ts';
import {
  AuthGate,
  CdrWriter,
  compileDir,
  createAdmin,
  DEFAULT_DOOR_POLICY,
  DialogRouter,
  Door,
  makeLegContext,
  PlanHolder,
  RegistrarService,
  Switch,
  TogglesStore,
  TrunkDirectory,
  TrunkManager,
  UserDirectory,
} from './engine/index.ts';
import { startApiServer, type ApiServer } from './api/index.ts';
import { formatConfigDiagnostic, loadSettings, type Settings, type SettingsOverrides } from './settings/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

export interface StartOptions {
  readonly configDir: string;
  readonly overrides?: SettingsOverrides;
}

export interface RunningSwitch {
  readonly log: Logger;
  readonly sip: SipStack;
  reload(): Promise<void>;
  /** Stop accepting, let transactions in flight finish within the grace bound, close the store. */
  shutdown(reason: string): Promise<void>;
}

function apiToken(settings: Settings, dataDir: string, log: Logger): string {
  if (settings.http.token) return settings.http.token;
  const env = process.env.BELFRY_API_TOKEN;
  if (env && env.length >= 16) return env;
  const file = join(dataDir, 'api-token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 16) return t;
  }
  const t = randomBytes(24).toString('base64url');
  writeFileSync(file, t + '\n', { mode: 0o600 });
  log.info({ file }, 'generated an admin API token');
  return t;
}

async function resolveTrunkHosts(plan: Plan, log: Logger): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, t] of plan.trunks) {
    if (isIP(t.host)) {
      out.set(name, t.host);
      continue;
    }
    try {
      out.set(name, (await lookup(t.host)).address);
    } catch (e) {
      log.warn({ trunk: name, host: t.host, err: (e as Error).message }, 'trunk host does not resolve; outbound calls through it will fail');
    }
  }
  return out;
}

export async function startSwitch(opts: StartOptions): Promise<RunningSwitch> {
  const loaded = loadSettings(opts.configDir, opts.overrides);
  if (!loaded.ok) throw new Error(`invalid settings:\n${loaded.diagnostics.map(formatConfigDiagnostic).join('\n')}`);
  const { settings, configDir } = loaded.value;
  const log = createLogger({ level: settings.log.level, pretty: process.stdout.isTTY === true });
  const clock = systemClock;
  const ids = cryptoIds();
  const dataDir = resolve(settings.data_dir);
  mkdirSync(dataDir, { recursive: true });
  const dialplanDir = resolve(configDir, settings.dialplan_dir);
  const compiled = compileDir(dialplanDir);
  if (!compiled.ok) throw new Error(`the dialplan does not compile:\n${compiled.diagnostics.map(formatDiagnostic).join('\n')}`);
  for (const w of compiled.warnings) log.warn({ diagnostic: formatDiagnostic(w) }, 'dialplan warning');
  const plans = new PlanHolder(dialplanDir, compiled.plan);

  // Store: bindings survive restarts; calls open at a crash are closed now.
  const dbFile = join(dataDir, 'belfry.db');
  const db = openDatabase(dbFile);
  const sqlBindings = new SqliteBindingStore(db);
  const cdrStore = new CdrStore(db);
  const interrupted = cdrStore.closeInterrupted(clock.wallNow());
  if (interrupted > 0) log.warn({ interrupted }, 'closed calls left open by the previous run as INTERRUPTED');
  // Writes go to a thread of their own (store/write-thread.ts); reads stay on this connection.
  let writeThread: StoreWriteThread | undefined;
  if (settings.store.write_thread) {
    try {
      writeThread = await StoreWriteThread.start({ file: dbFile, log, fallback: { bindings: sqlBindings, cdrs: cdrStore } });
    } catch (e) {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'store write thread did not start; writing on the main thread');
    }
  }
  // Bindings live in memory and are written to SQLite behind, in batches (store/binding-cache.ts).
  const bindingStore = new CachedBindingStore(sqlBindings, clock, { log, ...(writeThread !== undefined ? { writer: writeThread } : {}) });

  const s = settings.sip;
  const listeners: Array<{ protocol: 'udp' | 'tcp' | 'tls'; host: string; port: number; ipv6Host?: string; tls?: { certPath: string; keyPath: string } }> = [
    { protocol: 'udp', host: s.host, port: s.udp_port, ...(s.host6 ? { ipv6Host: s.host6 } : {}) },
    { protocol: 'tcp', host: s.host, port: s.tcp_port },
  ];
  if (s.tls.enabled) {
    if (!s.tls.cert || !s.tls.key) throw new Error('sip.tls.enabled needs sip.tls.cert and sip.tls.key');
    listeners.push({ protocol: 'tls', host: s.host, port: s.tls.port, tls: { certPath: resolve(configDir, s.tls.cert), keyPath: resolve(configDir, s.tls.key) } });
  }
  const timerBase = { T1: s.timers.t1_ms, T2: s.timers.t2_ms, T4: s.timers.t4_ms };
  const dp = settings.door;
  const doorPolicy = { ...DEFAULT_DOOR_POLICY, requestsPerSec: dp.requests_per_s, requestBurst: dp.request_burst, authFailures: dp.auth_failures, blockS: dp.block_s, exempt: new Set(dp.exempt) };
  const door = new Door(doorPolicy, (e) => log.warn({ peer: e.address, reason: e.reason, until: new Date(e.untilMs).toISOString() }, 'source address blocked'));
  let statelessAnswer: ((req: SipRequest, flow: Flow) => Buffer | undefined) | undefined;
  const stack = await createSipStack({
    listeners,
    limits: { maxMessageBytes: s.limits.max_message_bytes, maxHeaders: s.limits.max_headers, maxLineLength: s.limits.max_line_length, maxUriLength: s.limits.max_uri_length },
    timers: timerBase,
    clock,
    ids,
    logger: log,
    maxTransactions: s.max_transactions,
    stream: { idleTimeoutMs: s.tcp.idle_timeout_s * 1000, maxConnections: s.tcp.max_connections },
    udpEngine: s.udp_engine,
    allowedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'REFER', 'NOTIFY'],
    supportedExtensions: ['replaces', 'path', 'outbound'],
    admit: (address) => door.admit(address, clock.now()) === 'pass',
    // Bound once the switch exists (it needs the stack): credential-less requests are challenged statelessly.
    stateless: (req, flow) => statelessAnswer?.(req, flow),
  });
  const bound = stack.addresses();
  const portOf = (p: Flow['protocol']) => bound.find((a) => a.protocol === p && a.family === 'IPv4') ?? bound.find((a) => a.protocol === p);
  const unspecified = (h: string) => h === '0.0.0.0' || h === '::';
  const advertiseHost = (flow: Flow) => (!unspecified(s.host) ? s.host : unspecified(flow.localAddress) ? '127.0.0.1' : flow.localAddress);
  log.info({ udp: portOf('udp')?.port, tcp: portOf('tcp')?.port, tls: portOf('tls')?.port, host: s.host }, 'sip listening');

  const domain = unspecified(s.host) ? s.realm : s.host;
  const anchors = await startAnchorHost(settings.rtp, log, clock);
  let users = new UserDirectory(plans.plan);
  // Trunks: ${ENV} credentials substituted here (docs/trunks.md); unreachable ones (OPTIONS ping) are skipped.
  const trunkOpts = { env: process.env, reachable: (n: string) => trunkManager.reachable(n) };
  let trunks = new TrunkDirectory(plans.plan, await resolveTrunkHosts(plans.plan, log), (p) => {
    const a = portOf(p);
    return a === undefined ? undefined : { address: a.address, port: a.port };
  }, trunkOpts);
  plans.onSwap((plan) => {
    users = new UserDirectory(plan);
    void resolveTrunkHosts(plan, log).then((r) => {
      trunks = new TrunkDirectory(plan, r, (p) => {
        const a = portOf(p);
        return a === undefined ? undefined : { address: a.address, port: a.port };
      }, trunkOpts);
      trunkManager.update(trunks);
    });
  });
  const digest = new DigestServer({ secret: randomBytes(32), nonceLifetimeMs: 300_000, maxTrackedNonces: 100_000, random: pooledRandomBytes() });
  const auth = new AuthGate({ digest, realm: s.realm, users: () => users, door, clock, log, algorithms: s.auth_algorithms });
  const dialogs = new DialogRouter(clock);
  const legs = makeLegContext({
    transactions: stack,
    routing: dialogs,
    clock,
    ids,
    timers: createSipTimers(timerBase),
    log,
    advertise: (flow) => ({ host: advertiseHost(flow), port: portOf(flow.protocol)?.port ?? flow.localPort }),
    product: `belfry/${VERSION}`,
  });
  const tr = settings.trunks;
  const trunkManager = new TrunkManager({ sip: legs, clock, ids, log, expiresS: tr.register_expires_s, retryMinMs: tr.retry_min_ms, retryMaxMs: Math.max(tr.retry_min_ms, tr.retry_max_ms) });
  trunkManager.update(trunks);
  const registrar = new RegistrarService({
    store: bindingStore,
    auth,
    policy: { minExpires: 60, maxExpires: 3600, defaultExpires: 3600, maxContacts: 10 },
    maxContactsFor: (u) => users.get(u)?.maxContacts ?? 1,
    clock,
    ids,
    log,
    sip: legs,
    domain: () => domain,
    qualifyIntervalMs: 60_000,
  });
  registrar.setBindingLister((now) => bindingStore.allBindings(now));
  const toggles = new TogglesStore(dataDir);
  const cdrWriter = new CdrWriter(writeThread ?? cdrStore, log, { clock });
  const sw = new Switch({
    stack,
    legs,
    dialogs,
    registrar,
    auth,
    door,
    plans,
    toggles,
    trunks: () => trunks,
    anchors,
    cdr: cdrWriter,
    clock,
    ids,
    log,
    domain,
    rtpAdvertise: settings.rtp.address === '0.0.0.0' ? advertiseHost({ localAddress: '0.0.0.0' } as Flow) : settings.rtp.address,
    silenceTimeoutMs: settings.rtp.silence_timeout_s * 1000,
  });

  statelessAnswer = (req, flow) => sw.statelessAnswer(req, flow);

  const reload = async () => {
    const r = plans.reload(clock.wallNow());
    if (r.ok) log.info({ version: r.version, warnings: r.warnings.length }, 'dialplan reloaded');
    else log.error({ errors: r.errors }, 'dialplan reload failed: the running plan is kept');
    return r;
  };

  let api: ApiServer | undefined;
  if (settings.http.enabled) {
    const admin = createAdmin({
      sw,
      stack,
      cdr: cdrStore,
      bindings: (now) => registrar.allBindings(() => bindingStore.allBindings(now)),
      plans,
      toggles,
      trunks: () => trunks,
      trunkState: (name) => trunkManager.state(name),
      reload,
      now: () => clock.wallNow(),
      startedAt: clock.wallNow(),
      version: VERSION,
    });
    api = await startApiServer({ host: settings.http.host, port: settings.http.port, token: apiToken(settings, dataDir, log), admin, log, dataDir });
    log.info({ host: settings.http.host, port: api.port }, 'http listening');
  } else {
    log.info('http disabled');
  }

  // Hot reload on file change, debounced: editors write files in several steps.
  let watcher: FSWatcher | undefined;
  let debounce: TimerHandle | undefined;
  try {
    watcher = watch(dialplanDir, () => {
      debounce?.cancel();
      debounce = clock.setTimer(300, () => void reload());
    });
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'cannot watch the dialplan folder; reload with SIGHUP or the API');
  }
  const purge = setInterval(() => bindingStore.purgeExpired(clock.wallNow()), 60_000);
  purge.unref();

  let closed = false;
  return {
    log,
    sip: stack,
    reload: async () => {
      await reload();
    },
    async shutdown(reason: string) {
      if (closed) return;
      closed = true;
      log.info({ reason }, 'shutting down');
      watcher?.close();
      debounce?.cancel();
      clearInterval(purge);
      sw.close();
      registrar.close();
      // Expires: 0 to every carrier we registered with (bounded: a dead carrier must not hold shutdown).
      await trunkManager.close(Math.min(2000, settings.shutdown.grace_ms + 500));
      await stack.close({ graceMs: settings.shutdown.grace_ms });
      await api?.close();
      await anchors.close();
      bindingStore.flush();
      cdrWriter.flush();
      await writeThread?.close();
      await cdrWriter.settled();
      db.close();
      log.info('stopped');
    },
  };
}

export async function runStart(opts: StartOptions): Promise<number> {
  let sw: RunningSwitch;
  try {
    sw = await startSwitch(opts);
  } catch (e) {
    process.stderr.write(`belfry: ${(e as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      sw.shutdown(signal).then(
        () => resolveExit(0),
        (e: unknown) => {
          sw.log.error({ err: e }, 'shutdown failed');
          resolveExit(1);
        },
      );
    };
    process.on('SIGHUP', () => void sw.reload());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export interface CheckOptions {
  readonly configDir: string;
}

export async function runCheck(opts: CheckOptions): Promise<number> {
  const loaded = loadSettings(opts.configDir);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) process.stdout.write(formatConfigDiagnostic(d) + '\n');
    return 1;
  }
  const dir = resolve(loaded.value.configDir, loaded.value.settings.dialplan_dir);
  const r = compileDir(dir);
  for (const w of r.warnings) process.stdout.write(formatDiagnostic(w) + '\n');
  if (!r.ok) {
    for (const d of r.diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
    return 1;
  }
  process.stdout.write(`${loaded.value.file}: ok\n${dir}: ok (${r.plan.users.size} users, ${r.plan.ringGroups.size} ring groups, ${r.plan.numbers.size} numbers)\n`);
  return 0;
}

export interface RouteOptions {
  readonly configDir: string;
  readonly from: string;
  readonly to: string;
  readonly at: string | undefined;
  readonly night: 'auto' | 'open' | 'closed';
}

export async function runRoute(opts: RouteOptions): Promise<number> {
  const loaded = loadSettings(opts.configDir);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) process.stdout.write(formatConfigDiagnostic(d) + '\n');
    return 1;
  }
  const r = compileDir(resolve(loaded.value.configDir, loaded.value.settings.dialplan_dir));
  if (!r.ok) {
    for (const d of r.diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
    return 1;
  }
  const at = opts.at === undefined ? Date.now() : parseRouteTime(r.plan, opts.at);
  if (at === null || Number.isNaN(at)) {
    process.stderr.write(`belfry route: --at must be an ISO 8601 date-time, got ${JSON.stringify(opts.at)}\n`);
    return 2;
  }
  for (const line of explainRoute(r.plan, { from: opts.from, to: opts.to, at, night: opts.night })) process.stdout.write(line + '\n');
  return 0;
}

/**
 * Where RTP is relayed: in the native relay's threads (rtp.relay native, or
 * auto when the addon loads), else in JavaScript, on this thread or in worker
 * threads that each own a slice of the port range (rtp.workers > 0).
 */
async function startAnchorHost(rtp: Settings['rtp'], log: Logger, clock: Clock): Promise<AnchorHost> {
  const budget = rtpPairBudget(openFileLimit(), 1);
  if (rtp.relay !== 'js') {
    const threads = Math.max(1, rtp.workers);
    const native = NativeAnchorHost.start({ address: rtp.address, minPort: rtp.port_min, maxPort: rtp.port_max, threads, maxBoundPairs: budget });
    if (native.ok) {
      log.info({ relay: 'native', threads }, 'rtp relay');
      return native.value;
    }
    if (rtp.relay === 'native') throw new Error(`cannot start the native RTP relay: ${native.error.message}`);
    log.warn({ relay: 'js', reason: native.error.message }, 'native RTP relay not available (npm run build:native builds it); relaying in JavaScript');
  }
  if (rtp.workers > 0) {
    const started = await WorkerAnchorHost.start({ address: rtp.address, minPort: rtp.port_min, maxPort: rtp.port_max, workers: rtp.workers });
    if (!started.ok) throw new Error(`cannot start the RTP worker threads: ${started.error.message}`);
    return started.value;
  }
  return new InProcessAnchorHost(new PortPool({ address: rtp.address, minPort: rtp.port_min, maxPort: rtp.port_max, maxBoundPairs: budget }), clock);
}
