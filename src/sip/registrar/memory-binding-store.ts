/**
 * An in-memory BindingStore: for engine unit tests and for running without
 * a database (bindings are lost on restart). Same semantics as the SQLite
 * store: expired bindings are invisible, changes apply all at once.
 */
import type { Binding, BindingStore } from './binding-types.ts';

export class MemoryBindingStore implements BindingStore {
  readonly #byAor = new Map<string, Map<string, Binding>>();

  bindingsFor(aor: string, now: number): readonly Binding[] {
    const m = this.#byAor.get(aor);
    if (m === undefined) return [];
    return [...m.values()].filter((b) => b.expiresAt > now).sort((a, b) => a.registeredAt - b.registeredAt || (a.key < b.key ? -1 : 1));
  }

  applyBindingChanges(aor: string, upsert: readonly Binding[], removeKeys: readonly string[]): void {
    // Check first so a bad batch changes nothing (all or nothing, §10.3 step 7).
    for (const b of upsert) if (b.aor !== aor) throw new Error(`binding for ${b.aor} applied under ${aor}`);
    const m = this.#byAor.get(aor) ?? new Map<string, Binding>();
    for (const k of removeKeys) m.delete(k);
    for (const b of upsert) m.set(b.key, b);
    if (m.size === 0) this.#byAor.delete(aor);
    else this.#byAor.set(aor, m);
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
    return n;
  }
}
