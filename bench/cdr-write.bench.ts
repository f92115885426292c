/**
 * CDR write rate (STYLE G11): completed calls written per second into a
 * WAL-mode SQLite file on disk, one transaction per call (`writeCall` with
 * a caller leg and two callee legs), and the full life of a call
 * (`openCall` marker + `writeCall`, two transactions), and `writeCalls`
 * batches of 10 and 100 calls per transaction. Prints one JSON line.
 *
 *   node --import tsx bench/cdr-write.bench.ts [secondsPerCase=2]
 *
 * Reference (docs/dependencies): better-sqlite3 did ~32k single-row
 * commits/s at synchronous=NORMAL on this machine. Not asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdrStore, openDatabase, type CdrCall, type CdrLeg } from '../src/store/index.ts';

const seconds = Number(process.argv[2] ?? '2');
const T = Date.UTC(2026, 0, 5, 9, 0, 0);

function callN(n: number): { call: CdrCall; legs: CdrLeg[] } {
  const id = `bench-${n}`;
  const call: CdrCall = {
    callId: id, direction: 'inbound', src: '+31201234567', srcName: 'Bench Caller', dst: '+31207654321', dstFinal: '201', trunk: 'kpn',
    startMs: T + n, answerMs: T + n + 4000, endMs: T + n + 64000, disposition: 'ANSWERED', sipCode: 200, q850Cause: 16, hangupSide: 'caller',
    sipCallId: `${id}@198.51.100.1`, extra: { queue: 'sales' },
  };
  const base = { startMs: T + n, endMs: T + n + 64000, q850Cause: 16, codec: 'PCMA' } as const;
  const legs: CdrLeg[] = [
    { ...base, legId: `${id}-a`, seq: 0, role: 'caller', endpoint: 'trunk/kpn', answerMs: T + n + 4000, disposition: 'ANSWERED', sipCode: 200, rtpPacketsIn: 3200, rtpPacketsOut: 3200, rtpLostIn: 1, jitterMs: 1.1, mos: 4.3 },
    { ...base, legId: `${id}-b1`, seq: 1, role: 'callee', endpoint: 'user/202', endMs: T + n + 4000, disposition: 'CANCELLED', sipCode: 487 },
    { ...base, legId: `${id}-b2`, seq: 2, role: 'callee', endpoint: 'user/201', answerMs: T + n + 4000, disposition: 'ANSWERED', sipCode: 200, rtpPacketsIn: 3200, rtpPacketsOut: 3200, rtpLostIn: 0, jitterMs: 0.4, mos: 4.4 },
  ];
  return { call, legs };
}

function measureBatched(cdr: CdrStore, batchSize: number, offset: number): number {
  let n = offset;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < deadline) {
    const batch = [];
    for (let i = 0; i < batchSize; i++) batch.push(callN(n++));
    cdr.writeCalls(batch);
  }
  return Math.round((n - offset) / ((performance.now() - start) / 1000));
}

function measure(cdr: CdrStore, withMarker: boolean, offset: number): number {
  let n = offset;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 50; i++) {
      const { call, legs } = callN(n++);
      if (withMarker) cdr.openCall(call);
      cdr.writeCall(call, legs);
    }
  }
  return Math.round((n - offset) / ((performance.now() - start) / 1000));
}

const dir = mkdtempSync(join(tmpdir(), 'belfry-bench-cdr-'));
try {
  const db = openDatabase(join(dir, 'bench.sqlite'));
  const cdr = new CdrStore(db);
  const writeCallPerSec = measure(cdr, false, 0);
  const fullCallPerSec = measure(cdr, true, 10_000_000);
  const batched10PerSec = measureBatched(cdr, 10, 20_000_000);
  const batched100PerSec = measureBatched(cdr, 100, 30_000_000);
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM cdr_legs').get() as { n: number }).n;
  db.close();
  console.log(JSON.stringify({ bench: 'cdr-write', secondsPerCase: seconds, writeCallPerSec, openPlusWriteCallPerSec: fullCallPerSec, batched10PerSec, batched100PerSec, legRows: rows }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
