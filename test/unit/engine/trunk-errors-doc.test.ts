/** STYLE G6: every trunk error code is documented in docs/trunks.md (which feeds docs/errors.md). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRUNK_MANAGER_ERROR_CODES } from '../../../src/engine/index.ts';
import { TRUNK_REGISTRATION_ERROR_CODES } from '../../../src/sip/index.ts';

test('docs/trunks.md lists every trunk registration and trunk manager code', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'trunks.md'), 'utf8');
  const codes = [...Object.keys(TRUNK_REGISTRATION_ERROR_CODES), ...Object.keys(TRUNK_MANAGER_ERROR_CODES)];
  const missing = codes.filter((c) => !doc.includes(`| \`${c}\` |`));
  assert.deepEqual(missing, []);
});
