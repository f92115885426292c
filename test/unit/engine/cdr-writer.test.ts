import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock, createLogger, type Logger } from '../../../src/common/index.ts';
import { CdrWriter } from '../../../src/engine/cdr-writer.ts';
import type { CallRecord } from '../../../src/engine/cdr-types.ts';
import { callRecord } from '../../helpers/cdr-records.ts';
import { CdrStore, openDatabase, type CdrCallStart, type Db } from '../../../src/store/index.ts';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);

/** Counts open markers actually handed to SQLite. */
class CountingStore extends CdrStore {
  opens = 0;
  override openCall(start: CdrCallStart): void {
    this.opens++;
    super.openCall(start);
  }
}

function setup(t: { after: (fn: () => void) => void }): { db: Db; file: string; store: CountingStore; writer: CdrWriter; clock: ManualClock; logs: Array<Record<string, unknown>> } {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-cdr-writer-'));
  const file = join(dir, 'belfry.sqlite');
  const db = openDatabase(file);
  t.after(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: Array<Record<string, unknown>> = [];
  const log: Logger = createLogger({
    level: 'error',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    }),
  });
  const clock = new ManualClock(0, T);
  const store = new CountingStore(db);
  return { db, file, store, writer: new CdrWriter(store, log, { clock, flushMs: 10 }), clock, logs };
}

const record = callRecord;

const started = (c: CallRecord) => ({ callId: c.callId, linkedId: c.linkedId, start: c.start, src: c.src, dst: c.dst, direction: c.direction });

test('CdrWriter: nothing reaches SQLite before the flush interval; then the marker, later the final row replacing it', (t) => {
  const { store, writer, clock } = setup(t);
  const { call, legs } = record('long', T, T + 60_000);
  writer.callStarted(started(call));
  assert.equal(store.getCall('long'), undefined, 'queued, not written');
  clock.advance(10);
  assert.equal(store.getCall('long')?.call.state, 'open');
  writer.callEnded(call, legs);
  clock.advance(10);
  const got = store.getCall('long');
  assert.equal(got?.call.state, 'closed');
  assert.equal(got?.call.dstFinal, '202');
  assert.deepEqual(got?.call.extra, { linkedId: 'long', hangupReason: 'bye', codecA: 'PCMU', codecB: 'PCMU', transcoded: false });
  assert.deepEqual(got?.legs.map((l) => [l.legId, l.role, l.endpoint, l.disposition]), [
    ['long-a', 'caller', 'user/201', 'ANSWERED'],
    ['long-b1', 'callee', 'user/202', 'ANSWERED'],
  ]);
  assert.equal(store.opens, 1);
});

test('CdrWriter: a call that starts and ends in one interval is written without its open marker', (t) => {
  const { store, writer, clock } = setup(t);
  const short = record('short', T, T + 5);
  const other = record('other', T, T + 60_000);
  writer.callStarted(started(short.call));
  writer.callStarted(started(other.call));
  writer.callEnded(short.call, short.legs);
  clock.advance(10);
  assert.equal(store.opens, 1, "only the still-running call's marker");
  assert.equal(store.getCall('short')?.call.state, 'closed');
  assert.equal(store.getCall('short')?.legs.length, 2);
  assert.equal(store.getCall('other')?.call.state, 'open');
});

test('CdrWriter: a final row that cannot be written is logged with its call-id and the dropped marker is written after all', (t) => {
  const { store, writer, clock, logs } = setup(t);
  const bad = record('bad', T, T - 1); // ends before it starts: STORE_BAD_ROW
  const good = record('good', T, T + 5);
  writer.callStarted(started(bad.call));
  writer.callStarted(started(good.call));
  writer.callEnded(bad.call, bad.legs);
  writer.callEnded(good.call, good.legs);
  clock.advance(10);
  assert.equal(store.getCall('bad')?.call.state, 'open', 'the call still leaves a trace, closed as INTERRUPTED at the next start');
  assert.equal(store.getCall('good')?.call.state, 'closed', 'the other writes of the interval are kept');
  assert.equal(logs.length, 1);
  assert.equal(logs[0]?.callId, 'bad');
  assert.equal(logs[0]?.msg, 'CDR write failed');
});

test('CdrWriter: a crash after the marker was flushed leaves the call to closeInterrupted; flush() writes what is queued', (t) => {
  const { db, file, writer, clock } = setup(t);
  const a = record('a', T, T + 60_000);
  const b = record('b', T, T + 60_000);
  writer.callStarted(started(a.call));
  clock.advance(10);
  writer.callStarted(started(b.call));
  writer.callEnded(a.call, a.legs);
  writer.flush();
  writer.callEnded(b.call, b.legs); // queued, never flushed: the "crash"
  db.close();
  const db2 = openDatabase(file);
  t.after(() => db2.close());
  const store2 = new CdrStore(db2);
  assert.equal(store2.closeInterrupted(T + 90_000), 1);
  assert.equal(store2.getCall('a')?.call.disposition, 'ANSWERED');
  assert.equal(store2.getCall('b')?.call.disposition, 'INTERRUPTED');
});

test('CdrWriter without a clock writes every record at once', (t) => {
  const { db } = setup(t);
  const store = new CountingStore(db);
  const writer = new CdrWriter(store, createLogger({ level: 'silent' }));
  const { call, legs } = record('now', T, T + 5);
  writer.callStarted(started(call));
  assert.equal(store.getCall('now')?.call.state, 'open');
  writer.callEnded(call, legs);
  assert.equal(store.getCall('now')?.call.state, 'closed');
  assert.equal(store.opens, 1);
});
