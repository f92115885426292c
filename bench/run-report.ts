/**
 * Renders docs/benchmarks.md for bench/run.ts: the method (fixed text), the
 * machine, and one table per harness with the figure, belfry's value, the
 * reference measured in the same run and the ratio, plus the exact command.
 * Smoke runs are labelled as such at the top and on every table.
 */
import type { BenchSpec, Row } from './run-specs.ts';

export interface BenchOutcome {
  readonly spec: BenchSpec;
  readonly command: string;
  readonly json: Record<string, unknown> | undefined;
  readonly error: string | undefined;
  readonly seconds: number;
}

export interface ReportInput {
  readonly smoke: boolean;
  readonly machine: Readonly<Record<string, string>>;
  readonly outcomes: readonly BenchOutcome[];
}

const METHOD = `## Method

One harness per figure (STYLE G11); \`bench/run.ts\` runs them in sequence and
writes this report. Speed is never asserted in tests.

**Peer kit.** The SIP rate figures reuse \`../shared/bench-peers\` (its \`lib.sh\`
is sourced, its SIPp scenarios are used as they are): a rate ramp, then
bisection between the last passing and the first failing rate; a step passes
with 0 failed calls, 0 retransmissions (client and UAS) and ≥ 95 % of the
target rate over \`STEP_SECS\` (10 s); the figure is the median over
\`REPEATS\` (3) of the highest passing rate, followed by a \`CONFIRM_SECS\` (30 s)
confirmation run for Kamailio. CPU is read per process from \`/proc/PID/stat\`
(all threads), memory from \`/proc/PID/status\` (VmRSS; for Kamailio the sum of
all its processes). The reference (Kamailio 5.6 from the kit) runs in the same
invocation with the same knobs: compare the ratios, not absolute numbers,
across machines and runs. Ports: belfry 25062 (SIP) and 25063 (API), the kit's
25070–25091.

**REGISTER** (\`bench/register-sipp.sh\`). \`bench/gen-registrar-config.ts\` writes
10,000 users (extensions 1000001…; belfry extensions are digits, the kit's are
u000001…) with \`ha1: MD5(user:bench.local:password)\` into a copy of
\`bench/config/registrar/\` (realm \`bench.local\`, \`sip.auth_algorithms: [MD5]\`,
the load generator's address exempt from the door's per-address rate limit),
and the SIPp injection file in the kit's format with the kit's password
formula. Per repeat a fresh belfry registers every user once at \`FILL_RATE\`;
RSS before and after gives **memory per registration** (RSS delta / users;
RSS is what the OS sees: V8's heap grows in steps, so only the full 10,000-user
figure means much);
then the ramp with the kit's \`reg_auth.xml\` (REGISTER → 401 → REGISTER with
Authorization → 200). SIPp is given \`-auth_uri bench.local\` because belfry
checks the digest uri against the Request-URI (SIPp prefixes \`sip:\`).
Reference: \`bench-registrar.sh kamailio\` (auth_db + sqlite, usrloc in memory).

**Calls** (\`bench/calls-sipp.sh\`). SIPp UAC → belfry → SIPp UAS,
INVITE/100/180/200/ACK/BYE/200, no RTP packets (the SDP is still anchored, so
belfry allocates relay ports and rewrites SDP per call), one CDR per call.
belfry's configuration (\`bench/config/calls/\`): the kit's UAC on 127.0.0.1 is
trunk \`bench-in\`, identified by source address (\`inbound: ["127.0.0.1"]\`, no
digest, as a carrier); it dials \`sip:bench@…\`, which is no number, so the
dialplan's \`unassigned\` destination sends the call to \`+31205550000\`, whose
outbound rule (\`prefixes: ["+"]\`) uses trunk \`bench-out\` = the kit's SIPp UAS
at 127.0.0.1:25080 (\`ping: 0\`: the UAS scenario expects INVITEs only). The
ramp is the kit's \`bench-calls.sh sut\` with \`SUT_ADDR\`/\`SUT_PID\` pointing at
belfry. Then the ANSWERED rows in belfry's \`cdr_calls\` are counted against
the calls SIPp completed, and **memory per call** is measured: \`HOLD_RATE\`
calls/s held \`HOLD_S\` seconds (−d), RSS at the plateau minus RSS idle,
divided by the concurrent calls belfry lists in \`/api/v1/calls\`. Reference:
\`bench-calls.sh proxy\` (Kamailio, tm + record_route, a stateful proxy: it does
less than a B2BUA, so the ratio is an upper bound on the gap).

**RTP** (\`bench/rtp-calls.ts\`). N calls set up through a real belfry as
above (trunk in → trunk out; the generator plays both ends with belfry's own
SIP legs, \`bench/rtp-load-ua.ts\`), then a 20 ms PCMU packet (172 bytes) each
way on every call. The generator stamps the send time into the payload and
reads it on arrival (same process, same clock): **added delay** is through
belfry's anchor plus both kernels' loopback plus the generator's event-loop
lag. Loss counts packets sent inside the measurement window that never
arrived. belfry's CPU covers all its threads. The RTP sockets live in
\`--workers\` generator threads (\`bench/rtp-generator-worker.ts\`); the busiest
thread's event-loop use and the generator's process CPU are reported: near
100 % the figure is the generator's limit, not belfry's (on 2 cores the
generator and belfry compete for the same CPUs). No reference relay runs here (rtpengine is not installed on this
machine; the kit's \`rtpengine-check.sh\` only checks that it relays). Also see
\`bench/rtp-relay.bench.ts\` (relay in process, hot path without sockets).

**Noise.** The machine has 2 cores shared with other work. Each harness
prints the load it saw where it can; the kit waits for a quiet machine
(\`QUIET_PCT\`, \`QUIET_MAX_WAIT\`) before each step and re-runs steps that
failed while other processes were busy.
`;

