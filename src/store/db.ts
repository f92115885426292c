/**
 * Opens the SQLite database (better-sqlite3) and brings its schema up to
 * date with the numbered migrations in `migrations/NNN-name.sql`.
 *
 * - WAL journal and synchronous=NORMAL, the usual pair: in WAL mode NORMAL
 *   never syncs on commit, only when a checkpoint copies the WAL back, and
 *   the file cannot be corrupted by a crash or a power cut. A commit survives
 *   a process crash; a power cut may lose the last few commits, which is
 *   acceptable for bindings (phones re-register) and CDRs (closeInterrupted
 *   repairs). FULL would fsync the WAL on every commit, and better-sqlite3
 *   runs on the event loop: the switch would stall for a disk flush every
 *   CDR/binding flush interval.
 * - cache_size bounded at 2 MiB (SQLite's own default; better-sqlite3 builds
 *   with 16 MiB): the page cache is resident memory, and with bindings held
 *   in memory (binding-cache.ts) it serves only the write path, whose hot
 *   pages are the b-tree interiors and the appending right edges. Pages
 *   beyond it are read back from the OS's file cache.
 * - foreign_keys=ON (cdr_legs → cdr_calls), busy_timeout so a second
 *   reader (a backup, the sqlite3 shell) does not make writes fail at once.
 * - `schema_migrations` records version and name; each migration runs in
 *   its own transaction; re-opening applies nothing new (idempotent).
 *   A database with a migration this code does not know is refused
 *   (STORE_SCHEMA_TOO_NEW) rather than used by older code.
 * Leaves out: down-migrations, online backup (later, via db.backup()).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';

export type Db = Database.Database;
/** A prepared statement taking positional or named parameters. */
export type Stmt = Database.Statement<unknown[], unknown>;

export interface OpenOptions {
  /** Folder of NNN-name.sql files; defaults to the migrations shipped beside this file. */
  readonly migrationsDir?: string;
  readonly busyTimeoutMs?: number;
  /** SQLite page cache bound in KiB (PRAGMA cache_size = -N); default 2048. */
  readonly cacheKib?: number;
  /** Wall-clock ms for schema_migrations.applied_at (STYLE G3); defaults to Date.now. */
  readonly wallNow?: () => number;
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_RE = /^(\d{3})-([a-z0-9][a-z0-9-]*)\.sql$/;

/** Read and check the migration files: numbered 1, 2, 3… with no gaps or duplicates. */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): readonly Migration[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch (e) {
    throw new StoreError('STORE_BAD_MIGRATIONS', `cannot read migrations folder ${dir}`, { cause: e });
  }
  const out: Migration[] = [];
  for (const f of files.sort()) {
    const m = FILE_RE.exec(f);
    if (m === null) throw new StoreError('STORE_BAD_MIGRATIONS', `migration file ${f} is not named NNN-name.sql`);
    out.push({ version: Number(m[1]), name: m[2] ?? '', sql: readFileSync(`${dir}/${f}`, 'utf8') });
  }
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError('STORE_BAD_MIGRATIONS', `migrations must be numbered 001, 002, … without gaps; found ${String(m.version).padStart(3, '0')} at position ${i + 1}`);
  });
  return out;
}

/** Apply every migration not yet recorded; returns the versions applied now. */
export function runMigrations(db: Db, migrations: readonly Migration[], wallNow: () => number = Date.now): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL
  )`);
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as Array<{ version: number; name: string }>;
  const known = new Map(migrations.map((m) => [m.version, m] as const));
  for (const r of rows) {
    const m = known.get(r.version);
    if (m === undefined) throw new StoreError('STORE_SCHEMA_TOO_NEW', `database has migration ${r.version} (${r.name}) that this version does not know`);
    if (m.name !== r.name) throw new StoreError('STORE_MIGRATION_MISMATCH', `migration ${r.version} is ${r.name} in the database but ${m.name} on disk`);
  }
  const done = new Set(rows.map((r) => r.version));
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        insert.run(m.version, m.name, new Date(wallNow()).toISOString());
      })();
    } catch (e) {
      throw new StoreError('STORE_MIGRATION_FAILED', `migration ${m.version}-${m.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    applied.push(m.version);
  }
  return applied;
}

/** Open (creating if needed) and migrate. `file` may be ':memory:' for tests. */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const migrations = loadMigrations(opts.migrationsDir);
  let db: Db;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    db.pragma(`cache_size = -${Math.max(64, Math.floor(opts.cacheKib ?? 2048))}`);
  } catch (e) {
    throw new StoreError('STORE_OPEN_FAILED', `cannot open database ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  try {
    runMigrations(db, migrations, opts.wallNow);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
