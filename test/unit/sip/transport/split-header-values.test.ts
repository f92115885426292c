import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitHeaderValues } from '../../../../src/sip/transport/index.ts';

test('splitHeaderValues: a value without a comma is one trimmed value (or none); every part is a trimmed, non-empty piece of the input', () => {
  const text = fc.string({ maxLength: 40, unit: fc.constantFrom(...'ab ;=\t,"\\<>@:'.split('')) });
  fc.assert(
    fc.property(text, (v) => {
      const parts = splitHeaderValues(v);
      if (!v.includes(',')) assert.deepEqual(parts, v.trim() === '' ? [] : [v.trim()]);
      let from = 0;
      for (const p of parts) {
        assert.ok(p.length > 0 && p === p.trim());
        const at = v.indexOf(p, from);
        assert.ok(at >= from, 'parts come from the input in order');
        from = at + p.length;
      }
      // Commas at top level (no quotes or <> in the value) split it exactly.
      if (!/["<>\\]/.test(v)) assert.deepEqual(parts, v.split(',').map((x) => x.trim()).filter((x) => x !== ''));
    }),
    { numRuns: 2000 },
  );
});

test('splitHeaderValues: one value, several, and commas inside quotes and <>', () => {
  assert.deepEqual(splitHeaderValues('  100rel '), ['100rel']);
  assert.deepEqual(splitHeaderValues('   '), []);
  assert.deepEqual(splitHeaderValues('timer, 100rel'), ['timer', '100rel']);
  assert.deepEqual(splitHeaderValues('"a, b" <sip:x@y;p=1,2>, <sip:z@w>'), ['"a, b" <sip:x@y;p=1,2>', '<sip:z@w>']);
});
