import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitHeaderValues } from '../../../../src/sip/transport/index.ts';

/** The model: the general scan at top-level commas (outside quotes and <>), without the one-value fast path. */
function model(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

test('splitHeaderValues agrees with the general scan, with and without commas', () => {
  const text = fc.string({ maxLength: 40, unit: fc.constantFrom(...'ab ;=\t,"\\<>@:'.split('')) });
  fc.assert(fc.property(text, (v) => assert.deepEqual(splitHeaderValues(v), model(v))), { numRuns: 2000 });
});

test('splitHeaderValues: one value, several, and commas inside quotes and <>', () => {
  assert.deepEqual(splitHeaderValues('  100rel '), ['100rel']);
  assert.deepEqual(splitHeaderValues('   '), []);
  assert.deepEqual(splitHeaderValues('timer, 100rel'), ['timer', '100rel']);
  assert.deepEqual(splitHeaderValues('"a, b" <sip:x@y;p=1,2>, <sip:z@w>'), ['"a, b" <sip:x@y;p=1,2>', '<sip:z@w>']);
});
