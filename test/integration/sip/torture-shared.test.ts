/**
 * RFC 4475 / RFC 5118 torture messages against a running belfry, judged by
 * the shared manifests (../shared/sip-torture/*\/manifest.tsv; never copied
 * into the project). Every message is sent to 127.0.0.1 from a fresh socket,
 * so any answer on that socket proves belfry answered the source address
 * (RFC 3261 §18.2.2 received), not the 192.0.2.x documentation address.
 *
 * Cases the edge cannot judge alone (they need the registrar or INVITE
 * handling) are listed in GAPS with the reason; for them the test asserts
 * what the edge owes (the message parses and gets a non-parse answer).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { once } from 'node:events';
import { repoRoot } from '../../helpers/belfry-process.ts';
import { startSipTarget, type SipTarget } from './sip-target.ts';
import { options } from './sip-peer.ts';
import { parseSipMessage } from '../../../src/sip/message/index.ts';
import { serverKey } from '../../../src/sip/transaction/index.ts';

const tortureRoot = resolve(repoRoot, '../shared/sip-torture');

interface Row {
  readonly folder: string;
  readonly file: string;
  readonly kind: string;
  readonly transports: string[];
  readonly check: string;
  readonly expected: string;
}

/** Documented gaps: what the edge asserts instead, and why. */
const GAPS: Readonly<Record<string, string>> = {
  REG_400_AOR: 'registrar (src/sip/registrar) must reject a non-SIP To AOR with 400; the edge only proves it parses and is answered',
  REG_UNKNOWN_AUTH: 'checked as 401 + Digest challenge against the real belfry; the in-process stack has no registrar and only proves it parses and is answered',
  REG_CPARAM01: 'registrar must bind the contact without ;unknownparam as a URI param; checked by registrar tests, not the edge',
  REG_CPARAM02: 'registrar must keep ;unknownparam inside the bound URI; checked by registrar tests, not the edge',
  REG_REGESCRT: 'registrar must keep the escaped Route header in the bound contact; checked by registrar tests, not the edge',
};

function readManifest(folder: string): Row[] {
  const text = readFileSync(join(tortureRoot, folder, 'manifest.tsv'), 'utf8');
  const [head, ...lines] = text.split('\n').filter((l) => l.trim().length > 0);
  const cols = (head ?? '').split('\t');
  const idx = (n: string) => cols.indexOf(n);
  return lines.map((l) => {
    const c = l.split('\t');
    return {
      folder,
      file: c[idx('file')] ?? '',
      kind: c[idx('kind')] ?? '',
      transports: (c[idx('transports')] ?? '').split(',').map((s) => s.trim()),
      check: c[idx('check')] ?? '',
      expected: c[idx('expected')] ?? '',
    };
  });
}

interface Outcome {
  /** Every response (start line + headers) received within the wait. */
  readonly responses: string[];
  /** TCP only: did the connection close within the wait? */
  readonly closed: boolean;
}

const status = (r: string) => Number(/^SIP\/2\.0 (\d{3})/.exec(r)?.[1] ?? 0);
const finalOf = (o: Outcome) => o.responses.find((r) => status(r) >= 200);

async function sendUdp(port: number, bytes: Buffer, waitMs: number, wantFinal: boolean): Promise<Outcome> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const responses: string[] = [];
  s.on('message', (m) => responses.push(m.toString('latin1')));
  s.send(bytes, port, '127.0.0.1');
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && !(wantFinal && responses.some((r) => status(r) >= 200))) await new Promise((r) => setTimeout(r, 10));
  await new Promise<void>((r) => s.close(() => r()));
  return { responses, closed: false };
}

async function sendTcp(port: number, bytes: Buffer, waitMs: number, wantFinal: boolean): Promise<Outcome> {
  const s = connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  let data = '';
  let closed = false;
  s.on('data', (d: Buffer) => {
    data += d.toString('latin1');
  });
  s.on('close', () => {
    closed = true;
  });
  s.on('error', () => {});
  s.write(bytes);
  const split = () => data.split(/(?=SIP\/2\.0 \d{3} )/).filter((m) => m.startsWith('SIP/2.0'));
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && !closed && !(wantFinal && split().some((r) => status(r) >= 200))) await new Promise((r) => setTimeout(r, 10));
  s.destroy();
  return { responses: split(), closed };
}

