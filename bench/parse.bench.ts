/**
 * Parser throughput (STYLE G11): parse + serialize of a ~900-byte INVITE
 * with SDP and of a REGISTER, ops/s, with the npm `sip` package's
 * parse/stringify in the same run as a reference. Prints one JSON line.
 *
 *   node --import tsx bench/parse.bench.ts [secondsPerCase=2]
 *
 * secondsPerCase is split evenly between the two implementations.
 *
 * Targets (checked by the lead, not asserted): ≥ 200,000 INVITE
 * parse+serialize/s and ≥ 1.2× the reference.
 */
import sip from 'sip';
import { parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS } from '../src/sip/message/index.ts';
import { INVITE, REGISTER } from './sip-inputs.ts';

const seconds = Number(process.argv[2] ?? '2');

/** ops/s of fn over about `ms` milliseconds. */
function rate(fn: () => void, ms: number): number {
  const start = performance.now();
  const deadline = start + ms;
  let ops = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 200; i++) fn();
    ops += 200;
  }
  return ops / ((performance.now() - start) / 1000);
}

/**
 * The two implementations run in alternating slices and each reports its
 * median slice, so load from other processes on a shared machine hits both
 * sides alike and the ratio stays meaningful.
 */
function compare(a: () => void, b: () => void): { belfry: number; sipjs: number } {
  for (let i = 0; i < 2000; i++) {
    a();
    b();
  }
  const slices = 10;
  const ra: number[] = [];
  const rb: number[] = [];
  for (let s = 0; s < slices; s++) {
    ra.push(rate(a, (seconds * 1000) / slices / 2));
    rb.push(rate(b, (seconds * 1000) / slices / 2));
  }
  const median = (xs: number[]) => Math.round([...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0);
  return { belfry: median(ra), sipjs: median(rb) };
}

function ours(input: Buffer): () => void {
  return () => {
    const r = parseSipMessage(input, DEFAULT_SIP_LIMITS);
    if (!r.ok) throw new Error(r.error.code);
    serializeSipMessage(r.message);
  };
}

function reference(input: Buffer): () => void {
  return () => {
    const m = sip.parse(input);
    if (m === undefined) throw new Error('sip.parse failed');
    sip.stringify(m);
  };
}

const results = {
  bench: 'sip-parse',
  node: process.version,
  secondsPerCase: seconds,
  inviteBytes: INVITE.length,
  registerBytes: REGISTER.length,
  invite: compare(ours(INVITE), reference(INVITE)),
  register: compare(ours(REGISTER), reference(REGISTER)),
};
const ratio = (r: { belfry: number; sipjs: number }) => Math.round((r.belfry / r.sipjs) * 100) / 100;
console.log(JSON.stringify({ ...results, inviteRatio: ratio(results.invite), registerRatio: ratio(results.register) }));
