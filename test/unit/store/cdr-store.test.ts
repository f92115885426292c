import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CdrStore, openDatabase, type CdrCall, type CdrLeg, type Db } from '../../../src/store/index.ts';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);

function open(t: { after: (fn: () => void) => void }): { db: Db; file: string; cdr: CdrStore } {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-cdr-'));
  const file = join(dir, 'belfry.sqlite');
  const db = openDatabase(file);
  t.after(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, file, cdr: new CdrStore(db) };
}

const call: CdrCall = {
  callId: 'call-1', direction: 'inbound', src: '+31201234567', srcName: 'Jan Jansen', dst: '+31207654321', dstName: 'Sales',
  dstFinal: '201', trunk: 'kpn', accountcode: 'acme', routeNode: 'menu.main', sipCallId: 'abc@198.51.100.1',
  startMs: T, answerMs: T + 4_500, endMs: T + 65_250, disposition: 'ANSWERED', sipCode: 200, q850Cause: 16, hangupSide: 'caller',
  recordingPath: 'recordings/2026/01/05/call-1.wav', userfield: 'vip', extra: { queue: 'sales', waitMs: 4100 },
};
const legA: CdrLeg = {
  legId: 'leg-a', seq: 0, role: 'caller', endpoint: 'trunk/kpn', src: '+31201234567', dst: '+31207654321', sipCallId: 'abc@198.51.100.1',
  remoteAddress: '198.51.100.1:5060', userAgent: 'Carrier SBC', startMs: T, answerMs: T + 4_500, endMs: T + 65_250,
  disposition: 'ANSWERED', sipCode: 200, q850Cause: 16, hangupSide: 'caller', codec: 'PCMA', rtpPacketsIn: 3037, rtpPacketsOut: 3036,
  rtpLostIn: 2, jitterMs: 1.25, mos: 4.31,
};
const legB1: CdrLeg = {
  legId: 'leg-b1', seq: 1, role: 'callee', endpoint: 'user/202', dst: '202', startMs: T + 100, endMs: T + 4_400, disposition: 'CANCELLED',
  sipCode: 487, q850Cause: 26, hangupSide: 'system', pddMs: 80,
};
const legB2: CdrLeg = {
  legId: 'leg-b2', seq: 2, role: 'callee', endpoint: 'user/201', dst: '201', sipCallId: 'b2@192.0.2.20', remoteAddress: '192.0.2.20:5062',
  userAgent: 'Yealink T54W', startMs: T + 100, answerMs: T + 4_500, endMs: T + 65_250, disposition: 'ANSWERED', sipCode: 200, q850Cause: 16,
  hangupSide: 'caller', pddMs: 95, codec: 'PCMA', rtpPacketsIn: 3036, rtpPacketsOut: 3037, rtpLostIn: 0, jitterMs: 0.5, mos: 4.4,
  recordingPath: 'recordings/2026/01/05/call-1-b.wav',
};

test('writeCall stores one call row and its legs, field by field', (t) => {
  const { cdr } = open(t);
  cdr.openCall({ callId: 'call-1', direction: 'inbound', src: '+31201234567', dst: '+31207654321', startMs: T });
  cdr.writeCall(call, [legA, legB1, legB2]);
  const got = cdr.getCall('call-1');
  assert.ok(got !== undefined);
  assert.deepEqual(got.call, {
    callId: 'call-1', state: 'closed', direction: 'inbound', src: '+31201234567', srcName: 'Jan Jansen', dst: '+31207654321',
    dstName: 'Sales', dstFinal: '201', trunk: 'kpn', accountcode: 'acme', routeNode: 'menu.main', sipCallId: 'abc@198.51.100.1',
    startIso: '2026-01-05T09:00:00.000Z', startMs: T, answerIso: '2026-01-05T09:00:04.500Z', answerMs: T + 4_500,
    endIso: '2026-01-05T09:01:05.250Z', endMs: T + 65_250, duration: 65, billsec: 60, durationMs: 65_250, disposition: 'ANSWERED',
    sipCode: 200, q850Cause: 16, hangupSide: 'caller', recordingPath: 'recordings/2026/01/05/call-1.wav', userfield: 'vip',
    extra: { queue: 'sales', waitMs: 4100 },
  });
  assert.deepEqual(got.legs.map((l) => l.legId), ['leg-a', 'leg-b1', 'leg-b2']);
  assert.deepEqual(got.legs[1], {
    legId: 'leg-b1', callId: 'call-1', seq: 1, role: 'callee', endpoint: 'user/202', src: null, dst: '202', sipCallId: null,
    remoteAddress: null, userAgent: null, startIso: '2026-01-05T09:00:00.100Z', startMs: T + 100, answerIso: null, answerMs: null,
    endIso: '2026-01-05T09:00:04.400Z', endMs: T + 4_400, duration: 4, billsec: 0, disposition: 'CANCELLED', sipCode: 487, q850Cause: 26,
    hangupSide: 'system', pddMs: 80, codec: null, rtpPacketsIn: null, rtpPacketsOut: null, rtpLostIn: null, jitterMs: null, mos: null,
    recordingPath: null,
  });
  const b2 = got.legs[2];
  assert.ok(b2 !== undefined);
  assert.equal(b2.billsec, 60);
  assert.equal(b2.mos, 4.4);
  assert.equal(b2.jitterMs, 0.5);
  assert.equal(b2.rtpPacketsIn, 3036);
  assert.equal(b2.userAgent, 'Yealink T54W');
  assert.equal(b2.recordingPath, 'recordings/2026/01/05/call-1-b.wav');
});

