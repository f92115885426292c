import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, loadMigrations } from '../../../src/store/index.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('opening applies every migration once, in WAL with foreign keys on and a bounded page cache', (t) => {
  const file = join(tempDir(t), 'belfry.sqlite');
  const db = openDatabase(file, { wallNow: () => Date.UTC(2026, 0, 5) });
  const rows = db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
  assert.deepEqual(rows, loadMigrations().map((m) => ({ version: m.version, name: m.name, applied_at: '2026-01-05T00:00:00.000Z' })));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
  assert.equal(db.pragma('cache_size', { simple: true }), -2048, 'page cache bounded at 2 MiB');
  db.close();
});

test('migrations are idempotent: re-opening applies nothing and keeps data', (t) => {
  const file = join(tempDir(t), 'belfry.sqlite');
  const db1 = openDatabase(file);
  db1.prepare("INSERT INTO cdr_calls (call_id, state, direction, src, dst, start_iso, start_ms) VALUES ('x', 'open', 'internal', '1', '2', 'i', 0)").run();
  const count1 = db1.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get();
  db1.close();
  const db2 = openDatabase(file);
  assert.deepEqual(db2.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get(), count1);
  assert.deepEqual(db2.prepare('SELECT call_id FROM cdr_calls').all(), [{ call_id: 'x' }]);
  db2.close();
});

test('a new migration file is applied on the next open, in its own transaction', (t) => {
  const dir = tempDir(t);
  const mig = join(dir, 'mig');
  mkdirSync(mig);
  writeFileSync(join(mig, '001-one.sql'), 'CREATE TABLE a (x INTEGER);');
  const file = join(dir, 'db.sqlite');
  openDatabase(file, { migrationsDir: mig }).close();
  writeFileSync(join(mig, '002-two.sql'), 'CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (1);');
  const db = openDatabase(file, { migrationsDir: mig });
  assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), [{ version: 1 }, { version: 2 }]);
  db.close();
  // A failing migration leaves nothing half-applied.
  writeFileSync(join(mig, '003-bad.sql'), 'CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1);');
  assert.throws(() => openDatabase(file, { migrationsDir: mig }), { code: 'STORE_MIGRATION_FAILED' });
  const raw = new Database(file, { readonly: true });
  assert.deepEqual(raw.prepare('SELECT MAX(version) AS v FROM schema_migrations').get(), { v: 2 });
  assert.equal(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get(), undefined);
  raw.close();
});

test('bad migration sets are refused: gaps, bad names, unknown or renamed versions in the database', (t) => {
  const dir = tempDir(t);
  const gap = join(dir, 'gap');
  mkdirSync(gap);
  writeFileSync(join(gap, '001-a.sql'), 'SELECT 1;');
  writeFileSync(join(gap, '003-c.sql'), 'SELECT 1;');
  assert.throws(() => loadMigrations(gap), { code: 'STORE_BAD_MIGRATIONS' });
  const badName = join(dir, 'badname');
  mkdirSync(badName);
  writeFileSync(join(badName, '1-a.sql'), 'SELECT 1;');
  assert.throws(() => loadMigrations(badName), { code: 'STORE_BAD_MIGRATIONS' });

  const two = join(dir, 'two');
  mkdirSync(two);
  writeFileSync(join(two, '001-a.sql'), 'SELECT 1;');
  writeFileSync(join(two, '002-b.sql'), 'SELECT 1;');
  const file = join(dir, 'x.sqlite');
  openDatabase(file, { migrationsDir: two }).close();
  const one = join(dir, 'one');
  mkdirSync(one);
  writeFileSync(join(one, '001-a.sql'), 'SELECT 1;');
  assert.throws(() => openDatabase(file, { migrationsDir: one }), { code: 'STORE_SCHEMA_TOO_NEW' });
  const renamed = join(dir, 'renamed');
  mkdirSync(renamed);
  writeFileSync(join(renamed, '001-z.sql'), 'SELECT 1;');
  writeFileSync(join(renamed, '002-b.sql'), 'SELECT 1;');
  assert.throws(() => openDatabase(file, { migrationsDir: renamed }), { code: 'STORE_MIGRATION_MISMATCH' });
});

test('a database that cannot be opened throws STORE_OPEN_FAILED', (t) => {
  const dir = tempDir(t);
  assert.throws(() => openDatabase(join(dir, 'no', 'such', 'dir', 'db.sqlite')), { code: 'STORE_OPEN_FAILED' });
});
