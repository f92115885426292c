/**
 * Dialplan figures (STYLE G11): compile time of a generated plan with 10,000
 * users, 500 ring groups and 2,000 numbers (YAML text → frozen Plan), and
 * decisions per second on one core for a mix of inbound DIDs (schedules,
 * menus, ring groups with every strategy) and internal extension calls.
 * Prints one JSON line. Targets from issue 4: compile < 1 s, ≥ 500,000
 * decisions/s. Outbound calls (libphonenumber on each number) are reported
 * apart and are not part of the mix. Not asserted. Rates are given per wall second and per CPU
 * second of this process (the machine may be shared); the load average is printed.
 * `*NoTrace*` figures use decide(..., { trace: false }), which builds no trace
 * text (for a caller that does not log it); the others build the full trace.
 *
 *   node --import tsx bench/dialplan.bench.ts [secondsPerCase=2]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { compileDialplan, decide } from '../src/dialplan/index.ts';
import type { CallFacts, DecideOptions, Plan, Toggles } from '../src/dialplan/index.ts';

const seconds = Number(process.argv[2] ?? '2');
const USERS = 10_000;
const GROUPS = 500;
const NUMBERS = 2_000;
const STRATEGIES = ['ringall', 'hunt', 'rrmemory', 'leastrecent', 'fewestcalls', 'random'];

export function generatePlanYaml(): string {
  const out: string[] = [
    'settings: { time_zone: Europe/Amsterdam, default_country: NL, night_schedule: office }',
    'departments:',
    ...Array.from({ length: 20 }, (_, d) => `  d${d}: { name: Department ${d}, number: "+312012${String(d).padStart(5, '0')}" }`),
    'trunks:',
    '  carrier: { host: sip.carrier.example, register: true, username: "${U}", password: "${P}" }',
    '  backup: { host: sip.backup.example, number_format: national }',
    'schedules:',
    '  office: { week: { mon: ["08:30-17:30"], tue: ["08:30-17:30"], wed: ["08:30-17:30"], thu: ["08:30-17:30"], fri: ["08:30-16:00"] }, holidays: [nl] }',
    'holidays:',
    '  nl: [{ name: Kerst, yearly: "12-25" }, { name: Oud, yearly: "12-31", hours: ["09:00-12:00"] }, { name: Pasen, from: "2026-04-05", to: "2026-04-06" }]',
    'voicemail:',
    '  general: {}',
    'users:',
  ];
  for (let i = 0; i < USERS; i++) {
    const ext = String(10_000 + i);
    const extra = i % 10 === 0 ? `, voicemail: general, forward: { no_answer: voicemail:general, busy: voicemail:general }` : i % 17 === 0 ? ', anywhere: { numbers: ["+31612345678"], delay: 5 }' : '';
    out.push(`  "${ext}": { name: User ${i}, password: pw${i}, department: d${i % 20}${extra} }`);
  }
  out.push('ring_groups:');
  for (let g = 0; g < GROUPS; g++) {
    const members = Array.from({ length: 2 + (g % 9) }, (_, k) => `"${10_000 + ((g * 20 + k) % USERS)}"`).join(', ');
    out.push(`  g${g}: { extension: "${600_000 + g}", strategy: ${STRATEGIES[g % STRATEGIES.length]}, members: [${members}], ring_time: 15, total_ring_time: 60, overflow: voicemail:general }`);
  }
  out.push('ivr_menus:', '  main:', '    schedule: office', '    open: { prompt: welcome.wav, keys: { "1": ring_group:g0, "2": ring_group:g1 } }', '    closed: { prompt: closed.wav, keys: { "1": voicemail:general } }');
  out.push('numbers:');
  for (let n = 0; n < NUMBERS; n++) {
    const did = `+31207${String(n).padStart(6, '0')}`;
    const dest = n % 4 === 0 ? `ring_group:g${n % GROUPS}` : n % 4 === 1 ? `user:${10_000 + n}` : n % 4 === 2 ? 'menu:main' : `ring_group:g${(n * 7) % GROUPS}`;
    out.push(`  "${did}": { schedule: office, open: ${dest}, closed: voicemail:general }`);
  }
  out.push('outbound:', '  - { name: nl, prefixes: ["+31"], trunks: [carrier, backup] }', '  - { name: world, prefixes: ["+"], trunks: [carrier] }');
  out.push('restrictions:', '  - { name: premium, classes: [premium] }');
  return out.join('\n');
}

/** CPU time of this process in ms: on a shared machine it is steadier than wall time. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function compileOnce(text: string): { plan: Plan; ms: number; cpu: number } {
  const t0 = performance.now();
  const c0 = cpuMs();
  const r = compileDialplan([{ file: 'bench.yaml', text }]);
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  if (!r.ok) throw new Error(`bench plan does not compile: ${r.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
  return { plan: r.plan, ms, cpu };
}

/** Decisions per wall and per CPU second; `options.trace: false` is the hot-path mode that builds no trace text. */
function rate(plan: Plan, facts: readonly CallFacts[], instants: readonly number[], toggles: Toggles, options: DecideOptions = {}): { wall: number; cpu: number } {
  let n = 0;
  let sink = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  const c0 = cpuMs();
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) {
      const d = decide(plan, facts[n % facts.length] as CallFacts, instants[n % instants.length] as number, toggles, options);
      sink += d.trace.length + d.kind.length;
      n++;
    }
  }
  if (sink < 0) console.log(sink);
  return { wall: Math.round(n / ((performance.now() - start) / 1000)), cpu: Math.round(n / ((cpuMs() - c0) / 1000)) };
}

