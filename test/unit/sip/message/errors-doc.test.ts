import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIP_MESSAGE_ERROR_CODES, SIP_PARSE_ERROR_STATUS } from '../../../../src/sip/message/index.ts';

test('G6: every sip/message error code is documented in docs/sip-message.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../../docs/sip-message.md'), 'utf8');
  for (const code of SIP_MESSAGE_ERROR_CODES) assert.ok(doc.includes(`| \`${code}\` |`), `${code} missing from the table`);
});

test('codes that map to a status other than 400 are known codes', () => {
  for (const code of Object.keys(SIP_PARSE_ERROR_STATUS)) assert.ok((SIP_MESSAGE_ERROR_CODES as readonly string[]).includes(code));
  assert.equal(new Set(SIP_MESSAGE_ERROR_CODES).size, SIP_MESSAGE_ERROR_CODES.length);
});
