/**
 * One shared value per key, for values many long-lived records repeat
 * (addresses, User-Agents, flows): each record keeps a reference instead of
 * its own copy. Bounded: past `max` distinct keys the pool starts afresh, so
 * a flood of distinct values (a scan from many sources, invented
 * User-Agents) cannot grow it; values already handed out stay valid.
 */
import { flatCopy } from './flat-copy.ts';

export class InternPool<V> {
  readonly #max: number;
  readonly #copyKeys: boolean;
  #values = new Map<string, V>();

  /** `copyKeys`: store a flat copy of each new key (a key cut from a parsed message would keep the message alive). */
  constructor(max: number, opts: { readonly copyKeys?: boolean } = {}) {
    this.#max = Math.max(1, max);
    this.#copyKeys = opts.copyKeys === true;
  }

  /** The shared value for `key`, made by `make` the first time. */
  get(key: string, make: () => V): V {
    const have = this.#values.get(key);
    if (have !== undefined) return have;
    if (this.#values.size >= this.#max) this.#values = new Map();
    const value = make();
    this.#values.set(this.#copyKeys ? flatCopy(key) : key, value);
    return value;
  }
}
