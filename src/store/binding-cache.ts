/**
 * Bindings in memory, persisted behind (write-back, as Kamailio's usrloc
 * db_mode 2): lookups and REGISTER updates touch only a Map, and the changes
 * go to SQLite in one transaction per flush interval. Loaded from SQLite at
 * start, so bindings survive a restart; a crash loses at most the last
 * interval's changes, which phones repeat at their next refresh.
 *
 * RFC-DEVIATION (RFC 3261 §10.3 step 7, "If the binding cannot be updated,
 * the registrar MUST return 500"): the in-memory update cannot fail, and a
 * failed flush is logged and retried rather than reported to the REGISTER
 * that caused it (it has been answered already).
 */
import type { Clock, Logger, TimerHandle } from '../common/index.ts';
import type { SqliteBindingStore } from './binding-store.ts';
import type { StoredBinding } from './binding-types.ts';

interface PendingOp {
  aor: string;
  upsert: readonly StoredBinding[];
  removeKeys: readonly string[];
}

function order(a: StoredBinding, b: StoredBinding): number {
  return a.registeredAt - b.registeredAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export class CachedBindingStore {
  readonly #db: SqliteBindingStore;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #flushMs: number;
  readonly #byAor = new Map<string, Map<string, StoredBinding>>();
  #pending: PendingOp[] = [];
  #timer: TimerHandle | undefined;

  constructor(db: SqliteBindingStore, clock: Clock, opts: { flushMs?: number; log?: Logger } = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#log = opts.log;
    this.#flushMs = opts.flushMs ?? 20;
    for (const b of db.allBindings(clock.wallNow())) this.#put(b);
  }

  #put(b: StoredBinding): void {
    let m = this.#byAor.get(b.aor);
    if (m === undefined) {
      m = new Map();
      this.#byAor.set(b.aor, m);
    }
    m.set(b.key, b);
  }

  bindingsFor(aor: string, now: number): readonly StoredBinding[] {
    const m = this.#byAor.get(aor);
    if (m === undefined) return [];
    const out: StoredBinding[] = [];
    for (const b of m.values()) if (b.expiresAt > now) out.push(b);
    return out.length > 1 ? out.sort(order) : out;
  }

  allBindings(now: number): readonly StoredBinding[] {
    const out: StoredBinding[] = [];
    for (const aor of [...this.#byAor.keys()].sort()) out.push(...this.bindingsFor(aor, now));
    return out;
  }

  applyBindingChanges(aor: string, upsert: readonly StoredBinding[], removeKeys: readonly string[]): void {
    const m = this.#byAor.get(aor);
    if (m !== undefined) for (const k of removeKeys) m.delete(k);
    for (const b of upsert) this.#put(b);
    if (m !== undefined && m.size === 0 && upsert.length === 0) this.#byAor.delete(aor);
    this.#pending.push({ aor, upsert, removeKeys });
    if (this.#pending.length >= 1000) this.flush();
    else this.#timer ??= this.#clock.setTimer(this.#flushMs, () => this.flush());
  }

  purgeExpired(now: number): number {
    let n = 0;
    for (const [aor, m] of this.#byAor) {
      for (const [k, b] of m) {
        if (b.expiresAt <= now) {
          m.delete(k);
          n++;
        }
      }
      if (m.size === 0) this.#byAor.delete(aor);
    }
    this.flush();
    this.#db.purgeExpired(now);
    return n;
  }

  /** Write what is pending in one transaction; on failure keep it for the next try. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const ops = this.#pending;
    this.#pending = [];
    try {
      this.#db.applyBatch(ops);
    } catch (e) {
      this.#log?.error({ err: e, pending: ops.length }, 'binding flush failed; retrying');
      this.#pending = ops.concat(this.#pending).slice(-100_000);
      this.#timer = this.#clock.setTimer(1000, () => this.flush());
    }
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byAor.values()) n += m.size;
    return n;
  }
}
