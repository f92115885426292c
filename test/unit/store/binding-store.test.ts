import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SqliteBindingStore, type StoredBinding } from '../../../src/store/index.ts';
import { processRegister, type BindingStore, type RegistrarPolicy } from '../../../src/sip/registrar/index.ts';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const POLICY: RegistrarPolicy = { minExpires: 60, maxExpires: 3600, defaultExpires: 600, maxContacts: 5 };

function tempFile(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-bind-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'belfry.sqlite');
}

function binding(over: Partial<StoredBinding> = {}): StoredBinding {
  return {
    aor: 'sip:alice@belfry.test',
    key: 'uri:sip:alice@192.0.2.10',
    contact: 'sip:alice@192.0.2.10',
    flow: { protocol: 'tcp', remoteAddress: '192.0.2.10', remotePort: 40000, localAddress: '192.0.2.1', localPort: 5060, connectionId: 7 },
    expiresAt: NOW + 600_000,
    q: 0.5,
    callId: 'c1',
    cseq: 3,
    userAgent: 'Phone/2',
    instanceId: 'urn:uuid:1',
    regId: 1,
    registeredAt: NOW - 1000,
    updatedAt: NOW,
    ...over,
  };
}

test('SqliteBindingStore satisfies the registrar BindingStore structurally', (t) => {
  const db = openDatabase(tempFile(t));
  t.after(() => db.close());
  const store: BindingStore = new SqliteBindingStore(db);
  const out = processRegister(store.bindingsFor('sip:a@b', NOW), {
    aor: 'sip:a@b', contacts: [{ uri: 'sip:a@192.0.2.5' }], expiresHeader: undefined, callId: 'x', cseq: 1,
    flow: { protocol: 'udp', remoteAddress: '192.0.2.5', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 }, userAgent: undefined, now: NOW,
  }, POLICY);
  store.applyBindingChanges('sip:a@b', out.upsert, out.remove);
  assert.deepEqual(store.bindingsFor('sip:a@b', NOW), out.upsert);
});

test('bindings round-trip field by field and survive close/reopen (connection ids are forgotten)', (t) => {
  const file = tempFile(t);
  const db1 = openDatabase(file);
  const s1 = new SqliteBindingStore(db1);
  const b = binding();
  const plain = binding({ key: 'uri:sip:alice@192.0.2.11', contact: 'sip:alice@192.0.2.11', q: undefined, userAgent: undefined, instanceId: undefined, regId: undefined, flow: { protocol: 'udp', remoteAddress: '192.0.2.11', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 } });
  s1.applyBindingChanges(b.aor, [b, plain], []);
  assert.deepEqual(s1.bindingsFor(b.aor, NOW), [b, plain]);
  db1.close();

  const db2 = openDatabase(file);
  t.after(() => db2.close());
  const s2 = new SqliteBindingStore(db2);
  const { connectionId: _dropped, ...flowWithoutConn } = b.flow;
  assert.deepEqual(s2.bindingsFor(b.aor, NOW), [{ ...b, flow: flowWithoutConn }, plain]);
  assert.equal(s2.allBindings(NOW).length, 2);
});

test('expired bindings are invisible and purgeExpired deletes them', (t) => {
  const db = openDatabase(tempFile(t));
  t.after(() => db.close());
  const s = new SqliteBindingStore(db);
  s.applyBindingChanges('sip:alice@belfry.test', [binding({ expiresAt: NOW + 1000 }), binding({ key: 'k2', expiresAt: NOW + 5000 })], []);
  assert.equal(s.bindingsFor('sip:alice@belfry.test', NOW + 1000).length, 1, 'expiresAt == now counts as expired');
  assert.equal(s.purgeExpired(NOW + 1000), 1);
  assert.equal(s.purgeExpired(NOW + 1000), 0);
  assert.equal(s.purgeExpired(NOW + 5000), 1);
});

test('applyBindingChanges upserts by key, removes by key, and is all-or-nothing', (t) => {
  const db = openDatabase(tempFile(t));
  t.after(() => db.close());
  const s = new SqliteBindingStore(db);
  const aor = 'sip:alice@belfry.test';
  s.applyBindingChanges(aor, [binding(), binding({ key: 'k2', contact: 'sip:k2@x' })], []);
  s.applyBindingChanges(aor, [binding({ cseq: 4, expiresAt: NOW + 900_000 })], ['k2']);
  const now = s.bindingsFor(aor, NOW);
  assert.equal(now.length, 1);
  assert.equal(now[0]?.cseq, 4);
  // A binding for another AOR in the batch aborts the whole batch.
  assert.throws(() => s.applyBindingChanges(aor, [binding({ key: 'k3' }), binding({ aor: 'sip:bob@x', key: 'k4' })], [binding().key]), { code: 'STORE_WRITE_FAILED' });
  assert.deepEqual(s.bindingsFor(aor, NOW), now);
});

test('migration 004: bindings stored before it survive; the protocol CHECK still holds and the upsert builds no ephemeral index', (t) => {
  const file = tempFile(t);
  // A database at migration 001 (as an older belfry left it), with one binding.
  const oldDir = mkdtempSync(join(tmpdir(), 'belfry-mig-'));
  t.after(() => rmSync(oldDir, { recursive: true, force: true }));
  copyFileSync(new URL('../../../src/store/migrations/001-bindings.sql', import.meta.url), join(oldDir, '001-bindings.sql'));
  const old = openDatabase(file, { migrationsDir: oldDir });
  new SqliteBindingStore(old).applyBindingChanges('sip:alice@belfry.test', [binding()], []);
  old.close();

  const db = openDatabase(file);
  t.after(() => db.close());
  const store = new SqliteBindingStore(db);
  const got = store.bindingsFor('sip:alice@belfry.test', NOW);
  assert.equal(got.length, 1);
  assert.equal(got[0]?.contact, 'sip:alice@192.0.2.10');
  assert.throws(
    () => db.prepare(`INSERT INTO bindings (aor, binding_key, contact, protocol, remote_address, remote_port, local_address, local_port, expires_at, call_id, cseq, registered_at, updated_at)
      VALUES ('a', 'k', 'c', 'sctp', '192.0.2.1', 1, '192.0.2.2', 2, 1, 'x', 1, 1, 1)`).run(),
    /CHECK constraint failed/,
  );
  // `protocol IN ('udp','tcp','tls')` made SQLite open an ephemeral index per row written (see 004's header).
  const plan = db.prepare(`EXPLAIN INSERT INTO bindings (aor, binding_key, contact, protocol, remote_address, remote_port, local_address, local_port, expires_at, call_id, cseq, registered_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).all('a', 'k', 'c', 'udp', '192.0.2.1', 1, '192.0.2.2', 2, 1, 'x', 1, 1, 1) as Array<{ opcode: string }>;
  assert.ok(!plan.some((r) => r.opcode === 'OpenEphemeral'), 'no ephemeral index in the insert plan');
});
