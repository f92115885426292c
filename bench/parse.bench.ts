/**
 * Parser throughput (STYLE G11): parse-only and parse + serialize of a
 * ~900-byte INVITE with SDP and of a REGISTER, with the npm `sip` package's
 * parse/stringify in the same run as a reference. Prints one JSON line.
 *
 *   node --import tsx bench/parse.bench.ts [secondsPerCase=2]
 *
 * Each figure is given two ways: `ops` (wall clock, ops/s) and `cpuOps`
 * (ops per second of this process's CPU time, from process.cpuUsage). On a
 * shared machine the wall figure drops when other processes take the core;
 * the CPU figure does not, so it is the one to compare between runs. The
 * two implementations run in alternating slices and each reports its median
 * slice, so load hits both sides alike and the ratio stays meaningful.
 *
 * `serializeBuilt` is our serializer on a message that did not come from
 * the parser (a spread copy, so the cached wire form cannot be reused): the
 * cost a B2BUA pays for every message it builds.
 *
 * The reference's stringify returns a string; ours returns the Buffer that
 * goes on the wire (the reference would still need a Buffer.from).
 *
 * Targets (checked by the lead, not asserted): ≥ 200,000 INVITE
 * parse+serialize/s and ≥ 1.2× the reference.
 */
import sip from 'sip';
import { parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS } from '../src/sip/message/index.ts';
import type { SipMessage } from '../src/sip/message/index.ts';
import { INVITE, REGISTER } from './sip-inputs.ts';

const seconds = Number(process.argv[2] ?? '2');

interface Rate {
  /** wall-clock ops/s */
  ops: number;
  /** ops per CPU-second of this process (user + system) */
  cpuOps: number;
}

/** Wall and CPU rates of fn over about `ms` milliseconds. */
function rate(fn: () => void, ms: number): Rate {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = start + ms;
  let ops = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 200; i++) fn();
    ops += 200;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  return { ops: ops / ((performance.now() - start) / 1000), cpuOps: cpuSec > 0 ? ops / cpuSec : 0 };
}

const median = (xs: number[]): number => Math.round([...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0);

function medianRate(rs: Rate[]): Rate {
  return { ops: median(rs.map((r) => r.ops)), cpuOps: median(rs.map((r) => r.cpuOps)) };
}

/** Run the functions in alternating slices; each gets its median slice. */
function compare(fns: readonly (() => void)[]): Rate[] {
  for (let i = 0; i < 2000; i++) for (const f of fns) f();
  const slices = 10;
  const rs: Rate[][] = fns.map(() => []);
  for (let s = 0; s < slices; s++) {
    fns.forEach((f, k) => rs[k]?.push(rate(f, (seconds * 1000) / slices / fns.length)));
  }
  return rs.map(medianRate);
}

function parsed(input: Buffer): SipMessage {
  const r = parseSipMessage(input, DEFAULT_SIP_LIMITS);
  if (!r.ok) throw new Error(r.error.code);
  return r.message;
}

function oursParse(input: Buffer): () => void {
  return () => {
    parsed(input);
  };
}

function oursRoundTrip(input: Buffer): () => void {
  return () => {
    serializeSipMessage(parsed(input));
  };
}

function oursSerializeBuilt(input: Buffer): () => void {
  const copy: SipMessage = { ...parsed(input) };
  return () => {
    serializeSipMessage(copy);
  };
}

function refParse(input: Buffer): () => void {
  return () => {
    if (sip.parse(input) === undefined) throw new Error('sip.parse failed');
  };
}

function refRoundTrip(input: Buffer): () => void {
  return () => {
    const m = sip.parse(input);
    if (m === undefined) throw new Error('sip.parse failed');
    sip.stringify(m);
  };
}

const ratio = (a: Rate | undefined, b: Rate | undefined): number =>
  a === undefined || b === undefined || b.cpuOps === 0 ? 0 : Math.round((a.cpuOps / b.cpuOps) * 100) / 100;

function suite(input: Buffer) {
  const [parse, refP, round, refR, built] = compare([oursParse(input), refParse(input), oursRoundTrip(input), refRoundTrip(input), oursSerializeBuilt(input)]);
  return {
    bytes: input.length,
    parse: { belfry: parse, sipjs: refP, cpuRatio: ratio(parse, refP) },
    parseSerialize: { belfry: round, sipjs: refR, cpuRatio: ratio(round, refR) },
    serializeBuilt: built,
  };
}

console.log(
  JSON.stringify({
    bench: 'sip-parse',
    node: process.version,
    secondsPerCase: seconds,
    invite: suite(INVITE),
    register: suite(REGISTER),
  }),
);
