import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock, createLogger, type Logger } from '../../../src/common/index.ts';
import { CdrWriter } from '../../../src/engine/cdr-writer.ts';
import { callRecord } from '../../helpers/cdr-records.ts';
import { CachedBindingStore, CdrStore, openDatabase, SqliteBindingStore, StoreWriteThread, type Db, type StoredBinding } from '../../../src/store/index.ts';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);
const flow = { protocol: 'udp' as const, remoteAddress: '127.0.0.1', remotePort: 5070, localAddress: '127.0.0.1', localPort: 5060 };

function binding(aor: string, key: string, expiresAt: number): StoredBinding {
  return { aor, key, contact: `sip:${key}@127.0.0.1:5070`, flow, expiresAt, q: undefined, callId: 'c', cseq: 1, userAgent: undefined, instanceId: undefined, regId: undefined, registeredAt: 1, updatedAt: 1 };
}

const record = callRecord;

interface Setup {
  file: string;
  db: Db;
  sql: SqliteBindingStore;
  cdrs: CdrStore;
  log: Logger;
  logs: Array<Record<string, unknown>>;
}

function setup(t: { after: (fn: () => void) => void }): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-write-thread-'));
  const file = join(dir, 'belfry.db');
  const db = openDatabase(file);
  t.after(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'warn',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    }),
  });
  return { file, db, sql: new SqliteBindingStore(db), cdrs: new CdrStore(db), log, logs };
}

const waitFor = async (what: string, cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

test('write thread: bindings and CDRs are committed by the thread and read back on the main connection', async (t) => {
  const s = setup(t);
  const thread = await StoreWriteThread.start({ file: s.file, log: s.log, fallback: { bindings: s.sql, cdrs: s.cdrs } });
  const clock = new ManualClock(0, T);
  const cache = new CachedBindingStore(s.sql, clock, { writer: thread, flushMs: 5 });
  const writer = new CdrWriter(thread, s.log, { clock, flushMs: 10 });
  cache.applyBindingChanges('sip:1@x', [binding('sip:1@x', 'a', T + 60_000)], []);
  const long = record('long', T, T + 5);
  writer.callStarted({ callId: 'long', linkedId: 'long', start: T, src: '201', dst: '202', direction: 'internal' });
  clock.advance(10);
  await waitFor('the open marker and the binding reach SQLite', () => s.cdrs.getCall('long')?.call.state === 'open' && s.sql.bindingsFor('sip:1@x', T).length === 1);
  writer.callEnded(long.call, long.legs);
  cache.applyBindingChanges('sip:1@x', [], ['a']);
  writer.flush();
  cache.flush();
  await thread.close();
  await writer.settled();
  const got = s.cdrs.getCall('long');
  assert.equal(got?.call.state, 'closed');
  assert.equal(got?.call.disposition, 'ANSWERED');
  assert.deepEqual(got?.legs.map((l) => l.legId), ['long-a', 'long-b1']);
  assert.equal(s.sql.bindingsFor('sip:1@x', T).length, 0, 'the removal was committed before close() returned');
  assert.deepEqual(s.logs, []);
});

test('write thread: a row that fails is logged with its call-id when the answer comes back, and the others are kept', async (t) => {
  const s = setup(t);
  const thread = await StoreWriteThread.start({ file: s.file, log: s.log, fallback: { bindings: s.sql, cdrs: s.cdrs } });
  const clock = new ManualClock(0, T);
  const writer = new CdrWriter(thread, s.log, { clock, flushMs: 10 });
  const bad = record('bad', T, T - 1); // ends before it starts: STORE_BAD_ROW
  const good = record('good', T, T + 5);
  writer.callStarted({ callId: 'bad', linkedId: 'bad', start: T, src: '201', dst: '202', direction: 'internal' });
  writer.callEnded(bad.call, bad.legs);
  writer.callEnded(good.call, good.legs);
  writer.flush();
  await writer.settled();
  assert.equal(s.cdrs.getCall('bad')?.call.state, 'open', 'the dropped marker is written after all');
  assert.equal(s.cdrs.getCall('good')?.call.state, 'closed');
  assert.equal(s.logs.length, 1);
  assert.equal(s.logs[0]?.callId, 'bad');
  assert.equal(s.logs[0]?.msg, 'CDR write failed');
  await thread.close();
});

test('write thread: past its backlog bound, batches are dropped and logged with their call-ids instead of queued', async (t) => {
  const s = setup(t);
  const thread = await StoreWriteThread.start({ file: s.file, log: s.log, fallback: { bindings: s.sql, cdrs: s.cdrs }, maxInFlightOps: 3 });
  const writer = new CdrWriter(thread, s.log, { clock: new ManualClock(0, T), flushMs: 10 });
  for (const id of ['c1', 'c2', 'c3', 'c4']) {
    const r = record(id, T, T + 5);
    writer.callEnded(r.call, r.legs);
    writer.flush(); // one row per batch, posted in the same turn: the thread cannot have answered yet
  }
  assert.equal(thread.backlog, 3);
  await writer.settled();
  await thread.close();
  assert.deepEqual(['c1', 'c2', 'c3', 'c4'].map((id) => s.cdrs.getCall(id)?.call.state), ['closed', 'closed', 'closed', undefined]);
  assert.equal(s.logs.length, 1);
  assert.equal(s.logs[0]?.msg, 'CDR batch failed');
  assert.deepEqual(s.logs[0]?.callIds, ['c4']);
});

test('write thread: when the thread is gone, writes go to the main connection', async (t) => {
  const s = setup(t);
  const thread = await StoreWriteThread.start({ file: s.file, log: s.log, fallback: { bindings: s.sql, cdrs: s.cdrs } });
  await thread.terminate();
  await waitFor('the thread is seen gone', () => s.logs.some((l) => l.msg === 'store write thread ended; writing on the main thread'));
  const writer = new CdrWriter(thread, s.log);
  const r = record('after', T, T + 5);
  writer.callEnded(r.call, r.legs);
  assert.equal(s.cdrs.getCall('after')?.call.state, 'closed', 'written synchronously on this thread');
  thread.applyBatch([{ aor: 'sip:9@x', upsert: [binding('sip:9@x', 'k', T + 60_000)], removeKeys: [] }]);
  assert.equal(s.sql.bindingsFor('sip:9@x', T).length, 1);
});

test('write thread: start fails with a clear error when the database cannot be opened', async (t) => {
  const s = setup(t);
  await assert.rejects(
    StoreWriteThread.start({ file: join(s.file, 'not-a-dir', 'x.db'), log: s.log, fallback: { bindings: s.sql, cdrs: s.cdrs } }),
    (e: Error & { code?: string }) => e.code === 'STORE_OPEN_FAILED' && /store write thread: cannot open database/.test(e.message),
  );
});
