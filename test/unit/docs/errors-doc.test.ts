/**
 * STYLE G6: every code in every module's error registry appears in
 * docs/errors.md (regenerate it with scripts/gen-error-docs.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_ERROR_CODES } from '../../../src/common/index.ts';
import { SETTINGS_ERROR_CODES } from '../../../src/settings/index.ts';
import { DIALPLAN_ERROR_CODES } from '../../../src/dialplan/index.ts';
import { API_ERROR_CODES } from '../../../src/api/index.ts';
import { RTP_ERROR_CODES } from '../../../src/rtp/index.ts';
import { MEDIA_ERROR_CODES } from '../../../src/media/index.ts';
import { STORE_ERROR_CODES } from '../../../src/store/index.ts';
import { TRUNK_MANAGER_ERROR_CODES } from '../../../src/engine/index.ts';
import { TRUNK_REGISTRATION_ERROR_CODES, AUTH_ERROR_CODES, FRAMER_ERROR_CODES, REGISTRAR_ERROR_CODES, SIP_MESSAGE_ERROR_CODES, SIP_TRANSPORT_ERROR_CODES, TRANSACTION_ERROR_CODES } from '../../../src/sip/index.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8');

const registries: Record<string, readonly string[]> = {
  common: COMMON_ERROR_CODES,
  settings: Object.keys(SETTINGS_ERROR_CODES),
  dialplan: DIALPLAN_ERROR_CODES,
  api: Object.keys(API_ERROR_CODES),
  rtp: RTP_ERROR_CODES,
  media: MEDIA_ERROR_CODES,
  store: STORE_ERROR_CODES,
  'sip/auth': AUTH_ERROR_CODES,
  'sip/framer': FRAMER_ERROR_CODES,
  'sip/registrar': REGISTRAR_ERROR_CODES,
  'sip/message': SIP_MESSAGE_ERROR_CODES,
  'sip/transport': SIP_TRANSPORT_ERROR_CODES,
  'sip/transaction': TRANSACTION_ERROR_CODES,
  'sip/leg (trunk registration)': Object.keys(TRUNK_REGISTRATION_ERROR_CODES),
  'engine (trunks)': Object.keys(TRUNK_MANAGER_ERROR_CODES),
};

for (const [module, codes] of Object.entries(registries)) {
  test(`docs/errors.md lists every ${module} error code`, () => {
    assert.ok(codes.length > 0);
    const missing = codes.filter((c) => !doc.includes(`\`${c}\``));
    assert.deepEqual(missing, [], `missing from docs/errors.md: ${missing.join(', ')}`);
  });
}
