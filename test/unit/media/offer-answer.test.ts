import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerOffer, createOffer, parseSdp, readAnswer, sdpErrorStatus, SdpOriginState, type LocalCapabilities } from '../../../src/media/index.ts';

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';
const CAPS: LocalCapabilities = { codecs: ['PCMU', 'PCMA'], telephoneEvent: true };

function offer(mline: string, extra: string[] = [], c = 'c=IN IP4 192.0.2.10'): string {
  return crlf(['v=0', 'o=alice 1 1 IN IP4 192.0.2.10', 's=-', c, 't=0 0', mline, ...extra]);
}

test("RFC 3264 §6.1: the answer picks the first codec in the offerer's order among PCMU/PCMA", () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 18 8 0 101', ['a=rtpmap:101 telephone-event/8000']), CAPS, '198.51.100.1', 30000);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.negotiated, { codec: 'PCMA', payloadType: 8, telephoneEventPt: 101 });
  const a = parseSdp(r.value.text);
  assert.ok(a.ok, JSON.stringify(a));
  const m = a.value.media[0];
  assert.ok(m);
  assert.deepEqual(m.formats, ['8', '101']);
  assert.equal(m.port, 30000);
  assert.equal(a.value.connections[0]?.address, '198.51.100.1');
  assert.deepEqual(r.value.remote, { address: '192.0.2.10', port: 4000, rtcpPort: 4001, direction: 'sendrecv', onHold: false, ptime: undefined });
});

test("RFC 4733: telephone-event keeps the offerer's dynamic PT", () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 0 96', ['a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-16']), CAPS, '198.51.100.1', 30000);
  assert.ok(r.ok);
  assert.equal(r.value.negotiated.telephoneEventPt, 96);
  assert.match(r.value.text, /a=rtpmap:96 telephone-event\/8000/);
});

test('answer: our codec list restricts the choice (PCMA only)', () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 0 8'), { codecs: ['PCMA'], telephoneEvent: false }, '198.51.100.1', 30000);
  assert.ok(r.ok);
  assert.equal(r.value.negotiated.codec, 'PCMA');
  assert.equal(r.value.negotiated.telephoneEventPt, undefined);
});

test('answer: a dynamic PT named PCMU in rtpmap counts as PCMU', () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 97', ['a=rtpmap:97 pcmu/8000']), CAPS, '198.51.100.1', 30000);
  assert.ok(r.ok);
  assert.deepEqual(r.value.negotiated, { codec: 'PCMU', payloadType: 97 });
});

test('answer: no common codec is SDP_NO_COMMON_CODEC → 488', () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 18 9'), CAPS, '198.51.100.1', 30000);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'SDP_NO_COMMON_CODEC');
    assert.equal(sdpErrorStatus(r.error.code), 488);
  }
});

test('answer: video only, or SRTP only, is SDP_NO_AUDIO', () => {
  for (const m of ['m=video 4000 RTP/AVP 96', 'm=audio 4000 RTP/SAVP 0', 'm=audio 0 RTP/AVP 0']) {
    const r = answerOffer(offer(m, m.includes('96') ? ['a=rtpmap:96 H264/90000'] : []), CAPS, '198.51.100.1', 30000);
    assert.equal(r.ok, false, m);
    if (!r.ok) assert.equal(r.error.code, 'SDP_NO_AUDIO');
  }
});

test('RFC 3264 §6: other streams are rejected with port 0 and the m= count is kept', () => {
  const r = answerOffer(
    offer('m=audio 4000 RTP/AVP 0', ['m=video 4002 RTP/AVP 96', 'a=rtpmap:96 H264/90000']),
    CAPS,
    '198.51.100.1',
    30000,
  );
  assert.ok(r.ok);
  const a = parseSdp(r.value.text);
  assert.ok(a.ok);
  assert.equal(a.value.media.length, 2);
  assert.equal(a.value.media[1]?.port, 0);
  assert.equal(a.value.media[1]?.type, 'video');
});

test('answer: ptime is mirrored, 20 ms otherwise', () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 0', ['a=ptime:30']), CAPS, '198.51.100.1', 30000);
  assert.ok(r.ok);
  assert.match(r.value.text, /a=ptime:30\r\n/);
  const r2 = answerOffer(offer('m=audio 4000 RTP/AVP 0'), CAPS, '198.51.100.1', 30000);
  assert.ok(r2.ok);
  assert.match(r2.value.text, /a=ptime:20\r\n/);
});

