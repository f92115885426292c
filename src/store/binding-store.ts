/**
 * Registrar bindings in SQLite, so registrations survive a restart. It
 * satisfies sip/registrar's `BindingStore` structurally (no import of sip).
 *
 * Connection ids are only meaningful inside one process: a TCP/TLS
 * connection does not survive a restart, and the ids start again from zero.
 * Opening the store therefore forgets every stored connection id, so a
 * restored binding is reached by address (RFC 3261 §18.2.2 / RFC 5626 §5.2:
 * a new connection), never by a stale id that now names someone else's
 * connection.
 * Leaves out: per-tenant partitioning, Path vectors.
 */
import type { Db, Stmt } from './db.ts';
import type { StoredBinding, StoredProtocol } from './binding-types.ts';
import { StoreError } from './errors.ts';

interface BindingRow {
  aor: string;
  binding_key: string;
  contact: string;
  protocol: string;
  remote_address: string;
  remote_port: number;
  local_address: string;
  local_port: number;
  connection_id: number | null;
  expires_at: number;
  q: number | null;
  call_id: string;
  cseq: number;
  user_agent: string | null;
  instance_id: string | null;
  reg_id: number | null;
  registered_at: number;
  updated_at: number;
}

const isProtocol = (p: string): p is StoredProtocol => p === 'udp' || p === 'tcp' || p === 'tls';

function fromRow(r: BindingRow): StoredBinding {
  if (!isProtocol(r.protocol)) throw new StoreError('STORE_BAD_ROW', `binding ${r.aor} ${r.binding_key} has protocol ${r.protocol}`);
  const flowBase = { protocol: r.protocol, remoteAddress: r.remote_address, remotePort: r.remote_port, localAddress: r.local_address, localPort: r.local_port };
  return {
    aor: r.aor,
    key: r.binding_key,
    contact: r.contact,
    flow: r.connection_id === null ? flowBase : { ...flowBase, connectionId: r.connection_id },
    expiresAt: r.expires_at,
    q: r.q ?? undefined,
    callId: r.call_id,
    cseq: r.cseq,
    userAgent: r.user_agent ?? undefined,
    instanceId: r.instance_id ?? undefined,
    regId: r.reg_id ?? undefined,
    registeredAt: r.registered_at,
    updatedAt: r.updated_at,
  };
}

export class SqliteBindingStore {
  readonly #db: Db;
  readonly #select: Stmt;
  readonly #selectAll: Stmt;
  readonly #upsert: Stmt;
  readonly #delete: Stmt;
  readonly #purge: Stmt;
  readonly #apply: (aor: string, upsert: readonly StoredBinding[], removeKeys: readonly string[]) => void;

  /** `forgetConnections: false` for a second connection of the same process (the write thread). */
  constructor(db: Db, opts: { forgetConnections?: boolean } = {}) {
    this.#db = db;
    // Connection ids from a previous process are meaningless (see header).
    if (opts.forgetConnections !== false) db.prepare('UPDATE bindings SET connection_id = NULL WHERE connection_id IS NOT NULL').run();
    this.#select = db.prepare('SELECT * FROM bindings WHERE aor = ? AND expires_at > ? ORDER BY registered_at, binding_key');
    this.#selectAll = db.prepare('SELECT * FROM bindings WHERE expires_at > ? ORDER BY aor, registered_at, binding_key');
    this.#upsert = db.prepare(`INSERT INTO bindings (aor, binding_key, contact, protocol, remote_address, remote_port, local_address, local_port,
        connection_id, expires_at, q, call_id, cseq, user_agent, instance_id, reg_id, registered_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (aor, binding_key) DO UPDATE SET contact = excluded.contact, protocol = excluded.protocol,
        remote_address = excluded.remote_address, remote_port = excluded.remote_port, local_address = excluded.local_address,
        local_port = excluded.local_port, connection_id = excluded.connection_id, expires_at = excluded.expires_at, q = excluded.q,
        call_id = excluded.call_id, cseq = excluded.cseq, user_agent = excluded.user_agent, instance_id = excluded.instance_id,
        reg_id = excluded.reg_id, registered_at = excluded.registered_at, updated_at = excluded.updated_at`);
    this.#delete = db.prepare('DELETE FROM bindings WHERE aor = ? AND binding_key = ?');
    this.#purge = db.prepare('DELETE FROM bindings WHERE expires_at <= ?');
    this.#apply = db.transaction((aor: string, upsert: readonly StoredBinding[], removeKeys: readonly string[]) => {
      for (const k of removeKeys) this.#delete.run(aor, k);
      for (const b of upsert) {
        if (b.aor !== aor) throw new StoreError('STORE_WRITE_FAILED', `binding for ${b.aor} applied under ${aor}`);
        // Positional parameters: better-sqlite3 binds them without a property lookup per name.
        this.#upsert.run(
          b.aor,
          b.key,
          b.contact,
          b.flow.protocol,
          b.flow.remoteAddress,
          b.flow.remotePort,
          b.flow.localAddress,
          b.flow.localPort,
          b.flow.connectionId ?? null,
          b.expiresAt,
          b.q ?? null,
          b.callId,
          b.cseq,
          b.userAgent ?? null,
          b.instanceId ?? null,
          b.regId ?? null,
          b.registeredAt,
          b.updatedAt,
        );
      }
    });
  }

  bindingsFor(aor: string, now: number): readonly StoredBinding[] {
    return (this.#select.all(aor, now) as BindingRow[]).map(fromRow);
  }

  /** Every live binding (for the admin API's registration list). */
  allBindings(now: number): readonly StoredBinding[] {
    return (this.#selectAll.all(now) as BindingRow[]).map(fromRow);
  }

  /** All or nothing (RFC 3261 §10.3 step 7); a failure throws STORE_WRITE_FAILED and changes nothing. */
  applyBindingChanges(aor: string, upsert: readonly StoredBinding[], removeKeys: readonly string[]): void {
    try {
      this.#apply(aor, upsert, removeKeys);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('STORE_WRITE_FAILED', `binding update for ${aor} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Several AORs' changes in one SQLite transaction (the write-behind cache's flush). */
  applyBatch(ops: ReadonlyArray<{ aor: string; upsert: readonly StoredBinding[]; removeKeys: readonly string[] }>): void {
    try {
      this.#applyMany(ops);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('STORE_WRITE_FAILED', `binding batch of ${ops.length} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  readonly #applyMany = (ops: ReadonlyArray<{ aor: string; upsert: readonly StoredBinding[]; removeKeys: readonly string[] }>): void => {
    this.#db.transaction(() => {
      for (const op of ops) this.#apply(op.aor, op.upsert, op.removeKeys);
    })();
  };

  purgeExpired(now: number): number {
    return this.#purge.run(now).changes;
  }

  get db(): Db {
    return this.#db;
  }
}
