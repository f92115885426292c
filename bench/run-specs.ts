/**
 * What bench/run.ts runs: one entry per harness with its full-size and
 * smoke-size command, a time bound, and how to turn its JSON line into
 * table rows (figure, belfry, same-run reference, ratio). The field names
 * read here are the ones each harness prints; a missing field shows as "—".
 */

export interface BenchCommand {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutS: number;
  readonly smokeTimeoutS: number;
}

export interface Row {
  readonly figure: string;
  readonly belfry: string;
  readonly reference?: string;
  readonly ratio?: string;
}

export interface BenchSpec {
  readonly id: string;
  readonly title: string;
  command(smoke: boolean): BenchCommand;
  rows(j: Record<string, unknown>): Row[];
}

/** A value at a dotted path of a JSON object, or undefined. */
export function at(j: unknown, path: string): unknown {
  let v: unknown = j;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** A number with thousands separators and a unit, or "—". */
export function num(v: unknown, unit = '', digits = 0): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit}`;
}

/** belfry / reference as "×1.23", or "—". */
export function ratio(a: unknown, b: unknown): string {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? `×${(a / b).toFixed(2)}` : '—';
}

const tsx = (file: string, ...args: string[]): string[] => ['node', '--import', 'tsx', file, ...args];

/** Anchored RTP through a real belfry (its native relay, or the JavaScript one in 2 worker threads) and the C generator (bench/rtp-calls.ts). */
function rtpCallsSpec(id: string, calls: number, title: string, relay: 'native' | 'js' = 'native'): BenchSpec {
  const relayArgs = relay === 'native' ? ['--belfry-relay', 'native', '--belfry-workers', '1'] : ['--belfry-relay', 'js', '--belfry-workers', '2'];
  return {
    id,
    title,
    command: (s) => ({ argv: tsx('bench/rtp-calls.ts', '--calls', s ? '50' : String(calls), '--seconds', s ? '3' : '15', '--setup-rate', s ? '50' : '100', '--warmup', s ? '1' : '3', ...relayArgs), timeoutS: 900, smokeTimeoutS: 180 }),
    rows: (j) => [
      { figure: 'calls established / concurrent seen by belfry', belfry: `${num(at(j, 'established'))} / ${num(at(j, 'concurrentCallsSeen'))}` },
      ...(['callerToCallee', 'calleeToCaller'] as const).map((d) => ({
        figure: `${d === 'callerToCallee' ? 'caller → callee' : 'callee → caller'}: packets/s, loss, added delay p50/p99/max`,
        belfry: `${num(at(j, `${d}.pps`), ' /s')}, ${num(at(j, `${d}.lossPct`), ' %', 3)}, ${num(at(j, `${d}.p50Ms`), '', 2)}/${num(at(j, `${d}.p99Ms`), '', 2)}/${num(at(j, `${d}.maxMs`), ' ms', 1)}`,
      })),
      { figure: 'belfry CPU (all threads, % of one core) / run-queue wait / RSS loaded', belfry: `${num(at(j, 'belfry.cpuPct'), ' %', 1)} / ${num(at(j, 'belfry.runqueueWaitPct'), ' %', 1)} / ${num(at(j, 'belfry.rssLoadedKb'), ' kB')}` },
      { figure: 'memory per call with media (RSS delta / calls)', belfry: num(at(j, 'belfry.bytesPerCall'), ' B') },
      { figure: 'C generator CPU (kernel loopback work included) / its run-queue wait', belfry: `${num(at(j, 'generatorCpuPct'), ' %', 1)} / ${num(at(j, 'generatorRunqueueWaitPct'), ' %', 1)}` },
      { figure: 'ANSWERED CDRs', belfry: num(at(j, 'answeredCdrs')) },
    ],
  };
}

export const BENCHES: readonly BenchSpec[] = [
  {
    id: 'parse',
    title: 'SIP parser throughput (npm `sip` 0.0.6 as the same-run reference)',
    command: (s) => ({ argv: tsx('bench/parse.bench.ts', s ? '0.3' : '2'), timeoutS: 300, smokeTimeoutS: 120 }),
    rows: (j) =>
      (['invite', 'register'] as const).flatMap((m) => [
        { figure: `${m.toUpperCase()} parse, per CPU second`, belfry: num(at(j, `${m}.parse.belfry.cpuOps`), ' /s'), reference: num(at(j, `${m}.parse.sipjs.cpuOps`), ' /s'), ratio: ratio(at(j, `${m}.parse.belfry.cpuOps`), at(j, `${m}.parse.sipjs.cpuOps`)) },
        { figure: `${m.toUpperCase()} parse + serialize, per CPU second`, belfry: num(at(j, `${m}.parseSerialize.belfry.cpuOps`), ' /s'), reference: num(at(j, `${m}.parseSerialize.sipjs.cpuOps`), ' /s'), ratio: ratio(at(j, `${m}.parseSerialize.belfry.cpuOps`), at(j, `${m}.parseSerialize.sipjs.cpuOps`)) },
      ]),
  },
  {
    id: 'fuzz',
    title: 'Parser fuzzing (random and mutated messages; must never throw)',
    command: (s) => ({ argv: tsx('bench/fuzz-parser.ts', s ? '20000' : '1000000'), timeoutS: 900, smokeTimeoutS: 120 }),
    rows: (j) => [
      { figure: 'messages parsed', belfry: num(at(j, 'n')) },
      { figure: 'throws (must be 0)', belfry: num(at(j, 'threw')) },
      { figure: 'rate', belfry: num(at(j, 'perSec'), ' /s') },
    ],
  },
  {
    id: 'transaction',
    title: 'Transaction layer setup rate (in-memory transport, manual clock)',
    command: (s) => ({ argv: tsx('bench/transaction.bench.ts', s ? '0.3' : '2'), timeoutS: 300, smokeTimeoutS: 120 }),
    rows: (j) => [
      { figure: 'non-INVITE server transactions', belfry: num(at(j, 'nonInviteServerPerSec'), ' /s') },
      { figure: 'INVITE client transactions', belfry: num(at(j, 'inviteClientPerSec'), ' /s') },
    ],
  },
  {
    id: 'options',
    title: 'OPTIONS over UDP through the stack (SIPp ramp + bisection)',
    command: (s) => ({ argv: ['bash', 'bench/options-sipp.sh'], env: s ? { STEP_SECS: '2', START_RATE: '500', MAX_RATE: '1000', BISECT: '0' } : {}, timeoutS: 1800, smokeTimeoutS: 180 }),
    rows: (j) => [
      { figure: 'highest rate with 0 failures', belfry: num(at(j, 'max_rate_zero_failures'), ' /s') },
      { figure: 'CPU per OPTIONS', belfry: num(at(j, 'cpu_us_per_options'), ' µs', 1) },
    ],
  },
  {
    id: 'flood',
    title: 'Malformed-datagram flood (memory stays bounded, stack keeps answering)',
    command: (s) => ({ argv: tsx('bench/flood.ts', '--count', s ? '5000' : '1000000', '--rate', s ? '5000' : '50000', '--settle-s', s ? '1' : '35', '--rounds', '3'), timeoutS: 900, smokeTimeoutS: 120 }),
    rows: (j) => [
      { figure: 'datagrams sent / achieved rate', belfry: `${num(at(j, 'sent'))} / ${num(at(j, 'achievedRate'), ' /s')}` },
      { figure: 'RSS before → peak → after', belfry: `${num(at(j, 'rssKiB.before'), ' KiB')} → ${num(at(j, 'rssKiB.peak'), ' KiB')} → ${num(at(j, 'rssKiB.after'), ' KiB')}` },
      {
        figure: 'RSS at rest after each round (the same flood again, 35 s apart; bounded memory does not grow round over round)',
        belfry: ((at(j, 'rounds') as { rssAfterKiB: number }[] | undefined) ?? []).map((r) => num(r.rssAfterKiB, ' KiB')).join(' → '),
      },
      { figure: 'OPTIONS answered after the flood', belfry: String(at(j, 'optionsAnsweredAfter') ?? '—') },
    ],
  },
  {
    id: 'register',
    title: 'REGISTER with MD5 digest, 10,000 users (Kamailio registrar from the peer kit in the same run)',
    command: (s) => ({
      argv: ['bash', 'bench/register-sipp.sh'],
      // Full runs collect belfry's garbage before each memory sample (steady figures; see the script's header).
      env: s ? { USERS: '300', FILL_RATE: '200', REG_RATES: '100 200', STEP_SECS: '2', REPEATS: '1', BISECT: '0', CONFIRM_SECS: '2', QUIET_MAX_WAIT: '1', SETTLE_SECS: '1', SETTLE_FAIL_SECS: '1' } : { GC_BEFORE_SAMPLE: '1' },
      timeoutS: 3 * 3600,
      smokeTimeoutS: 400,
    }),
    rows: (j) => [
      { figure: 'highest REGISTER rate with 0 failures (median of repeats)', belfry: num(at(j, 'belfry.maxPerS'), ' /s'), reference: num(at(j, 'kamailio.maxPerS'), ' /s'), ratio: ratio(at(j, 'belfry.maxPerS'), at(j, 'kamailio.maxPerS')) },
      { figure: 'CPU per REGISTER (challenge + digest, at the max rate)', belfry: num(at(j, 'belfry.cpuUsPerReg'), ' µs'), reference: num(at(j, 'kamailio.cpuUsPerReg'), ' µs'), ratio: ratio(at(j, 'belfry.cpuUsPerReg'), at(j, 'kamailio.cpuUsPerReg')) },
      { figure: `memory per registration (RSS delta / ${num(at(j, 'users'))} users)`, belfry: num(at(j, 'belfry.bytesPerRegistration'), ' B'), reference: num(at(j, 'kamailio.bytesPerRegistration'), ' B'), ratio: ratio(at(j, 'belfry.bytesPerRegistration'), at(j, 'kamailio.bytesPerRegistration')) },
      { figure: 'of which V8 heap in use (delta / users)', belfry: num(at(j, 'belfry.heapBytesPerRegistration'), ' B') },
      { figure: 'marginal memory per registration (RSS delta over the second half of the users)', belfry: num(at(j, 'belfry.marginalBytesPerRegistration'), ' B') },
      { figure: 'of which V8 heap in use', belfry: num(at(j, 'belfry.marginalHeapBytesPerRegistration'), ' B') },
      { figure: 'users with a binding after the fill pass (belfry: bindings table)', belfry: num(at(j, 'belfry.registeredUsers')) },
      { figure: 'RSS empty → all users registered', belfry: `${num(at(j, 'belfry.rssEmptyKb'), ' kB')} → ${num(at(j, 'belfry.rssFilledKb'), ' kB')}`, reference: `${num(at(j, 'kamailio.rssEmptyKb'), ' kB')} → ${num(at(j, 'kamailio.rssFilledKb'), ' kB')} (all processes)` },
    ],
  },
  {
    id: 'calls',
    title: 'Call setup rate SIPp UAC → belfry (B2BUA) → SIPp UAS, no media (Kamailio stateful proxy in the same run)',
    command: (s) => ({
      argv: ['bash', 'bench/calls-sipp.sh'],
      env: s ? { CALL_RATES: '50 100', STEP_SECS: '2', REPEATS: '1', BISECT: '0', CONFIRM_SECS: '2', QUIET_MAX_WAIT: '1', SETTLE_SECS: '1', SETTLE_FAIL_SECS: '1', HOLD_RATE: '20', HOLD_S: '5' } : {},
      timeoutS: 3 * 3600,
      smokeTimeoutS: 600,
    }),
    rows: (j) => [
      { figure: 'highest call rate with 0 failures (median of repeats)', belfry: num(at(j, 'belfry.maxCps'), ' calls/s'), reference: num(at(j, 'kamailio.maxCps'), ' calls/s'), ratio: ratio(at(j, 'belfry.maxCps'), at(j, 'kamailio.maxCps')) },
      { figure: 'CPU per call (at the max rate)', belfry: num(at(j, 'belfry.cpuUsPerCall'), ' µs'), reference: num(at(j, 'kamailio.cpuUsPerCall'), ' µs'), ratio: ratio(at(j, 'belfry.cpuUsPerCall'), at(j, 'kamailio.cpuUsPerCall')) },
      { figure: 'CDRs written (ANSWERED rows / calls completed)', belfry: `${num(at(j, 'belfry.answeredCdrs'))} / ${num(at(j, 'belfry.callsCompleted'))}` },
      { figure: `memory per call (RSS delta / ${num(at(j, 'belfry.concurrentCalls'))} held calls)`, belfry: num(at(j, 'belfry.bytesPerCall'), ' B') },
    ],
  },
  {
    id: 'rtp-relay',
    title: 'RTP relay in process (hot path without sockets, and N sessions on sockets)',
    command: (s) => ({ argv: tsx('bench/rtp-relay.bench.ts', '--sessions', s ? '50' : '1000', '--seconds', s ? '2' : '10'), timeoutS: 600, smokeTimeoutS: 120 }),
    rows: (j) => [
      { figure: 'hot path, pass-through', belfry: num(at(j, 'hotPath.passThrough.nsPerPacket'), ' ns/packet', 1) },
      { figure: 'hot path, μ-law → A-law', belfry: num(at(j, 'hotPath.ulawToAlaw.nsPerPacket'), ' ns/packet', 1) },
      { figure: `sockets: ${num(at(j, 'sockets.sessions'))} sessions relayed`, belfry: `${num(at(j, 'sockets.relayedPerSec'), ' packets/s')}, loss ${num(at(j, 'sockets.lossRatio'), '', 5)}, mean delay ${num(at(j, 'sockets.meanDelayMs'), ' ms', 2)}` },
    ],
  },
  rtpCallsSpec('rtp-calls', 500, 'Anchored G.711 calls through a real belfry with the native relay (1 thread), RTP both ways, 500 calls (C generator)'),
  rtpCallsSpec(
    'rtp-calls-1000',
    1000,
    'Anchored G.711 calls through a real belfry with the native relay (1 thread), RTP both ways, 1,000 calls (target: ≥ 1,000 calls ≈ 100,000 packets/s each way, < 0.1 % loss)',
  ),
  rtpCallsSpec('rtp-calls-1000-js', 1000, 'The same 1,000 calls with the JavaScript relay in 2 worker threads (rtp.relay: js, for comparison)', 'js'),
  {
    id: 'dialplan',
    title: 'Dialplan compile and decisions (target: compile < 1 s, ≥ 500,000 decisions/s)',
    command: (s) => ({ argv: tsx('bench/dialplan.bench.ts', s ? '0.3' : '2'), timeoutS: 300, smokeTimeoutS: 120 }),
    rows: (j) => [
      { figure: 'compile 10,000 users (CPU, warm)', belfry: num(at(j, 'compileCpuMsWarm'), ' ms') },
      { figure: 'mixed decisions per CPU second', belfry: num(at(j, 'mixedDecisionsPerSec.cpu'), ' /s') },
    ],
  },
  {
    id: 'cdr',
    title: 'CDR writes to SQLite (WAL)',
    command: (s) => ({ argv: tsx('bench/cdr-write.bench.ts', s ? '0.3' : '2'), timeoutS: 300, smokeTimeoutS: 120 }),
    rows: (j) => [
      { figure: 'completed calls written, one transaction each: CPU per call', belfry: num(at(j, 'writeCall.cpuUsPerCall'), ' µs', 1) },
      { figure: 'batched by 100: CPU per call', belfry: num(at(j, 'batched100.cpuUsPerCall'), ' µs', 1) },
      { figure: "the engine's writer (10 ms batches), open marker and final row in different batches: CPU per call", belfry: num(at(j, 'writerSplit.cpuUsPerCall'), ' µs', 1) },
      { figure: "the engine's writer, marker and final row in the same batch (short calls): CPU per call", belfry: num(at(j, 'writerSame.cpuUsPerCall'), ' µs', 1) },
    ],
  },
];
