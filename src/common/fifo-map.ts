/**
 * A Map whose oldest entry can be found and removed in O(1), for the
 * bounded tables that evict oldest-first (merge memory, nonce tables, rate
 * limits, the door).
 *
 * Why not `map.keys().next()` on a plain Map: V8 deletes a Map entry by
 * leaving a hole in its ordered table, removed only when the table is
 * rehashed, and an iterator starts at the first slot and walks over every
 * hole. A table kept at its cap by "add one, delete the oldest" piles its
 * holes up at the front, so each eviction walks over all the earlier ones:
 * 28.5 µs per insert at 50,000 entries on this machine (0.6 µs at 1,000).
 * After an overload had filled the SIP edge's merge memory, every later
 * REGISTER paid that (issue 3: 178 → 234 µs of main-thread CPU each).
 *
 * Here the entries live in a Map (lookups) and their keys, oldest first, in
 * an array ring. `touch` (move to the newest end) and `delete` leave a stale
 * copy of the key in the ring, counted in `#stale` and skipped when it
 * reaches the front; the ring is rebuilt once stale copies outnumber the
 * live entries, so its length stays below 2 × size + 64 and every operation
 * is amortised O(1). Nothing here iterates the Map from its front.
 */
export class FifoMap<K, V> {
  readonly #map = new Map<K, V>();
  #ring: K[] = [];
  #head = 0;
  /** key → copies of it in the ring that are not its live position. */
  readonly #stale = new Map<K, number>();
  #staleCount = 0;

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Adds at the newest end, or replaces the value in place (as Map.set: the position is kept). */
  set(key: K, value: V): this {
    if (!this.#map.has(key)) this.#ring.push(key);
    this.#map.set(key, value);
    return this;
  }

  /** Sets and moves the entry to the newest end (a refresh: LRU order). */
  touch(key: K, value: V): this {
    if (this.#map.has(key)) {
      this.#markStale(key);
    }
    this.#ring.push(key);
    this.#map.set(key, value);
    this.#maybeCompact();
    return this;
  }

  delete(key: K): boolean {
    if (!this.#map.delete(key)) return false;
    this.#markStale(key);
    this.#maybeCompact();
    return true;
  }

  /** The oldest key, or undefined when empty. */
  oldestKey(): K | undefined {
    this.#skipStale();
    return this.#head < this.#ring.length ? this.#ring[this.#head] : undefined;
  }

  /** The oldest entry's value, or undefined when empty. */
  oldestValue(): V | undefined {
    const k = this.oldestKey();
    return k === undefined ? undefined : this.#map.get(k);
  }

  /** Removes the oldest entry and returns its key (undefined when empty). */
  shift(): K | undefined {
    const k = this.oldestKey();
    if (k === undefined) return undefined;
    this.#head++;
    this.#map.delete(k);
    this.#trimRing();
    return k;
  }

  #markStale(key: K): void {
    this.#stale.set(key, (this.#stale.get(key) ?? 0) + 1);
    this.#staleCount++;
  }

  #skipStale(): void {
    while (this.#head < this.#ring.length) {
      const k = this.#ring[this.#head] as K;
      const n = this.#stale.get(k);
      if (n === undefined) return;
      if (n === 1) this.#stale.delete(k);
      else this.#stale.set(k, n - 1);
      this.#staleCount--;
      this.#head++;
    }
    this.#trimRing();
  }

  /** Drops the consumed front of the ring once it is most of the array (amortised O(1)). */
  #trimRing(): void {
    if (this.#head === this.#ring.length) {
      this.#ring = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#ring.length) {
      this.#ring = this.#ring.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Rebuilds the ring with each live key once, at its newest position, when stale copies outnumber live entries. */
  #maybeCompact(): void {
    if (this.#staleCount <= this.#map.size + 64) return;
    const seen = new Set<K>();
    const out: K[] = [];
    for (let i = this.#ring.length - 1; i >= this.#head; i--) {
      const k = this.#ring[i] as K;
      if (seen.has(k) || !this.#map.has(k)) continue;
      seen.add(k);
      out.push(k);
    }
    out.reverse();
    this.#ring = out;
    this.#head = 0;
    this.#stale.clear();
    this.#staleCount = 0;
  }
}
