import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AUTH_ERROR_CODES } from '../../../../src/sip/auth/index.ts';

test('STYLE G6: every sip/auth error code is listed in docs/auth.md', () => {
  const doc = readFileSync(new URL('../../../../docs/auth.md', import.meta.url), 'utf8');
  for (const code of AUTH_ERROR_CODES) assert.match(doc, new RegExp(`\\| \`${code}\` \\|`), code);
});