/** Judge one outcome; returns a failure text or undefined. */
function judge(row: Row, transport: string, o: Outcome, target: SipTarget['kind']): string | undefined {
  const f = finalOf(o);
  const st = f === undefined ? 0 : status(f);
  const what = `${row.file} over ${transport} (${row.check}): got ${f === undefined ? 'no final response' : f.split('\r\n')[0]}`;
  const is = (ok: boolean) => (ok ? undefined : what);
  // A 5xx produced by the parser path would carry one of these reasons; a TU 5xx would not.
  const parseFailure = st === 400 || (st >= 500 && st !== 501 && st !== 503);
  switch (row.check) {
    case 'ACCEPT':
      return is(f !== undefined && !parseFailure);
    case 'ACCEPT_UNKNOWN_METHOD':
      return is(st === 501 && /\r\nAllow: /i.test(f ?? ''));
    case 'REJECT_400':
      return is(st === 400);
    case 'VERSION_505':
      return is(st === 505);
    case 'SCHEME_416':
      return is(st === 416);
    case 'SCHEME_416_OR_404':
      return is(st === 416 || st === 404);
    case 'EXT_420':
      return is(st === 420 && /\r\nUnsupported: /i.test(f ?? ''));
    case 'DROP':
      return is(o.responses.length === 0);
    case 'MISMATCH02':
      return is(st === 501 || st === 400);
    case 'MEDIA_415':
      return is(st === 415 && /\r\nAccept: /i.test(f ?? ''));
    case 'NOT_ACCEPTABLE_406':
      return is(st === 406 || st === 400);
    case 'REJECT_OR_LIBERAL':
      // Either a 400 or a normal answer (or a drop of the unreadable) — never a crash; liveness is checked after.
      return undefined;
    case 'FRAMING_ERROR':
      // UDP: "should respond with an error"; TCP: the connection must close (a 400 first is allowed).
      return transport === 'udp' ? is(st === 400) : is(o.closed && (f === undefined || st === 400));
    case 'CLERR':
      // UDP: 400 (body shorter than Content-Length, §18.3); TCP: not complete, so no answer yet and the connection stays open.
      return transport === 'udp' ? is(st === 400) : is(o.responses.length === 0 && !o.closed);
    case 'DBLREQ':
      // The REGISTER is processed; the trailing INVITE octets are ignored (§18.3): every answer is for the REGISTER.
      return is(f !== undefined && !parseFailure && o.responses.every((r) => /\r\nCSeq:\s*\d+\s+REGISTER\r\n/i.test(r)));
    case 'REG_UNKNOWN_AUTH':
      // The real belfry has the registrar: it must challenge with Digest, never 200 on the unknown scheme.
      if (target === 'process') return is(st === 401 && /\r\nWWW-Authenticate:\s*Digest /i.test(f ?? ''));
      return is(f !== undefined && !parseFailure);
    case 'COMPAT_2543':
      return is(f !== undefined && (st === 400 || !parseFailure));
    default:
      if (row.check in GAPS) return is(f !== undefined && !parseFailure);
      return `${row.file}: unknown check ${row.check} — add its handling to this test`;
  }
}

let target: SipTarget | undefined;
const present = existsSync(tortureRoot);

before(async () => {
  if (!present) return;
  target = await startSipTarget({ idleTimeoutMs: 1500 });
  console.log(`torture target: ${target.kind}`);
});
after(async () => {
  await target?.stop();
});

test('RFC 4475 and RFC 5118 torture messages get the manifest handling at the edge', async () => {
  const t = target;
  if (!present || t === undefined) {
    console.log('skipped: ../shared/sip-torture not found');
    return;
  }
  const rows = [...readManifest('rfc4475'), ...readManifest('rfc5118')].filter((r) => r.check !== 'SKIP' && !r.transports.includes('none'));
  assert.ok(rows.length >= 60, `only ${rows.length} manifest rows`);
  const failures: string[] = [];
  const gapsSeen = new Set<string>();
  // Several RFC messages share branch + sent-by + method (e.g. z9hG4bKkdjuw at
  // saturn.example.com), so §17.2.3 matches the later one to the earlier
  // server transaction and answers it as a retransmission, to the earlier
  // flow. Send such messages in later rounds, after 64·T1, when the first
  // transaction is gone.
  const seen = new Map<string, number>();
  const rounds: Row[][] = [];
  for (const row of rows) {
    const parsed = parseSipMessage(readFileSync(join(tortureRoot, row.folder, row.file)));
    const key = parsed.ok && parsed.message.kind === 'request' ? serverKey(parsed.message) : `${row.folder}/${row.file}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (rounds[n] ??= []).push(row);
  }
  const jobs: { row: Row; transport: string; pause: boolean }[] = [];
  rounds.forEach((round, i) => round.forEach((row, j) => row.transports.forEach((transport, k) => jobs.push({ row, transport, pause: i > 0 && j === 0 && k === 0 }))));
  for (const { row, transport, pause } of jobs) {
    if (pause) await new Promise((r) => setTimeout(r, 64 * t.t1Ms + 300));
    const bytes = readFileSync(join(tortureRoot, row.folder, row.file));
    if (row.check in GAPS) gapsSeen.add(`${row.file}: ${GAPS[row.check]}`);
    {
      const quiet = row.check === 'DROP' || (row.check === 'CLERR' && transport === 'tcp');
      // A stream framing error is judged by the close that follows the 400: wait for it, not for the answer.
      const untilClose = row.check === 'FRAMING_ERROR' && transport === 'tcp';
      const waitMs = quiet ? 300 : untilClose ? 3000 : 1500;
      const o = transport === 'tcp' ? await sendTcp(t.tcpPort, bytes, waitMs, !quiet && !untilClose) : await sendUdp(t.udpPort, bytes, waitMs, !quiet);
      const fin = finalOf(o);
      console.log(`${row.file} ${transport} ${row.check}: ${fin === undefined ? (o.closed ? 'closed' : 'no answer') : (fin.split('\r\n')[0] ?? '')}`);
      const fail = judge(row, transport, o, t.kind);
      if (fail !== undefined) failures.push(fail);
    }
  }
  for (const g of gapsSeen) console.log(`documented gap: ${g}`);
  assert.deepEqual(failures, []);
  assert.ok(t.alive(), 'belfry died');
});

test('CLERR over TCP: the incomplete message is never answered and the idle connection is closed', async () => {
  if (!present || target === undefined) return;
  const bytes = readFileSync(join(tortureRoot, 'rfc4475', 'clerr.dat'));
  const o = await sendTcp(target.tcpPort, bytes, 4000, false);
  assert.equal(o.responses.length, 0);
  assert.ok(o.closed, 'connection not closed after the idle timeout');
});

test('after the torture set, belfry still answers OPTIONS over UDP', async () => {
  if (!present || target === undefined) return;
  const o = await sendUdp(target.udpPort, Buffer.from(options({ via: 'SIP/2.0/UDP 192.0.2.1:5060;rport' })), 2000, true);
  assert.equal(status(finalOf(o) ?? ''), 200);
});
