import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveMedia, parseSdp, sdpErrorStatus } from '../../../src/media/index.ts';

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

const OFFER = crlf([
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 8 0 97 101',
  'a=rtpmap:97 iLBC/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=rtcp:49171',
  'a=sendrecv',
]);

test('SDP: a plain audio offer parses with codecs, ptime, rtcp and direction', () => {
  const r = parseSdp(OFFER);
  assert.ok(r.ok, JSON.stringify(r));
  const sd = r.value;
  assert.equal(sd.origin.sessionId, '2890844526');
  assert.deepEqual(sd.connections, [{ addrType: 'IP4', address: '192.0.2.10' }]);
  const m = sd.media[0];
  assert.ok(m);
  assert.equal(m.port, 49170);
  assert.deepEqual(m.formats, ['8', '0', '97', '101']);
  assert.equal(m.ptime, 20);
  assert.equal(m.direction, 'sendrecv');
  assert.deepEqual(m.rtcp, { port: 49171 });
  assert.deepEqual(m.rtpmaps[1], { payloadType: 101, encoding: 'telephone-event', clockRate: 8000 });
  assert.deepEqual(m.fmtps, [{ payloadType: 101, config: '0-15' }]);
});

test('SDP: LF-only line ends are accepted', () => {
  assert.equal(parseSdp(OFFER.replace(/\r\n/g, '\n')).ok, true);
});

test('SDP RFC 5118 §4.6: IPv6 c= lines (IN IP6) are accepted', () => {
  const r = parseSdp(crlf(['v=0', 'o=bob 1 1 IN IP6 2001:db8::1', 's=-', 'c=IN IP6 2001:db8::1', 't=0 0', 'm=audio 5000 RTP/AVP 0']));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.connections[0], { addrType: 'IP6', address: '2001:db8::1' });
});

test('SDP: several c= lines at media level are kept; the session one is the default', () => {
  const r = parseSdp(
    crlf(['v=0', 'o=x 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 5000 RTP/AVP 0', 'c=IN IP4 198.51.100.1', 'c=IN IP6 2001:db8::2', 'm=audio 5002 RTP/AVP 8']),
  );
  assert.ok(r.ok, JSON.stringify(r));
  const [m1, m2] = r.value.media;
  assert.ok(m1 && m2);
  assert.equal(m1.connections.length, 2);
  assert.equal(effectiveMedia(r.value, m1).connection?.address, '198.51.100.1');
  assert.equal(effectiveMedia(r.value, m2).connection?.address, '192.0.2.1');
});

test('SDP hold: a=sendonly and old-style c=0.0.0.0 are recognised (RFC 3264 §8.4)', () => {
  const r = parseSdp(OFFER.replace('c=IN IP4 192.0.2.10', 'c=IN IP4 0.0.0.0').replace('a=sendrecv', 'a=sendonly'));
  assert.ok(r.ok);
  const m = r.value.media[0];
  assert.ok(m);
  const eff = effectiveMedia(r.value, m);
  assert.equal(eff.holdByZeroAddress, true);
  assert.equal(eff.direction, 'sendonly');
});

const BAD: [string, string, string][] = [
  ['empty body', '', 'SDP_MISSING_VERSION'],
  ['garbage text', 'hello world\r\n', 'SDP_BAD_LINE'],
  ['binary garbage', '\u0000\u0001\u0002', 'SDP_BAD_LINE'],
  ['v= not first', OFFER.replace('v=0\r\n', '') + 'v=0\r\n', 'SDP_MISSING_VERSION'],
  ['v=1', OFFER.replace('v=0', 'v=1'), 'SDP_BAD_VERSION'],
  ['missing o=', OFFER.replace(/o=.*\r\n/, ''), 'SDP_MISSING_ORIGIN'],
  ['o= with 5 fields', OFFER.replace('o=alice 2890844526 2890844526 IN IP4 192.0.2.10', 'o=alice 1 IN IP4 192.0.2.10'), 'SDP_BAD_ORIGIN'],
  ['o= with a non-numeric id', OFFER.replace('o=alice 2890844526', 'o=alice abc'), 'SDP_BAD_ORIGIN'],
  ['missing s=', OFFER.replace('s=-\r\n', ''), 'SDP_MISSING_SESSION_NAME'],
  ['missing c= everywhere', OFFER.replace('c=IN IP4 192.0.2.10\r\n', ''), 'SDP_MISSING_CONNECTION'],
  ['c= with a bad IPv4 address', OFFER.replace('c=IN IP4 192.0.2.10', 'c=IN IP4 999.1.1.1'), 'SDP_BAD_CONNECTION'],
  ['c= IP6 with an IPv4 address', OFFER.replace('c=IN IP4 192.0.2.10', 'c=IN IP6 192.0.2.10'), 'SDP_BAD_CONNECTION'],
  ['c= with a hostname', OFFER.replace('c=IN IP4 192.0.2.10', 'c=IN IP4 example.com'), 'SDP_BAD_CONNECTION'],
  ['m= without formats', OFFER.replace('m=audio 49170 RTP/AVP 8 0 97 101', 'm=audio 49170 RTP/AVP'), 'SDP_BAD_MEDIA'],
  ['m= with a bad port', OFFER.replace('m=audio 49170', 'm=audio 99999'), 'SDP_BAD_MEDIA'],
  ['m= with a non-numeric PT', OFFER.replace('RTP/AVP 8 0 97 101', 'RTP/AVP 8 x'), 'SDP_BAD_MEDIA'],
  ['m= with PT 128', OFFER.replace('RTP/AVP 8 0 97 101', 'RTP/AVP 128'), 'SDP_BAD_MEDIA'],
  ['dynamic PT without rtpmap', OFFER.replace('a=rtpmap:97 iLBC/8000\r\n', ''), 'SDP_MISSING_RTPMAP'],
  ['uppercase line type', OFFER.replace('s=-', 'S=-'), 'SDP_BAD_LINE'],
];

for (const [name, text, code] of BAD) {
  test(`SDP rejects ${name} with ${code}`, () => {
    const r = parseSdp(text);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, code);
      assert.equal(sdpErrorStatus(r.error.code), 400);
    }
  });
}

test('SDP: a body over the size limit is SDP_TOO_LARGE', () => {
  const r = parseSdp(OFFER + 'a=x:' + 'y'.repeat(20000) + '\r\n');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'SDP_TOO_LARGE');
});

test('SDP: errors carry the 1-based line number', () => {
  const r = parseSdp(OFFER.replace('c=IN IP4 192.0.2.10', 'c=IN IP4 nope'));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.line, 4);
});
