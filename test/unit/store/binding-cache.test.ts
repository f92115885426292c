import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/common/index.ts';
import { CachedBindingStore, openDatabase, SqliteBindingStore, type StoredBinding } from '../../../src/store/index.ts';

const flow = { protocol: 'udp' as const, remoteAddress: '127.0.0.1', remotePort: 5070, localAddress: '127.0.0.1', localPort: 5060 };
function binding(aor: string, key: string, expiresAt: number, registeredAt = 0): StoredBinding {
  return { aor, key, contact: `sip:${key}@127.0.0.1:5070`, flow, expiresAt, q: undefined, callId: 'c', cseq: 1, userAgent: undefined, instanceId: undefined, regId: undefined, registeredAt, updatedAt: registeredAt };
}

test('binding cache: lookups are served from memory at once; SQLite gets them in one batch after the flush interval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bc-'));
  const clock = new ManualClock(0, 1_000_000);
  const db = openDatabase(join(dir, 'b.db'));
  const sql = new SqliteBindingStore(db);
  const cache = new CachedBindingStore(sql, clock, { flushMs: 20 });
  cache.applyBindingChanges('sip:1@x', [binding('sip:1@x', 'a', 2_000_000, 2), binding('sip:1@x', 'b', 2_000_000, 1)], []);
  assert.deepEqual(cache.bindingsFor('sip:1@x', 1_000_000).map((b) => b.key), ['b', 'a'], 'ordered by registration time');
  assert.equal(sql.bindingsFor('sip:1@x', 1_000_000).length, 0, 'not written yet');
  clock.advance(20);
  assert.equal(sql.bindingsFor('sip:1@x', 1_000_000).length, 2, 'written by the flush');
  cache.applyBindingChanges('sip:1@x', [], ['a']);
  cache.flush();
  assert.deepEqual(sql.bindingsFor('sip:1@x', 1_000_000).map((b) => b.key), ['b']);
  db.close();
  // A restart loads what was flushed.
  const db2 = openDatabase(join(dir, 'b.db'));
  const again = new CachedBindingStore(new SqliteBindingStore(db2), clock);
  assert.deepEqual(again.bindingsFor('sip:1@x', 1_000_000).map((b) => b.key), ['b']);
  db2.close();
  rmSync(dir, { recursive: true, force: true });
});

test('binding cache: expired bindings are invisible and purged from memory and SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bc-'));
  const clock = new ManualClock(0, 1_000_000);
  const db = openDatabase(join(dir, 'b.db'));
  const sql = new SqliteBindingStore(db);
  const cache = new CachedBindingStore(sql, clock);
  cache.applyBindingChanges('sip:2@x', [binding('sip:2@x', 'old', 1_000_500), binding('sip:2@x', 'new', 3_000_000)], []);
  assert.deepEqual(cache.bindingsFor('sip:2@x', 1_001_000).map((b) => b.key), ['new']);
  assert.equal(cache.purgeExpired(1_001_000), 1);
  assert.equal(cache.size, 1);
  assert.deepEqual(sql.allBindings(0).map((b) => b.key), ['new']);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('binding cache: an AOR goes from one binding to several and back, with the values the registrar handed over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bc-'));
  const clock = new ManualClock(0, 1_000_000);
  const db = openDatabase(join(dir, 'b.db'));
  const cache = new CachedBindingStore(new SqliteBindingStore(db), clock);
  const aor = ['sip:', '3', '@x'].join('');
  const one = { ...binding(aor, 'one', 2_000_000, 1), userAgent: 'Yealink T54W', instanceId: '<urn:uuid:1>', regId: 1, q: 0.5, flow: { ...flow, protocol: 'tcp' as const, connectionId: 7 } };
  cache.applyBindingChanges(aor, [one], []);
  assert.deepEqual(cache.bindingsFor('sip:3@x', 1_000_000), [one]);
  cache.applyBindingChanges(aor, [binding(aor, 'two', 2_000_000, 2)], []);
  assert.deepEqual(cache.bindingsFor('sip:3@x', 1_000_000).map((b) => b.key), ['one', 'two']);
  assert.equal(cache.size, 2);
  cache.applyBindingChanges(aor, [], ['one']);
  assert.deepEqual(cache.bindingsFor('sip:3@x', 1_000_000).map((b) => b.key), ['two']);
  cache.applyBindingChanges(aor, [], ['two']);
  assert.deepEqual(cache.bindingsFor('sip:3@x', 1_000_000), []);
  assert.equal(cache.size, 0);
  cache.flush();
  assert.deepEqual(new SqliteBindingStore(db).allBindings(0), []);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('binding cache: a refresh from the same flow keeps the stored flow object (one per binding, not one per REGISTER)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bc-'));
  const clock = new ManualClock(0, 1_000_000);
  const db = openDatabase(join(dir, 'b.db'));
  const cache = new CachedBindingStore(new SqliteBindingStore(db), clock);
  cache.applyBindingChanges('sip:4@x', [binding('sip:4@x', 'k', 2_000_000, 1)], []);
  const first = cache.bindingsFor('sip:4@x', 1_000_000)[0];
  // The next REGISTER arrives with a new (equal) flow object, a later expiry and CSeq.
  cache.applyBindingChanges('sip:4@x', [{ ...binding('sip:4@x', 'k', 3_000_000, 1), flow: { ...flow }, cseq: 2 }], []);
  const second = cache.bindingsFor('sip:4@x', 1_000_000)[0];
  assert.equal(second?.expiresAt, 3_000_000);
  assert.equal(second?.cseq, 2);
  assert.equal(second?.flow, first?.flow, 'same object');
  // A phone that moved gets its new flow.
  cache.applyBindingChanges('sip:4@x', [{ ...binding('sip:4@x', 'k', 3_000_000, 1), flow: { ...flow, remotePort: 6000 }, cseq: 3 }], []);
  assert.equal(cache.bindingsFor('sip:4@x', 1_000_000)[0]?.flow.remotePort, 6000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
