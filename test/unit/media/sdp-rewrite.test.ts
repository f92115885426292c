import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSdp, rewriteForAnchor, SdpOriginState } from '../../../src/media/index.ts';

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';
const WEBRTCISH = crlf([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 0 8 101',
  'c=IN IP4 192.168.1.20',
  'c=IN IP4 192.168.1.21',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdef0123456789',
  'a=fingerprint:sha-256 AB:CD',
  'a=setup:actpass',
  'a=mid:0',
  'a=rtcp-mux',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR',
  'a=rtpmap:101 telephone-event/8000',
  'a=ptime:20',
  'a=sendrecv',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 192.168.1.20',
  'a=rtpmap:96 VP8/90000',
]);

test('rewrite: o=, c= and the audio port become the anchor; ICE, keys, rtcp and bundle lines are stripped', () => {
  const origin = new SdpOriginState('42');
  const r = rewriteForAnchor(WEBRTCISH, '203.0.113.1', 40000, origin);
  assert.ok(r.ok, JSON.stringify(r));
  const t = r.value.text;
  assert.match(t, /^v=0\r\no=belfry 42 1 IN IP4 203.0.113.1\r\n/);
  assert.match(t, /m=audio 40000 RTP\/AVPF 0 8 101\r\nc=IN IP4 203.0.113.1\r\na=rtpmap/);
  assert.equal((t.match(/c=/g) ?? []).length, 2, 'one c= per level');
  assert.match(t, /m=video 0 UDP\/TLS\/RTP\/SAVPF 96/);
  for (const gone of ['a=rtcp', 'a=candidate', 'a=ice-', 'a=fingerprint', 'a=setup', 'a=crypto', 'a=group', 'a=mid', '192.168.1.2']) {
    assert.equal(t.includes(gone), false, gone);
  }
  for (const kept of ['a=rtpmap:101 telephone-event/8000', 'a=ptime:20', 'a=sendrecv']) assert.ok(t.includes(kept), kept);
  assert.equal(r.value.anchoredMediaIndex, 0);
  assert.equal(parseSdp(t).ok, true);
});

test('rewrite: version increments only when the result changes', () => {
  const origin = new SdpOriginState('42');
  const v = (t: string) => /o=belfry 42 (\d+) /.exec(t)?.[1];
  const r1 = rewriteForAnchor(WEBRTCISH, '203.0.113.1', 40000, origin);
  const r2 = rewriteForAnchor(WEBRTCISH, '203.0.113.1', 40000, origin);
  const r3 = rewriteForAnchor(WEBRTCISH.replace('a=sendrecv', 'a=sendonly'), '203.0.113.1', 40000, origin);
  assert.ok(r1.ok && r2.ok && r3.ok);
  assert.deepEqual([v(r1.value.text), v(r2.value.text), v(r3.value.text)], ['1', '1', '2']);
});

test('rewrite: old-style hold c=0.0.0.0 is carried through', () => {
  const sdp = crlf(['v=0', 'o=a 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 4000 RTP/AVP 0']);
  const r = rewriteForAnchor(sdp, '203.0.113.1', 40000, new SdpOriginState('1'));
  assert.ok(r.ok);
  assert.match(r.value.text, /c=IN IP4 0\.0\.0\.0\r\n/);
  assert.match(r.value.text, /m=audio 40000 RTP\/AVP 0/);
});

test('rewrite: an IPv6 anchor writes IN IP6', () => {
  const sdp = crlf(['v=0', 'o=a 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0']);
  const r = rewriteForAnchor(sdp, '2001:db8::5', 40000, new SdpOriginState('1'));
  assert.ok(r.ok);
  assert.match(r.value.text, /c=IN IP6 2001:db8::5\r\n/);
  assert.match(r.value.text, /o=belfry 1 1 IN IP6 2001:db8::5\r\n/);
});

test('rewrite: invalid SDP or no audio returns an error result', () => {
  const bad = rewriteForAnchor('garbage', '203.0.113.1', 40000, new SdpOriginState('1'));
  assert.equal(bad.ok, false);
  const noAudio = rewriteForAnchor(crlf(['v=0', 'o=a 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 0 RTP/AVP 0']), '203.0.113.1', 40000, new SdpOriginState('1'));
  assert.equal(noAudio.ok, false);
  if (!noAudio.ok) assert.equal(noAudio.error.code, 'SDP_NO_AUDIO');
});
