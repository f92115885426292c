import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InternPool } from '../../../src/common/index.ts';

test('one value per key, made once; past the bound the pool starts afresh', () => {
  const pool = new InternPool<{ k: string }>(2);
  let made = 0;
  const make = (k: string) => () => ({ k: `${k}${made++}` });
  const a = pool.get('a', make('a'));
  assert.equal(pool.get('a', make('a')), a);
  pool.get('b', make('b'));
  assert.equal(made, 2);
  pool.get('c', make('c')); // third distinct key: the pool starts again
  assert.notEqual(pool.get('a', make('a')), a);
  assert.equal(made, 4);
});

test('copyKeys pools equal strings under their own copy', () => {
  const pool = new InternPool<string>(10, { copyKeys: true });
  const text = 'User-Agent: Phone/1.0\r\n';
  const first = pool.get(text.slice(12, 21), () => 'Phone/1.0');
  assert.equal(pool.get('Phone/1.0', () => 'other'), first);
});
