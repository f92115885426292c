/**
 * Parser fuzzer: pushes N random and mutated messages through
 * parseSipMessage, counts results by code, and reports throws (must be 0),
 * time and RSS before/after. Deterministic (seeded PRNG) so a failing run
 * can be replayed.
 *
 *   node --import tsx bench/fuzz-parser.ts [N=1000000] [seed=1]
 *
 * Exit status 1 if anything threw.
 */
import { parseSipMessage, DEFAULT_SIP_LIMITS } from '../src/sip/message/index.ts';
import { INVITE, REGISTER } from './sip-inputs.ts';

const n = Number(process.argv[2] ?? '1000000');
let state = Number(process.argv[3] ?? '1') >>> 0 || 1;

/** xorshift32: fast and good enough to pick mutations. */
function rand(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}
const below = (k: number) => (k <= 0 ? 0 : rand() % k);

const SEEDS = [INVITE, REGISTER];
const ALPHABET = Buffer.from('INVITE sip:@;<>"\\,:/=\r\n \t[]%0123456789SIP/2.0', 'latin1');
const LINES = ['Via: SIP/2.0/UDP [::1]:5060;branch=z9hG4bKx', 'Content-Length: 99999', 'l: -1', 'CSeq: 4294967296 INVITE', 'To: "a', 'Max-Forwards: 300', ' folded', 'X:\0', 'SIP/2.0 200 OK'];

function mutated(): Buffer {
  const seed = SEEDS[below(SEEDS.length)] ?? INVITE;
  let b = Buffer.from(seed);
  const rounds = 1 + below(4);
  for (let r = 0; r < rounds; r++) {
    if (b.length === 0) break;
    switch (below(6)) {
      case 0: // byte flip
        b[below(b.length)] = below(256);
        break;
      case 1: // truncation
        b = b.subarray(0, below(b.length));
        break;
      case 2: { // insertion of SIP-alphabet bytes
        const at = below(b.length);
        const ins = Buffer.alloc(1 + below(8));
        for (let i = 0; i < ins.length; i++) ins[i] = ALPHABET[below(ALPHABET.length)] ?? 0x20;
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 3: { // duplicated line
        const lines = b.toString('latin1').split('\r\n');
        const i = below(lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 4: { // a known-nasty line
        const lines = b.toString('latin1').split('\r\n');
        lines.splice(1 + below(Math.max(1, lines.length - 1)), 0, LINES[below(LINES.length)] ?? '');
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      default: { // deleted range
        const at = below(b.length);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + below(32))]);
      }
    }
  }
  return b;
}

function random(): Buffer {
  const b = Buffer.alloc(below(700));
  for (let i = 0; i < b.length; i++) b[i] = below(4) === 0 ? below(256) : (ALPHABET[below(ALPHABET.length)] ?? 0);
  return b;
}

const counts = new Map<string, number>();
let threw = 0;
let firstThrow: string | undefined;
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
for (let i = 0; i < n; i++) {
  const input = below(4) === 0 ? random() : mutated();
  try {
    const r = parseSipMessage(input, DEFAULT_SIP_LIMITS);
    const key = r.ok ? 'ok' : r.error.code;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  } catch (e) {
    // The fuzzer is the one place a throw is caught: to count and report it.
    threw++;
    firstThrow ??= `${String(e)} on ${JSON.stringify(input.toString('latin1').slice(0, 300))}`;
  }
}
const ms = performance.now() - start;
const rssAfter = process.memoryUsage().rss;
console.log(
  JSON.stringify({
    bench: 'sip-fuzz-parser',
    n,
    threw,
    firstThrow,
    ms: Math.round(ms),
    perSec: Math.round(n / (ms / 1000)),
    rssBeforeMB: Math.round(rssBefore / 1048576),
    rssAfterMB: Math.round(rssAfter / 1048576),
    results: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
  }),
);
if (threw > 0) process.exitCode = 1;
