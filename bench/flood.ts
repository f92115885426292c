/**
 * Malformed-datagram flood (STYLE G11: measured here, never asserted in
 * tests): sends a bounded, rate-limited stream of bad UDP datagrams (random,
 * mutated, truncated — the generator of the flood test) to a SIP target and
 * samples the target's RSS before, during and after. Prints one JSON line.
 *
 *   node --import tsx bench/flood.ts [--count 1000000] [--rate 50000] [--rounds 3] [--settle-s 35] [--port P --pid PID]
 *
 * "Memory flat" is judged by rounds: the same flood is sent --rounds times
 * with a pause of --settle-s between (longer than Timer H/J, 32 s, so the
 * round's transactions have ended); RSS after each pause is reported. A target whose
 * memory is bounded ends round 2 where it ended round 1 (V8's heap and
 * Node's buffers reach their working size in round 1; anything kept per
 * datagram would grow again in round 2).
 *
 * Without --port/--pid it starts bench/stack-target.ts (a bare stack) as a
 * child process and stops it at the end. Stops by itself: after --count
 * datagrams or count/rate·1.5 + 10 s, whichever is first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floodDatagram, prng } from '../test/integration/sip/flood-input.ts';
import { options } from '../test/integration/sip/sip-peer.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

async function startChild(): Promise<{ child: ChildProcess; port: number }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'stack-target.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  const port = await new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error('stack target did not start')), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"udp":(\d+)/.exec(buf);
      if (m) {
        clearTimeout(t);
        res(Number(m[1]));
      }
    });
  });
  return { child, port };
}

async function optionsAnswered(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const got = new Promise<boolean>((res) => {
    const t = setTimeout(() => res(false), 3000);
    s.on('message', (m) => {
      if (m.toString('latin1').startsWith('SIP/2.0 200')) {
        clearTimeout(t);
        res(true);
      }
    });
  });
  s.send(Buffer.from(options({ via: 'SIP/2.0/UDP 127.0.0.1;rport' })), port, '127.0.0.1');
  const ok = await got;
  s.close();
  return ok;
}

const count = arg('count', 1_000_000);
const rate = arg('rate', 50_000);
let port = arg('port', 0);
let pid = arg('pid', 0);
let child: ChildProcess | undefined;
if (port === 0 || pid === 0) {
  const c = await startChild();
  child = c.child;
  port = c.port;
  pid = c.child.pid ?? 0;
}

const rounds = Math.max(1, arg('rounds', 3));
const settleS = Math.max(0, arg('settle-s', 35));
const rssBefore = rssKiB(pid);
const sock = createSocket('udp4');
sock.bind(0, '127.0.0.1');
await once(sock, 'listening');
sock.on('message', () => {});
const rand = prng(0xf100d);
const capMs = (count / rate) * 1500 + 10_000; // per round
let sent = 0;
let rssPeak = rssBefore;
const samples: number[] = [];
const sampler = setInterval(() => {
  const r = rssKiB(pid);
  samples.push(r);
  rssPeak = Math.max(rssPeak, r);
}, 500);
const perRound: { sent: number; seconds: number; rssAfterKiB: number; answered: boolean }[] = [];
for (let round = 0; round < rounds; round++) {
  const start = performance.now();
  let n = 0;
  // Rate limit: every 10 ms send what the schedule allows so far.
  while (n < count && performance.now() - start < capMs) {
    const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate));
    while (n < due) {
      sock.send(floodDatagram(rand, sent++).bytes, port, '127.0.0.1');
      n++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - start) / 1000;
  // Let the round's transactions end first (Timer H/J = 64·T1 = 32 s), so
  // each round is measured at rest and the comparison is like for like.
  await new Promise((r) => setTimeout(r, settleS * 1000));
  perRound.push({ sent: n, seconds: Number(seconds.toFixed(2)), rssAfterKiB: rssKiB(pid), answered: await optionsAnswered(port) });
}
clearInterval(sampler);
const answered = await optionsAnswered(port);
const rssAfter = rssKiB(pid);
sock.close();
if (child) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}
const floodSeconds = perRound.reduce((a, r) => a + r.seconds, 0);
process.stdout.write(
  JSON.stringify({
    bench: 'sip-malformed-flood',
    sent,
    rounds: perRound,
    targetRate: rate,
    achievedRate: Math.round(sent / floodSeconds),
    seconds: Number(floodSeconds.toFixed(2)),
    rssKiB: { before: rssBefore, peak: rssPeak, after: rssAfter, samples: samples.length },
    rssGrowthLastRoundKiB: perRound.length > 1 ? (perRound.at(-1)?.rssAfterKiB ?? 0) - (perRound.at(-2)?.rssAfterKiB ?? 0) : null,
    optionsAnsweredAfter: answered,
    targetAlive: rssAfter > 0,
  }) + '\n',
);