const PEERS = `## Real peers in CI

\`test/integration/peers/\` runs independent implementations against a real
belfry process (skipped with a note when the binary is missing; \`.ci/run\`
installs \`sip-tester\` and \`baresip\`):

| test | what it proves |
|---|---|
| \`sipp.test.ts\` | SIPp REGISTER: 401 with one challenge per algorithm, MD5 first, digest answer → 200 and the binding in the API; wrong password → 403; SIPp UAC 2001 (407, Proxy-Authorization) → belfry → SIPp UAS registered as 2002: INVITE/180/200/ACK/BYE in order on both sides, two separate dialogs, CDR ANSWERED |
| \`baresip.test.ts\` | baresip 1.0 (libre) registers (API lists it), calls a test UA: its 440 Hz tone arrives as non-silent PCMU, the callee's RTP reaches baresip (baresip's own RTP statistics), BYE, CDR; and answers a call from the test UA with audio both ways |

Scenarios: \`test/integration/sipp/register-auth-200.xml\`,
\`call-auth-answered.xml\`, \`uas-answer.xml\` (named by expected outcome).

Interop found by these peers:

- SIPp 3.6 answers only the first \`WWW-Authenticate\`/\`Proxy-Authenticate\` and
  fails on SHA-256; belfry now offers algorithms in the configured order
  (\`sip.auth_algorithms\`, default \`[MD5, SHA-256]\`).
- libre (baresip 1.0) aborts authentication (ENOSYS) when any challenge names
  an algorithm other than MD5, even with an MD5 one beside it: such phones
  need \`sip.auth_algorithms: [MD5]\`.
- SIPp's \`-auth_uri\` is given without the scheme (SIPp adds \`sip:\`); the
  digest uri must equal the Request-URI.
- A BYE from either side made belfry send its own BYE back into the dialog
  the peer had just closed (481); fixed in \`src/sip/leg/dialog-leg.ts\`.

Settings these tests and benches use (both backwards compatible, defaults
unchanged): \`sip.auth_algorithms\` and the \`door\` section
(\`requests_per_s\`, \`request_burst\`, \`auth_failures\`, \`block_s\`, \`exempt\`).
No error codes were added for this part.
`;

function table(rows: readonly Row[]): string {
  const hasRef = rows.some((r) => r.reference !== undefined);
  const head = hasRef ? '| figure | belfry | reference (same run) | ratio |\n|---|---|---|---|' : '| figure | belfry |\n|---|---|';
  const body = rows.map((r) => (hasRef ? `| ${r.figure} | ${r.belfry} | ${r.reference ?? '—'} | ${r.ratio ?? '—'} |` : `| ${r.figure} | ${r.belfry} |`));
  return [head, ...body].join('\n');
}

export function benchmarksMarkdown(input: ReportInput): string {
  const banner = input.smoke
    ? '> **SMOKE CHECK, not a measurement.** Every harness ran at a reduced size on a shared, loaded 2-core machine only to show it works end to end. The lead replaces this with a full `npm run bench` on a quiet machine.'
    : '> Full run (`npm run bench`).';
  const parts = [
    '# Benchmarks',
    '',
    '<!-- Generated by bench/run.ts (npm run bench). Edit bench/run-report.ts, not this file. -->',
    '',
    banner,
    '',
    '**Run.** ' + Object.entries(input.machine).map(([k, v]) => `${k}: ${v}`).join('; ') + '.',
    '',
    '```sh',
    'npm run bench              # full sizes (long; needs a quiet machine and ../shared/bench-peers)',
    'npm run bench -- --smoke   # reduced sizes: checks every harness works',
    'npm run bench -- --only register,calls',
    '```',
    '',
    '## Results',
    '',
  ];
  for (const o of input.outcomes) {
    parts.push(`### ${o.spec.title}${input.smoke ? ' — smoke check' : ''}`, '');
    if (o.json === undefined) parts.push(`**Failed:** ${o.error ?? 'unknown'}.`, '');
    else parts.push(table(o.spec.rows(o.json)), '');
    parts.push(`Command (${o.seconds} s): \`${o.command}\``, '');
  }
  parts.push(METHOD, PEERS);
  parts.push('<details><summary>Raw JSON lines</summary>', '', '```json', ...input.outcomes.map((o) => JSON.stringify(o.json ?? { bench: o.spec.id, error: o.error })), '```', '', '</details>', '');
  return parts.join('\n');
}
