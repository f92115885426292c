/**
 * Benchmark runner (STYLE G11; `npm run bench`): runs every harness in
 * bench/ one after another, takes the JSON line each prints last, and writes
 * a report (docs/benchmarks-run.md unless --out says otherwise): each figure, the command that produced it, the
 * reference measured in the same run (npm `sip` for the parser, Kamailio from
 * the peer kit for REGISTER and call rates) and belfry's ratio to it.
 *
 *   npm run bench                         # full sizes: long (an hour or more), needs a quiet machine
 *   npm run bench -- --smoke              # reduced sizes: checks that every harness works (minutes)
 *   npm run bench -- --only register,calls --out /tmp/b.md
 *
 * docs/benchmarks.md started as such a report and is now kept by hand (the
 * findings, the history of each figure, the targets): copy the tables of a
 * new run into it rather than overwrite it.
 *
 * A harness that fails or prints no JSON is reported as such in the file;
 * the runner goes on with the next one. Each harness has a hard time bound.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarksMarkdown, type BenchOutcome } from './run-report.ts';
import { BENCHES } from './run-specs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
const only = process.argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : undefined;
const outArg = process.argv[process.argv.indexOf('--out') + 1];
const out = process.argv.includes('--out') && outArg ? outArg : join(root, 'docs', 'benchmarks-run.md');

const outcomes: BenchOutcome[] = [];
for (const b of BENCHES) {
  if (only && !only.has(b.id)) continue;
  const run = b.command(smoke);
  const shown = [...Object.entries(run.env ?? {}).map(([k, v]) => `${k}=${v.includes(' ') ? `"${v}"` : v}`), ...run.argv].join(' ');
  process.stderr.write(`\n=== ${b.id}: ${shown}\n`);
  const started = Date.now();
  const r = spawnSync(run.argv[0] ?? 'false', run.argv.slice(1), {
    cwd: root,
    env: { ...process.env, ...run.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: (smoke ? run.smokeTimeoutS : run.timeoutS) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (r.stdout ?? '').trim().split('\n').reverse();
  let json: Record<string, unknown> | undefined;
  for (const l of lines) {
    try {
      const j = JSON.parse(l) as unknown;
      if (j !== null && typeof j === 'object' && !Array.isArray(j)) {
        json = j as Record<string, unknown>;
        break;
      }
    } catch {
      /* not the JSON line */
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const error = json === undefined ? `no JSON result (exit ${r.status ?? r.signal ?? 'unknown'}${r.error ? `, ${r.error.message}` : ''})` : undefined;
  outcomes.push({ spec: b, command: shown, json, error, seconds });
  process.stderr.write(`=== ${b.id}: ${error ?? 'ok'} in ${seconds} s\n`);
}

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memory: `${Math.round(totalmem() / 2 ** 20)} MiB`,
  loadAverage: loadavg().map((x) => x.toFixed(2)).join(' '),
};
writeFileSync(out, benchmarksMarkdown({ smoke, machine, outcomes }));
process.stderr.write(`\nwrote ${out}\n`);
