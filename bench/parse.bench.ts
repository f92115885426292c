/**
 * Parser throughput (STYLE G11): parse + serialize of a ~900-byte INVITE
 * with SDP and of a REGISTER, ops/s, with the npm `sip` package's
 * parse/stringify in the same run as a reference. Prints one JSON line.
 *
 *   node --import tsx bench/parse.bench.ts [secondsPerCase=2]
 *
 * Targets (checked by the lead, not asserted): ≥ 200,000 INVITE
 * parse+serialize/s and ≥ 1.2× the reference.
 */
import sip from 'sip';
import { parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS } from '../src/sip/message/index.ts';
import { INVITE, REGISTER } from './sip-inputs.ts';

const seconds = Number(process.argv[2] ?? '2');

function measure(fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn(); // warm-up for the JIT
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  const start = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 500; i++) fn();
    ops += 500;
  }
  return Math.round(ops / ((performance.now() - start) / 1000));
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
  invite: { belfry: measure(ours(INVITE)), sipjs: measure(reference(INVITE)) },
  register: { belfry: measure(ours(REGISTER)), sipjs: measure(reference(REGISTER)) },
};
const ratio = (r: { belfry: number; sipjs: number }) => Math.round((r.belfry / r.sipjs) * 100) / 100;
console.log(JSON.stringify({ ...results, inviteRatio: ratio(results.invite), registerRatio: ratio(results.register) }));