test('RFC 3264 §6.1 / §8.4: direction answers (sendonly→recvonly, recvonly→sendonly, inactive→inactive)', () => {
  const cases: [string, string, boolean][] = [
    ['sendrecv', 'sendrecv', false],
    ['sendonly', 'recvonly', true],
    ['recvonly', 'sendonly', false],
    ['inactive', 'inactive', true],
  ];
  for (const [offered, answered, hold] of cases) {
    const r = answerOffer(offer('m=audio 4000 RTP/AVP 0', [`a=${offered}`]), CAPS, '198.51.100.1', 30000);
    assert.ok(r.ok);
    assert.equal(r.value.localDirection, answered, offered);
    assert.equal(r.value.remote.onHold, hold, offered);
    assert.match(r.value.text, new RegExp(`a=${answered}\\r\\n`));
  }
});

test('RFC 3264 §8.4: old-style hold c=0.0.0.0 gives no remote address and a recvonly answer', () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 0', [], 'c=IN IP4 0.0.0.0'), CAPS, '198.51.100.1', 30000);
  assert.ok(r.ok);
  assert.equal(r.value.remote.address, undefined);
  assert.equal(r.value.remote.onHold, true);
  assert.equal(r.value.localDirection, 'recvonly');
});

test('answer: local hold turns sendrecv into sendonly', () => {
  const r = answerOffer(offer('m=audio 4000 RTP/AVP 0'), CAPS, '198.51.100.1', 30000, { localHold: true });
  assert.ok(r.ok);
  assert.equal(r.value.localDirection, 'sendonly');
});

test('answer over IPv6: c= and o= use IN IP6 (RFC 5118 §4.6)', () => {
  const r = answerOffer(crlf(['v=0', 'o=a 1 1 IN IP6 2001:db8::1', 's=-', 'c=IN IP6 2001:db8::1', 't=0 0', 'm=audio 4000 RTP/AVP 0']), CAPS, '2001:db8::99', 30000);
  assert.ok(r.ok);
  assert.match(r.value.text, /c=IN IP6 2001:db8::99\r\n/);
  assert.match(r.value.text, /o=belfry 1 1 IN IP6 2001:db8::99\r\n/);
  assert.equal(r.value.remote.address, '2001:db8::1');
});

test('RFC 3264 §8: the o= version stays for an identical answer and increments on change', () => {
  const origin = new SdpOriginState('777');
  const o = offer('m=audio 4000 RTP/AVP 0');
  const v = (t: string) => /o=belfry 777 (\d+) /.exec(t)?.[1];
  const r1 = answerOffer(o, CAPS, '198.51.100.1', 30000, { origin });
  const r2 = answerOffer(o, CAPS, '198.51.100.1', 30000, { origin });
  const r3 = answerOffer(o, CAPS, '198.51.100.1', 30000, { origin, localHold: true });
  assert.ok(r1.ok && r2.ok && r3.ok);
  assert.equal(v(r1.value.text), '1');
  assert.equal(v(r2.value.text), '1');
  assert.equal(v(r3.value.text), '2');
});

test('createOffer lists our codecs in order plus telephone-event, and its answer is read back', () => {
  const o = createOffer({ codecs: ['PCMA', 'PCMU'], telephoneEvent: true }, '198.51.100.1', 30002);
  const p = parseSdp(o.text);
  assert.ok(p.ok, JSON.stringify(p));
  assert.deepEqual(p.value.media[0]?.formats, ['8', '0', '101']);
  const answer = answerOffer(o.text, { codecs: ['PCMU'], telephoneEvent: true }, '203.0.113.7', 5000);
  assert.ok(answer.ok);
  const back = readAnswer(answer.value.text, CAPS);
  assert.ok(back.ok);
  assert.deepEqual(back.value.negotiated, { codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 });
  assert.equal(back.value.remote.address, '203.0.113.7');
  assert.equal(back.value.remote.port, 5000);
});

test('readAnswer: a rejected audio stream (port 0) is SDP_NO_AUDIO', () => {
  const r = readAnswer(offer('m=audio 0 RTP/AVP 0'), CAPS);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'SDP_NO_AUDIO');
});
