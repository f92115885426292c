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
 *
 * Memory (issue 3): an AOR with one binding, the usual case, maps straight to
 * it; only an AOR with several keeps an array. Bindings are stored in the
 * compact form of binding-compact.ts (no slices of parsed messages, strings
 * shared with the binding they refresh).
 */
import type { Clock, Logger, TimerHandle } from '../common/index.ts';
import type { SqliteBindingStore } from './binding-store.ts';
import type { StoredBinding } from './binding-types.ts';
import { flatCopy } from '../common/index.ts';
import { BindingCompactor } from './binding-compact.ts';

/** One AOR's bindings: the binding itself when there is one (no container), else an array. */
type AorEntry = StoredBinding | StoredBinding[];

const asList = (e: AorEntry | undefined): readonly StoredBinding[] => (e === undefined ? [] : Array.isArray(e) ? e : [e]);

interface PendingOp {
  aor: string;
  upsert: readonly StoredBinding[];
  removeKeys: readonly string[];
}

function order(a: StoredBinding, b: StoredBinding): number {
  return a.registeredAt - b.registeredAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Where flushes go: the SQLite store itself, or the store's write thread (write-thread.ts). */
export interface BindingWriter {
  applyBatch(ops: ReadonlyArray<{ aor: string; upsert: readonly StoredBinding[]; removeKeys: readonly string[] }>): void;
  purgeExpired(now: number): unknown;
}

export class CachedBindingStore {
  readonly #writer: BindingWriter;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #flushMs: number;
  readonly #byAor = new Map<string, AorEntry>();
  readonly #compactor = new BindingCompactor();
  #pending: PendingOp[] = [];
  #timer: TimerHandle | undefined;

  /** Loads from `db`; writes through `opts.writer` when given (the write thread), else to `db`. */
  constructor(db: SqliteBindingStore, clock: Clock, opts: { flushMs?: number; log?: Logger; writer?: BindingWriter } = {}) {
    this.#writer = opts.writer ?? db;
    this.#clock = clock;
    this.#log = opts.log;
    this.#flushMs = opts.flushMs ?? 20;
    for (const b of db.allBindings(clock.wallNow())) this.#upsert(b.aor, [b], []);
  }

  /** Apply to memory; returns the upserted bindings in their stored (compact) form. */
  #upsert(aor: string, upsert: readonly StoredBinding[], removeKeys: readonly string[]): readonly StoredBinding[] {
    const entry = this.#byAor.get(aor);
    const before = asList(entry);
    const first = before[0];
    // The AOR string is kept once, as the map key, and shared by its bindings.
    const aorKept = first !== undefined ? first.aor : flatCopy(aor);
    const list = removeKeys.length === 0 ? [...before] : before.filter((b) => !removeKeys.includes(b.key));
    const stored: StoredBinding[] = [];
    for (const b of upsert) {
      const at = list.findIndex((x) => x.key === b.key);
      const c = this.#compactor.compact(b, aorKept, at >= 0 ? list[at] : undefined);
      if (at >= 0) list[at] = c;
      else list.push(c);
      stored.push(c);
    }
    if (list.length === 0) this.#byAor.delete(aor);
    else if (entry === undefined) this.#byAor.set(aorKept, list.length === 1 ? (list[0] as StoredBinding) : list);
    else this.#byAor.set(aor, list.length === 1 ? (list[0] as StoredBinding) : list);
    return stored;
  }

  bindingsFor(aor: string, now: number): readonly StoredBinding[] {
    const e = this.#byAor.get(aor);
    if (e === undefined) return [];
    if (!Array.isArray(e)) return e.expiresAt > now ? [e] : [];
    const out: StoredBinding[] = [];
    for (const b of e) if (b.expiresAt > now) out.push(b);
    return out.length > 1 ? out.sort(order) : out;
  }

  allBindings(now: number): readonly StoredBinding[] {
    const out: StoredBinding[] = [];
    for (const aor of [...this.#byAor.keys()].sort()) out.push(...this.bindingsFor(aor, now));
    return out;
  }

  applyBindingChanges(aor: string, upsert: readonly StoredBinding[], removeKeys: readonly string[]): void {
    // The pending op holds the compact bindings too: a failed flush keeps ops for a retry.
    const stored = this.#upsert(aor, upsert, removeKeys);
    this.#pending.push({ aor: stored[0]?.aor ?? aor, upsert: stored, removeKeys });
    if (this.#pending.length >= 1000) this.flush();
    else this.#timer ??= this.#clock.setTimer(this.#flushMs, () => this.flush());
  }

  purgeExpired(now: number): number {
    let n = 0;
    for (const [aor, e] of this.#byAor) {
      if (!Array.isArray(e)) {
        if (e.expiresAt <= now) (this.#byAor.delete(aor), n++);
        continue;
      }
      const live = e.filter((b) => b.expiresAt > now);
      n += e.length - live.length;
      if (live.length === 0) this.#byAor.delete(aor);
      else if (live.length < e.length) this.#byAor.set(aor, live.length === 1 ? (live[0] as StoredBinding) : live);
    }
    this.flush();
    this.#writer.purgeExpired(now);
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
      this.#writer.applyBatch(ops);
    } catch (e) {
      this.#log?.error({ err: e, pending: ops.length }, 'binding flush failed; retrying');
      this.#pending = ops.concat(this.#pending).slice(-100_000);
      this.#timer = this.#clock.setTimer(1000, () => this.flush());
    }
  }

  get size(): number {
    let n = 0;
    for (const e of this.#byAor.values()) n += Array.isArray(e) ? e.length : 1;
    return n;
  }
}