test('writeCall is one transaction: a bad leg leaves neither the call nor any leg written', (t) => {
  const { cdr } = open(t);
  assert.throws(() => cdr.writeCall(call, [legA, { ...legB1, legId: 'leg-a' }]), { code: 'STORE_WRITE_FAILED' });
  assert.equal(cdr.getCall('call-1'), undefined);
  assert.throws(() => cdr.writeCall({ ...call, endMs: T - 1 }, []), { code: 'STORE_BAD_ROW' });
});

test('writeCalls writes a batch in one transaction, all or nothing', (t) => {
  const { cdr } = open(t);
  cdr.writeCalls([{ call, legs: [legA] }, { call: { ...call, callId: 'call-2' }, legs: [{ ...legB2, legId: 'x2' }] }]);
  assert.equal(cdr.listCalls().length, 2);
  assert.equal(cdr.getCall('call-2')?.legs[0]?.legId, 'x2');
  assert.throws(() => cdr.writeCalls([{ call: { ...call, callId: 'call-3' }, legs: [] }, { call: { ...call, callId: 'call-4' }, legs: [legA] }]), { code: 'STORE_WRITE_FAILED' });
  assert.equal(cdr.getCall('call-3'), undefined, 'the first call of a failed batch is rolled back too');
});

test('writing a call twice replaces it (legs are not duplicated)', (t) => {
  const { cdr } = open(t);
  cdr.writeCall(call, [legA, legB1]);
  cdr.writeCall({ ...call, userfield: 'second' }, [legA, legB2]);
  const got = cdr.getCall('call-1');
  assert.equal(got?.call.userfield, 'second');
  assert.deepEqual(got?.legs.map((l) => l.legId), ['leg-a', 'leg-b2']);
});

test('calls open when the process died are closed as INTERRUPTED at the next start', (t) => {
  const { db, file, cdr } = open(t);
  cdr.openCall({ callId: 'ringing', direction: 'internal', src: '201', dst: '202', startMs: T });
  cdr.openCall({ callId: 'talking', direction: 'outbound', src: '201', dst: '+3120', trunk: 'kpn', startMs: T + 1000 });
  cdr.markAnswered('talking', T + 3000);
  cdr.openCall({ callId: 'done', direction: 'internal', src: '1', dst: '2', startMs: T });
  cdr.writeCall({ callId: 'done', direction: 'internal', src: '1', dst: '2', startMs: T, endMs: T + 500, disposition: 'BUSY', sipCode: 486, q850Cause: 17, hangupSide: 'callee' }, []);
  db.close(); // the "crash"

  const db2 = openDatabase(file);
  const cdr2 = new CdrStore(db2);
  t.after(() => db2.close());
  assert.equal(cdr2.closeInterrupted(T + 61_000), 2);
  assert.equal(cdr2.closeInterrupted(T + 99_000), 0, 'idempotent');
  const ringing = cdr2.getCall('ringing')?.call;
  assert.equal(ringing?.state, 'closed');
  assert.equal(ringing?.disposition, 'INTERRUPTED');
  assert.equal(ringing?.hangupSide, 'system');
  assert.equal(ringing?.endMs, T + 61_000);
  assert.equal(ringing?.endIso, '2026-01-05T09:01:01.000Z');
  assert.equal(ringing?.duration, 61);
  assert.equal(ringing?.billsec, 0);
  const talking = cdr2.getCall('talking')?.call;
  assert.equal(talking?.trunk, 'kpn');
  assert.equal(talking?.answerMs, T + 3000);
  assert.equal(talking?.duration, 60);
  assert.equal(talking?.billsec, 58);
  assert.equal(cdr2.getCall('done')?.call.disposition, 'BUSY');
});

