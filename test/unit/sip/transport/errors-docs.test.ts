import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SIP_TRANSPORT_ERROR_CODES } from '../../../../src/sip/transport/index.ts';
import { FRAMER_ERROR_CODES } from '../../../../src/sip/message/framer.ts';

test('STYLE G6: every sip/transport and framer error code is listed in docs/sip-transport.md', () => {
  const doc = readFileSync(new URL('../../../../docs/sip-transport.md', import.meta.url), 'utf8');
  for (const code of [...SIP_TRANSPORT_ERROR_CODES, ...FRAMER_ERROR_CODES]) assert.match(doc, new RegExp(`\\| \`${code}\` \\|`), code);
});

test('STYLE G6: every SIP_EDGE_* code the edge policy can return is registered', () => {
  const src = readFileSync(new URL('../../../../src/sip/transport/sanity.ts', import.meta.url), 'utf8') + readFileSync(new URL('../../../../src/sip/stack-edge.ts', import.meta.url), 'utf8');
  const used = new Set(src.match(/'SIP_EDGE_[A-Z_]+'/g)?.map((s) => s.slice(1, -1)) ?? []);
  for (const code of used) assert.ok((SIP_TRANSPORT_ERROR_CODES as readonly string[]).includes(code), code);
});
