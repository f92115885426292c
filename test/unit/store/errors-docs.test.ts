import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { STORE_ERROR_CODES } from '../../../src/store/index.ts';

test('STYLE G6: every store error code is listed in docs/cdr.md', () => {
  const doc = readFileSync(new URL('../../../docs/cdr.md', import.meta.url), 'utf8');
  for (const code of STORE_ERROR_CODES) assert.match(doc, new RegExp(`\\| \`${code}\` \\|`), code);
});