test('openCall for an id already written does not overwrite it', (t) => {
  const { cdr } = open(t);
  cdr.writeCall(call, []);
  cdr.openCall({ callId: 'call-1', direction: 'internal', src: 'x', dst: 'y', startMs: T });
  assert.equal(cdr.getCall('call-1')?.call.state, 'closed');
});

test('listCalls filters by time, direction, src and dst, newest first, with limit and offset', (t) => {
  const { cdr } = open(t);
  for (let i = 0; i < 10; i++) {
    cdr.writeCall({ callId: `c${i}`, direction: i % 2 === 0 ? 'inbound' : 'internal', src: `20${i % 3}`, dst: `30${i % 2}`, startMs: T + i * 1000, endMs: T + i * 1000 + 10, disposition: 'NO ANSWER' }, []);
  }
  const ids = (q: Parameters<CdrStore['listCalls']>[0]) => cdr.listCalls(q).map((c) => c.callId);
  assert.deepEqual(ids({}), ['c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3', 'c2', 'c1', 'c0']);
  assert.deepEqual(ids({ from: T + 2000, to: T + 5000 }), ['c4', 'c3', 'c2']);
  assert.deepEqual(ids({ direction: 'inbound', limit: 2 }), ['c8', 'c6']);
  assert.deepEqual(ids({ direction: 'inbound', limit: 2, offset: 2 }), ['c4', 'c2']);
  assert.deepEqual(ids({ src: '200' }), ['c9', 'c6', 'c3', 'c0']);
  assert.deepEqual(ids({ dst: '301', src: '201' }), ['c7', 'c1']);
  assert.equal(cdr.listCalls({ limit: 100_000 }).length, 10);
  assert.equal(cdr.getCall('nope'), undefined);
});

test('docs/cdr.md documents every CDR column', (t) => {
  const { db } = open(t);
  const doc = readFileSync(new URL('../../../docs/cdr.md', import.meta.url), 'utf8');
  for (const table of ['cdr_calls', 'cdr_legs']) {
    const cols = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>;
    assert.ok(cols.length > 10);
    for (const { name } of cols) assert.match(doc, new RegExp(`\\|\\s*\`${name}\`\\s*\\|`), `${table}.${name} missing from docs/cdr.md`);
  }
});

test('migration 003 (cheaper CHECKs) keeps the CDRs of a 002 database, their legs and cascade, and still refuses bad values', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-cdr-mig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shipped = fileURLToPath(new URL('../../../src/store/migrations/', import.meta.url));
  const upTo2 = join(dir, 'upto2');
  mkdirSync(upTo2);
  for (const f of ['001-bindings.sql', '002-cdr.sql']) copyFileSync(join(shipped, f), join(upTo2, f));
  const file = join(dir, 'belfry.sqlite');
  const old = openDatabase(file, { migrationsDir: upTo2 });
  const oldCdr = new CdrStore(old);
  oldCdr.writeCall(call, [legA, legB1, legB2]);
  oldCdr.openCall({ callId: 'still-open', direction: 'internal', src: '201', dst: '202', startMs: T });
  const before = oldCdr.getCall('call-1');
  old.close();

  const db = openDatabase(file);
  t.after(() => db.close());
  const cdr = new CdrStore(db);
  assert.deepEqual(cdr.getCall('call-1'), before);
  assert.equal(cdr.getCall('still-open')?.call.state, 'open');
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  assert.deepEqual(indexes, ['bindings_expires_at', 'cdr_calls_dst', 'cdr_calls_open', 'cdr_calls_src', 'cdr_calls_start']);
  const bad = (sql: string) => assert.throws(() => db.prepare(sql).run(), /CHECK constraint failed/);
  bad("INSERT INTO cdr_calls (call_id, state, direction, src, dst, start_iso, start_ms) VALUES ('x', 'open', 'sideways', '1', '2', 'i', 0)");
  bad("UPDATE cdr_calls SET disposition = 'ANSWERD' WHERE call_id = 'call-1'");
  bad("UPDATE cdr_calls SET hangup_side = 'nobody' WHERE call_id = 'call-1'");
  bad("UPDATE cdr_legs SET role = 'both' WHERE leg_id = 'leg-a'");
  db.prepare("DELETE FROM cdr_calls WHERE call_id = 'call-1'").run();
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM cdr_legs').get(), { n: 0 }, 'legs still cascade with their call');
});
