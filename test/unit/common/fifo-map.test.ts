import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FifoMap } from '../../../src/common/index.ts';

type Op = { op: 'set' | 'touch' | 'delete'; key: number; value: number } | { op: 'shift' | 'oldest' };

/** The reference: an array of [key, value], oldest first, searched linearly. */
class Model {
  items: Array<[number, number]> = [];
  set(k: number, v: number): void {
    const i = this.items.findIndex(([x]) => x === k);
    if (i >= 0) (this.items[i] as [number, number])[1] = v;
    else this.items.push([k, v]);
  }
  touch(k: number, v: number): void {
    this.items = this.items.filter(([x]) => x !== k);
    this.items.push([k, v]);
  }
  delete(k: number): boolean {
    const n = this.items.length;
    this.items = this.items.filter(([x]) => x !== k);
    return this.items.length !== n;
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('set' as const, 'touch' as const, 'delete' as const), key: fc.integer({ min: 0, max: 30 }), value: fc.integer() }),
  fc.record({ op: fc.constantFrom('shift' as const, 'oldest' as const) }),
);

test('FifoMap behaves like an insertion-ordered list under any sequence of set, touch, delete and shift', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
      const m = new FifoMap<number, number>();
      const ref = new Model();
      for (const o of ops) {
        if (o.op === 'set') (m.set(o.key, o.value), ref.set(o.key, o.value));
        else if (o.op === 'touch') (m.touch(o.key, o.value), ref.touch(o.key, o.value));
        else if (o.op === 'delete') assert.equal(m.delete(o.key), ref.delete(o.key));
        else if (o.op === 'shift') assert.equal(m.shift(), ref.items.shift()?.[0]);
        else {
          assert.equal(m.oldestKey(), ref.items[0]?.[0]);
          assert.equal(m.oldestValue(), ref.items[0]?.[1]);
        }
        assert.equal(m.size, ref.items.length);
      }
      // Draining gives every live entry, oldest first, with its value.
      const drained: Array<[number, number | undefined]> = [];
      for (let k = m.oldestKey(); k !== undefined; k = m.oldestKey()) {
        drained.push([k, m.get(k)]);
        m.shift();
      }
      assert.deepEqual(drained, ref.items);
    }),
    { numRuns: 300 },
  );
});

test('FifoMap: evicting the oldest at a 50,000-entry cap does not slow down with the evictions (no walk over deleted slots)', () => {
  // The plain-Map pattern this replaces walked every earlier deletion: O(evictions) per eviction.
  // Counted in operations, not time: the ring's consumed front is bounded by the trims.
  const m = new FifoMap<string, number>();
  for (let i = 0; i < 50_000; i++) m.set(`k${i}`, i);
  for (let i = 50_000; i < 250_000; i++) {
    m.set(`k${i}`, i);
    assert.equal(m.shift(), `k${i - 50_000}`);
  }
  assert.equal(m.size, 50_000);
  assert.equal(m.oldestKey(), 'k200000');
});

test('FifoMap: after many touches and deletes without evictions, draining gives each live key once', () => {
  const m = new FifoMap<number, number>();
  for (let i = 0; i < 100; i++) m.set(i, i);
  for (let r = 0; r < 10_000; r++) {
    m.touch(r % 100, r);
    if (r % 7 === 0) (m.delete((r * 13) % 100), m.set((r * 13) % 100, r));
  }
  const keys: number[] = [];
  for (let k = m.shift(); k !== undefined; k = m.shift()) keys.push(k);
  assert.equal(keys.length, 100);
  assert.equal(new Set(keys).size, 100);
});
