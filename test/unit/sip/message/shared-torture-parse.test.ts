/**
 * RFC 4475 / RFC 5118 messages from /work/shared/sip-torture, read in place
 * (never copied). Checks each at the *parser* level; the transport helper
 * runs them against the live switch. Mapping of the manifest `check` column:
 *
 *   ACCEPT, ACCEPT_UNKNOWN_METHOD, DBLREQ, COMPAT_2543, SCHEME_416*, EXT_420,
 *   MEDIA_415, REG_*, NOT_ACCEPTABLE_406, DROP (valid responses)  → ok
 *   CLERR                     → SIP_PARSE_BODY_SHORT, respondable
 *   FRAMING_ERROR             → SIP_PARSE_CONTENT_LENGTH, respondable
 *   VERSION_505               → SIP_PARSE_BAD_VERSION, respondable with partial
 *   REJECT_400, MISMATCH02    → a respondable error
 *   DROP (invalid responses)  → an error that is not respondable
 *   REJECT_OR_LIBERAL         → ok, or a respondable error
 *   SKIP                      → not run (test.dat)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSipMessage, DEFAULT_SIP_LIMITS, type ParseResult } from '../../../../src/sip/message/index.ts';

const ROOT = '/work/shared/sip-torture';
const OK_CHECKS = new Set(['ACCEPT', 'ACCEPT_UNKNOWN_METHOD', 'DBLREQ', 'COMPAT_2543', 'SCHEME_416', 'SCHEME_416_OR_404', 'EXT_420', 'MEDIA_415', 'REG_400_AOR', 'REG_UNKNOWN_AUTH', 'REG_CPARAM01', 'REG_CPARAM02', 'REG_REGESCRT', 'NOT_ACCEPTABLE_406']);

function respondable(r: ParseResult): boolean {
  return !r.ok && r.error.partial?.respondable === true;
}

if (!existsSync(ROOT)) {
  test('shared torture corpus', { skip: `${ROOT} is absent` }, () => {});
  console.log(`# note: ${ROOT} is absent; shared torture parse tests skipped`);
} else {
  for (const dir of ['rfc4475', 'rfc5118']) {
    const lines = readFileSync(join(ROOT, dir, 'manifest.tsv'), 'utf8').trim().split('\n');
    const head = (lines[0] ?? '').split('\t');
    const col = (name: string) => head.indexOf(name);
    for (const line of lines.slice(1)) {
      const f = line.split('\t');
      const file = f[col('file')] ?? '';
      const check = f[col('check')] ?? '';
      const validity = f[col('validity')] ?? '';
      const kind = f[col('kind')] ?? '';
      if (check === 'SKIP') continue;
      test(`${dir}/${file}: ${validity} ${check}`, () => {
        const r = parseSipMessage(readFileSync(join(ROOT, dir, file)), DEFAULT_SIP_LIMITS);
        const got = r.ok ? 'ok' : `${r.error.code} (${r.error.detail}) respondable=${r.error.partial?.respondable}`;
        if (OK_CHECKS.has(check) || (check === 'DROP' && validity === 'valid')) {
          assert.equal(got, 'ok');
        } else if (check === 'CLERR') {
          assert.ok(!r.ok && r.error.code === 'SIP_PARSE_BODY_SHORT' && respondable(r), got);
        } else if (check === 'FRAMING_ERROR') {
          assert.ok(!r.ok && r.error.code === 'SIP_PARSE_CONTENT_LENGTH' && respondable(r), got);
        } else if (check === 'VERSION_505') {
          assert.ok(!r.ok && r.error.code === 'SIP_PARSE_BAD_VERSION' && respondable(r), got);
          assert.ok(!r.ok && r.error.partial?.via !== undefined && r.error.partial.callId !== undefined, 'partial has Via and Call-ID for the 505');
        } else if (check === 'REJECT_400' || check === 'MISMATCH02') {
          assert.ok(respondable(r), got);
        } else if (check === 'DROP') {
          assert.equal(kind, 'response');
          assert.ok(!r.ok && !respondable(r), got);
        } else if (check === 'REJECT_OR_LIBERAL') {
          assert.ok(r.ok || respondable(r), got);
        } else {
          assert.fail(`unmapped manifest check ${check}`);
        }
      });
    }
  }
}
