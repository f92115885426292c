/**
 * Whatever the parser accepts, the stack must be able to answer: building a
 * response (the automatic 100 Trying, a 400, a challenge) from an accepted
 * request never throws. A flood of mutated datagrams once found a CR inside
 * a From value that passed the parser and made the 100 Trying builder throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createResponse, DEFAULT_SIP_LIMITS, parseSipMessage, serializeSipMessage } from '../../src/sip/index.ts';

const BASE =
  'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport\r\n' +
  'Max-Forwards: 70\r\nTo: "Bob" <sip:bob@example.com>\r\nFrom: "Alice" <sip:alice@example.com>;tag=1928301774\r\n' +
  'Call-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@192.0.2.1>\r\n' +
  'Timestamp: 54\r\nContent-Length: 0\r\n\r\n';

const nasty = fc.constantFrom('\r', '\n', '\0', '\t', ' ', ':', ';', ',', '"', '<', '>', '\\', '\u00ff', '\r\n ', '\r\n\t');

test('an accepted request can always be answered: createResponse + serialize never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(BASE.length - 4), nasty), { minLength: 1, maxLength: 4 }), (edits) => {
      let text = BASE;
      for (const [at, s] of edits) text = text.slice(0, at) + s + text.slice(at);
      const p = parseSipMessage(Buffer.from(text, 'latin1'), DEFAULT_SIP_LIMITS);
      if (!p.ok || p.message.kind !== 'request') return;
      for (const status of [100, 180, 400, 407]) {
        const r = createResponse(p.message, status, undefined, { toTag: 'x1' });
        assert.ok(serializeSipMessage(r).length > 0);
      }
    }),
    { numRuns: 5000 },
  );
});
