import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REGISTRAR_ERROR_CODES } from '../../../../src/sip/registrar/index.ts';

test('STYLE G6: every sip/registrar error code is listed in docs/registrar.md', () => {
  const doc = readFileSync(new URL('../../../../docs/registrar.md', import.meta.url), 'utf8');
  for (const code of REGISTRAR_ERROR_CODES) assert.match(doc, new RegExp(`\\| \`${code}\` \\|`), code);
});
