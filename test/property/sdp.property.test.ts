import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { answerOffer, parseSdp, rewriteForAnchor, SdpOriginState } from '../../src/media/index.ts';

const VALID = ['v=0', 'o=a 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv'];

test('SDP parse, answer and rewrite never throw on arbitrary text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      const r = parseSdp(s);
      assert.equal(typeof r.ok, 'boolean');
      answerOffer(s, { codecs: ['PCMU'], telephoneEvent: true }, '203.0.113.1', 40000);
      rewriteForAnchor(s, '203.0.113.1', 40000, new SdpOriginState('1'));
    }),
    { numRuns: 1000 },
  );
});

test('SDP parse never throws on valid bodies with one line replaced by random text', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: VALID.length - 1 }), fc.string({ maxLength: 80 }), (i, junk) => {
      const lines = [...VALID];
      lines[i] = (lines[i] ?? '').slice(0, 2) + junk;
      const text = lines.join('\r\n') + '\r\n';
      const r = parseSdp(text);
      if (r.ok) {
        const a = answerOffer(r.value, { codecs: ['PCMU', 'PCMA'], telephoneEvent: true }, '203.0.113.1', 40000);
        if (a.ok) assert.equal(parseSdp(a.value.text).ok, true, 'our answer is valid SDP');
      }
    }),
    { numRuns: 2000 },
  );
});