function main(): void {
  const text = generatePlanYaml();
  const first = compileOnce(text);
  const second = compileOnce(text);
  const plan = second.plan;
  const instants = [Date.parse('2026-11-23T10:00:00+01:00'), Date.parse('2026-11-23T20:00:00+01:00'), Date.parse('2026-12-25T10:00:00+01:00')];
  const inbound: CallFacts[] = Array.from({ length: 997 }, (_, i) => ({ kind: 'inbound', trunk: 'carrier', did: `+31207${String((i * 13) % NUMBERS).padStart(6, '0')}`, callerNumber: '+31687000000' }));
  const internal: CallFacts[] = Array.from({ length: 997 }, (_, i) => ({ kind: 'internal', caller: String(10_000 + i), dialled: i % 2 === 0 ? String(10_000 + ((i * 31) % USERS)) : String(600_000 + (i % GROUPS)) }));
  // Outbound: 20,000 distinct national, mobile and foreign numbers, more than the normalisation memo holds (worst case).
  const outbound: CallFacts[] = Array.from({ length: 20_000 }, (_, i) => ({
    kind: 'internal', caller: String(10_000 + (i % USERS)),
    dialled: i % 3 === 0 ? `020${String(1_000_000 + i * 7).slice(0, 7)}` : i % 3 === 1 ? `0612${String(100_000 + i).slice(0, 6)}` : `+44207946${String(i % 10_000).padStart(4, '0')}`,
  }));
  const toggles: Toggles = { busyCounts: { '10001': 1, '10020': 2 }, groupStats: { g2: { lastAnswered: '10045' } }, seed: 7 };

  // Warm up the JIT on every workload first, so the first figure does not pay for compilation of decide().
  for (const [fs, o] of [[inbound, {}], [internal, {}], [outbound.slice(0, 2000), {}], [inbound, { trace: false }], [internal, { trace: false }]] as const) {
    for (let i = 0; i < 20_000; i++) decide(plan, fs[i % fs.length] as CallFacts, instants[i % instants.length] as number, toggles, o);
  }
  console.log(JSON.stringify({
    bench: 'dialplan',
    yamlBytes: text.length,
    users: USERS, ringGroups: GROUPS, numbers: NUMBERS,
    loadAverage1m: loadavg()[0],
    compileMsCold: Math.round(first.ms),
    compileMsWarm: Math.round(second.ms),
    compileCpuMsCold: Math.round(first.cpu),
    compileCpuMsWarm: Math.round(second.cpu),
    inboundDecisionsPerSec: rate(plan, inbound, instants, toggles),
    internalDecisionsPerSec: rate(plan, internal, instants, toggles),
    mixedDecisionsPerSec: rate(plan, [...inbound, ...internal], instants, toggles),
    outboundDecisionsPerSec: rate(plan, outbound, instants, toggles),
    inboundNoTracePerSec: rate(plan, inbound, instants, toggles, { trace: false }),
    internalNoTracePerSec: rate(plan, internal, instants, toggles, { trace: false }),
    mixedNoTracePerSec: rate(plan, [...inbound, ...internal], instants, toggles, { trace: false }),
  }));
}

// Run only as a script, so the generator can be imported by other harnesses.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
