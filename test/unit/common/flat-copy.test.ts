import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { detachedCopy, flatCopy } from '../../../src/common/index.ts';

test('detachedCopy returns an equal string for any string, lone surrogates included', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => assert.equal(detachedCopy(s), s)));
  assert.equal(detachedCopy(''), '');
  assert.equal(detachedCopy('\ud800x'), '\ud800x');
});

test('copies of short slices do not keep their large parent strings alive', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // 40 parents of 1 MB each; a copy of a 40-character slice of each is kept.
  const measure = (copy: (s: string) => string): number => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: string[] = [];
    for (let i = 0; i < 40; i++) {
      // A sequential string on the heap (a Buffer's text would be external memory).
      const parent = (String.fromCharCode(0x41 + (i % 26)).repeat(1 << 20) + i).slice(1);
      kept.push(copy(`${parent.slice(100, 120)}\u0000${parent.slice(5000, 5020)}`));
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(kept.length, 40);
    return grown;
  };
  // The control: slices themselves keep every parent (40 MB).
  assert.ok(measure((s) => s) > 30 * (1 << 20), 'the control should retain the parents');
  assert.ok(measure(detachedCopy) < 4 * (1 << 20));
  assert.ok(measure(flatCopy) < 4 * (1 << 20));
});
