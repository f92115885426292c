/**
 * Corpus test (STYLE G10 layer 2): our own RFC 4475 / RFC 5118 category
 * cases in test/fixtures/sip/{torture,rfc5118}, each with the outcome its
 * manifest names (accept, or the exact error code).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSipMessage, DEFAULT_SIP_LIMITS, serializeSipMessage, SIP_MESSAGE_ERROR_CODES } from '../../../../src/sip/message/index.ts';

const root = join(import.meta.dirname, '../../../fixtures/sip');

for (const dir of ['torture', 'rfc5118']) {
  const rows = readFileSync(join(root, dir, 'manifest.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  test(`${dir}: the manifest lists every .sip file and covers every category`, () => {
    const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.sip')).sort();
    assert.deepEqual(rows.map((r) => r[0]).sort(), files);
    const cats = new Set(rows.map((r) => r[1]));
    const want = dir === 'torture' ? ['4475-3.1.1', '4475-3.1.2', '4475-3.2', '4475-3.3', '4475-3.4'] : ['5118-4.1', '5118-4.2', '5118-4.3', '5118-4.5', '5118-4.6', '5118-4.7', '5118-4.8', '5118-4.9', '5118-4.10'];
    for (const c of want) assert.ok(cats.has(c), `category ${c} has a case`);
  });
  for (const [file = '', category = '', expected = '', note = ''] of rows) {
    test(`${dir}/${file} (${category}): ${expected} — ${note}`, () => {
      const bytes = readFileSync(join(root, dir, file));
      assert.ok(bytes.includes('\r\n'), 'CRLF line ends');
      const r = parseSipMessage(bytes, DEFAULT_SIP_LIMITS);
      if (expected === 'accept') {
        if (!r.ok) assert.fail(`${r.error.code}: ${r.error.detail}`);
        // Accepted messages survive a serialize/parse round trip.
        const again = parseSipMessage(serializeSipMessage(r.message), DEFAULT_SIP_LIMITS);
        assert.ok(again.ok);
        assert.deepEqual(again.message.headers.filter((h) => h.name !== 'content-length'), r.message.headers.filter((h) => h.name !== 'content-length'));
      } else {
        assert.ok((SIP_MESSAGE_ERROR_CODES as readonly string[]).includes(expected), `manifest code ${expected} exists`);
        assert.equal(r.ok ? 'accept' : r.error.code, expected);
      }
    });
  }
}

test('torture details: folded values, trailing datagram bytes, binary body, IPv6 details', () => {
  const read = (d: string, f: string) => {
    const r = parseSipMessage(readFileSync(join(root, d, f)));
    if (!r.ok) assert.fail(r.error.detail);
    return r.message;
  };
  const folded = read('torture', 'valid-folded-compact.sip');
  assert.equal(folded.via.branch, 'z9hG4bKfold1');
  assert.equal(folded.from.displayName, 'Dave "D"');
  assert.equal(folded.from.tag, 'd77');
  assert.deepEqual(folded.cseq, { seq: 42, method: 'INVITE' });
  assert.equal(read('torture', 'valid-trailing-datagram.sip').body.toString(), 'hi');
  assert.deepEqual([...read('torture', 'valid-binary-body.sip').body], [0, 13, 10, 255, 0, 1]);
  const esc = read('torture', 'valid-escaped-uri.sip');
  assert.equal(esc.kind === 'request' && esc.requestUri?.user, 'eve\u0000n');
  const inside = read('rfc5118', 'port-inside.sip');
  assert.equal(inside.kind === 'request' && inside.requestUri?.port, undefined);
  const outside = read('rfc5118', 'port-outside.sip');
  assert.equal(outside.kind === 'request' && outside.requestUri?.port, 5070);
  assert.equal(read('rfc5118', 'via-received-plain.sip').via.received, '2001:db8:b::99');
  assert.equal(read('rfc5118', 'via-received-plain.sip').via.rport, 5062);
});
