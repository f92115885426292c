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
