/**
 * CDR write cost (STYLE G11), into a WAL-mode SQLite file on disk, a fresh
 * file per case. Every case reports calls per wall second and CPU µs per
 * call (process.cpuUsage, user + system: SQLite runs on the main thread, so
 * this is the cost the switch pays; the machine is shared, CPU time is the
 * figure to compare).
 *
 * Store cases (a caller leg and two callee legs per call):
 * - `writeCall`: one transaction per call;
 * - `openPlusWriteCall`: the `openCall` marker + `writeCall`, two transactions;
 * - `batched10` / `batched100`: `writeCalls` with 10 / 100 calls per transaction.
 * Writer cases (what the engine runs: `CdrWriter` with its 10 ms flush,
 * driven by a manual clock; one call row, a caller leg and a callee leg, the
 * engine's records mapped by the writer, as in `bench/calls-sipp.sh`):
 * - `writerSplit`: the open marker is flushed in one interval and the final
 *   row in a later one (calls longer than the flush interval);
 * - `writerSame`: marker and final row in the same interval (short calls).
 * `callsPerFlush` calls start and end per 10 ms interval (15 = 1,500 calls/s).
 *
 *   node --import tsx bench/cdr-write.bench.ts [secondsPerCase=2] [callsPerFlush=15]
 *
 * Prints one JSON line. Not asserted. For instruction counts, a fixed number
 * of calls through the writer alone (run it at two sizes under callgrind and
 * divide the difference by the difference in calls, which cancels start-up):
 *
 *   valgrind --tool=callgrind node --single-threaded --import tsx bench/cdr-write.bench.ts writer split|same CALLS
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '../src/common/index.ts';
import { CdrWriter } from '../src/engine/cdr-writer.ts';
import type { CallRecord, LegRecord } from '../src/engine/cdr-types.ts';
import { CdrStore, openDatabase, type CdrCall, type CdrLeg, type Db } from '../src/store/index.ts';

const fixed = process.argv[2] === 'writer' ? { same: process.argv[3] === 'same', calls: Number(process.argv[4] ?? '1000') } : undefined;
const seconds = fixed === undefined ? Number(process.argv[2] ?? '2') : 0;
const callsPerFlush = fixed === undefined ? Number(process.argv[3] ?? '15') : 15;
const T = Date.UTC(2026, 0, 5, 9, 0, 0);

interface Figure {
  perSec: number;
  cpuUsPerCall: number;
}

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

/** What the engine hands the writer for one SIPp bench call (trunk in, trunk out, no RTP stats). */
function engineCall(n: number): { call: CallRecord; legs: LegRecord[] } {
  const id = `c${n}-0123456789abcdef`;
  const start = T + n;
  const call: CallRecord = {
    callId: id, linkedId: id, start, answer: start + 20, end: start + 40, src: 'sipp', srcName: undefined, dst: 'bench', dstName: undefined,
    direction: 'inbound', trunk: 'bench-in', disposition: 'ANSWERED', sipCode: 200, q850: 16, hangupSide: 'caller', hangupReason: 'bye',
    codecA: 'PCMU', codecB: 'PCMU', transcoded: false, recordingPath: undefined,
  };
  const legs: LegRecord[] = [
    { legId: `${id}-a`, callId: `${n}-1@127.0.0.1`, role: 'a', peer: 'udp:127.0.0.1:25070', target: 'sipp', trunk: undefined, start, answer: start + 20, end: start + 40, sipCode: 200, codec: 'PCMU', rtp: undefined },
    { legId: `${id}-b1`, callId: `b${n}-fedcba9876543210`, role: 'b', peer: 'udp:127.0.0.1:25080', target: 'sip:+31205550000@127.0.0.1:25080', trunk: 'bench-out', start: start + 1, answer: start + 20, end: start + 40, sipCode: 200, codec: 'PCMU', rtp: undefined },
  ];
  return { call, legs };
}

function timed(run: (deadline: number) => number): Figure {
  const deadline = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const calls = run(deadline);
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { perSec: Math.round(calls / (wall / 1000)), cpuUsPerCall: Math.round(((cpu.user + cpu.system) / calls) * 10) / 10 };
}

function measureBatched(cdr: CdrStore, batchSize: number): Figure {
  return timed((deadline) => {
    let n = 0;
    while (performance.now() < deadline) {
      const batch = [];
      for (let i = 0; i < batchSize; i++) batch.push(callN(n++));
      cdr.writeCalls(batch);
    }
    return n;
  });
}

function measure(cdr: CdrStore, withMarker: boolean): Figure {
  return timed((deadline) => {
    let n = 0;
    while (performance.now() < deadline) {
      for (let i = 0; i < 50; i++) {
        const { call, legs } = callN(n++);
        if (withMarker) cdr.openCall(call);
        cdr.writeCall(call, legs);
      }
    }
    return n;
  });
}

function measureWriter(cdr: CdrStore, sameBatch: boolean, calls = Infinity): Figure {
  const clock = new ManualClock(0, T);
  const writer = new CdrWriter(cdr, silentLogger(), { clock, flushMs: 10 });
  return timed((deadline) => {
    let n = 0;
    let prev: Array<{ call: CallRecord; legs: LegRecord[] }> = [];
    while (calls === Infinity ? performance.now() < deadline : n < calls) {
      const now: Array<{ call: CallRecord; legs: LegRecord[] }> = [];
      for (let i = 0; i < callsPerFlush; i++) {
        const c = engineCall(n++);
        writer.callStarted({ callId: c.call.callId, linkedId: c.call.linkedId, start: c.call.start, src: c.call.src, dst: c.call.dst, direction: c.call.direction });
        now.push(c);
      }
      // Split: calls end one interval after they start; same: in the interval they start.
      for (const c of sameBatch ? now : prev) writer.callEnded(c.call, c.legs);
      prev = now;
      clock.advance(10);
    }
    for (const c of sameBatch ? [] : prev) writer.callEnded(c.call, c.legs);
    writer.flush();
    return n;
  });
}

const dir = mkdtempSync(join(tmpdir(), 'belfry-bench-cdr-'));
let files = 0;
function withStore<T>(f: (cdr: CdrStore, db: Db) => T): T {
  const db = openDatabase(join(dir, `bench-${files++}.sqlite`));
  try {
    return f(new CdrStore(db), db);
  } finally {
    db.close();
  }
}
try {
  if (fixed !== undefined) {
    const f = withStore((cdr) => measureWriter(cdr, fixed.same, fixed.calls));
    console.log(JSON.stringify({ bench: 'cdr-write', writer: fixed.same ? 'same' : 'split', calls: fixed.calls, cpuUsPerCall: f.cpuUsPerCall }));
  } else {
    runAll();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function runAll(): void {
  const writeCall = withStore((cdr) => measure(cdr, false));
  const openPlusWriteCall = withStore((cdr) => measure(cdr, true));
  const batched10 = withStore((cdr) => measureBatched(cdr, 10));
  const batched100 = withStore((cdr) => measureBatched(cdr, 100));
  let closedRows = 0;
  const writerSplit = withStore((cdr, db) => {
    const f = measureWriter(cdr, false);
    closedRows = (db.prepare(`SELECT COUNT(*) AS n FROM cdr_calls WHERE state = 'closed'`).get() as { n: number }).n;
    return f;
  });
  const writerSame = withStore((cdr) => measureWriter(cdr, true));
  console.log(
    JSON.stringify({ bench: 'cdr-write', secondsPerCase: seconds, callsPerFlush, writeCall, openPlusWriteCall, batched10, batched100, writerSplit, writerSame, writerSplitClosedRows: closedRows }),
  );
}
