/**
 * Refer-To and Replaces parsing for transfer (RFC 3515 §2.1, RFC 3891 §6.1):
 * the embedded Replaces is URI-decoded, to-tag/from-tag may come in any
 * order, and anything malformed is refused (undefined), never thrown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseReferTo, parseReplaces } from '../../../src/engine/transfer.ts';

test('Refer-To: a plain SIP URI in angle brackets names the target user (blind transfer)', () => {
  assert.deepEqual(parseReferTo('<sip:2003@pbx.example.com>'), { user: '2003', replaces: undefined });
  assert.deepEqual(parseReferTo('"Carol" <sip:2003@pbx.example.com;transport=udp>;x=1'), { user: '2003', replaces: undefined });
  assert.deepEqual(parseReferTo('sip:2003@pbx.example.com'), { user: '2003', replaces: undefined });
});

test('Refer-To: an escaped Replaces header in the URI names the dialog to replace (attended transfer)', () => {
  const r = parseReferTo('<sip:2003@pbx?Replaces=abc%40host%3Bto-tag%3D111%3Bfrom-tag%3D222>');
  assert.deepEqual(r, { user: '2003', replaces: { callId: 'abc@host', toTag: '111', fromTag: '222' } });
});

test('Replaces: tags in either order; a missing tag is refused', () => {
  assert.deepEqual(parseReplaces('x@y;from-tag=2;to-tag=1'), { callId: 'x@y', toTag: '1', fromTag: '2' });
  assert.deepEqual(parseReplaces('x@y; to-tag=1 ; from-tag=2;early-only'), { callId: 'x@y', toTag: '1', fromTag: '2' });
  assert.equal(parseReplaces('x@y;to-tag=1'), undefined);
  assert.equal(parseReplaces(';to-tag=1;from-tag=2'), undefined);
});

test('Refer-To: malformed values are refused, never thrown', () => {
  assert.equal(parseReferTo('<mailto:someone@example.com>'), undefined);
  assert.equal(parseReferTo('<sip:%E0%A4%A@x>'), undefined);
  assert.equal(parseReferTo('<sip:2003@x?Replaces=%E0%A4%A>'), undefined);
  assert.equal(parseReferTo('<sip:2003@x?Replaces=only-a-call-id>'), undefined);
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseReferTo(s);
      parseReplaces(s);
    }),
  );
});
