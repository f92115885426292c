/**
 * parse.ts reads plain a= lines itself (attributes.ts) and falls back to
 * sdp-transform for anything else: both paths must give the same result,
 * error or value, on plain bodies and on bodies with odd attribute lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_SDP_LIMITS, parseSdpWith } from '../../src/media/sdp/parse.ts';
import { emptyAttributeBag, readAttributeFast } from '../../src/media/sdp/attributes.ts';

const num = fc.oneof(
  fc.constantFrom('0', '8', '18', '96', '101', '127', '128', '8000', '20', '30', '00', '08', '', '65535', '65536', '99999999999', '1.5', '20.0'),
  fc.nat({ max: 70000 }).map(String),
);
const word = fc.oneof(fc.constantFrom('PCMU', 'PCMA', 'telephone-event', 'G729', 'opus', 'iLBC', 'x.y', 'a_b', '', '0', '15', 'NaN', 'Infinity', '1e3'), fc.string({ maxLength: 8 }));
const junk = fc.oneof(fc.constantFrom(' ', '  ', '\t', '/', ' x', 'x', '\u00a0', ';', ''), fc.string({ maxLength: 4 }));

const attribute: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(num, word, num, fc.option(num, { nil: undefined })).map(([pt, c, r, ch]) => `rtpmap:${pt} ${c}/${r}${ch === undefined ? '' : `/${ch}`}`),
  fc.tuple(num, word, num, junk).map(([pt, c, r, j]) => `rtpmap:${pt} ${c}/${r}${j}`),
  fc.tuple(num, fc.constantFrom('0-16', '0-15', 'annexb=no', 'mode=30', 'a=b; c=d', '', 'x|y', 'x\ty', 'é', '15', 'NaN', '0')).map(([pt, cfg]) => `fmtp:${pt} ${cfg}`),
  fc.tuple(fc.constantFrom('ptime', 'maxptime'), num, junk).map(([k, v, j]) => `${k}:${v}${j}`),
  fc.tuple(fc.constantFrom('sendrecv', 'sendonly', 'recvonly', 'inactive'), fc.constantFrom('', '', '', 'x', ' ', ':1')).map(([d, j]) => `${d}${j}`),
  fc.tuple(num, fc.constantFrom('', ' IN IP4 192.0.2.9', ' IN IP6 ::1', ' IN IP4 ', ' IN IP9 x', ' x', ' IN IP4 a b', ' IN IP4 7', ' IN IP4 NaN')).map(([p, rest]) => `rtcp:${p}${rest}`),
  fc.constantFrom('rtcp-mux', 'rtcp-fb:* nack', 'mid:0', 'msid:a b', 'silenceSupp:off - - - -', 'X-foo', '', 'ptime', 'rtpmap', 'fmtp:'),
  fc.string({ maxLength: 20 }).filter((s) => !/[\r\n\u2028\u2029]/.test(s)),
);

const body = fc.record({
  session: fc.array(attribute, { maxLength: 2 }),
  media: fc.array(
    fc.record({
      port: fc.constantFrom(0, 4000, 49170),
      formats: fc.constantFrom('0', '0 8 101', '8 101', '96', '0 18', 'x'),
      proto: fc.constantFrom('RTP/AVP', 'RTP/SAVP', 'udp'),
      attrs: fc.array(attribute, { maxLength: 6 }),
    }),
    { minLength: 0, maxLength: 3 },
  ),
});

function text(b: { session: readonly string[]; media: readonly { port: number; formats: string; proto: string; attrs: readonly string[] }[] }): string {
  const lines = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];
  for (const a of b.session) lines.push(`a=${a}`);
  for (const m of b.media) {
    lines.push(`m=audio ${m.port} ${m.proto} ${m.formats}`);
    for (const a of m.attrs) lines.push(`a=${a}`);
  }
  return lines.join('\r\n') + '\r\n';
}

test('SDP: reading plain attributes directly gives what sdp-transform gives (values and errors)', () => {
  fc.assert(
    fc.property(body, (b) => {
      const t = text(b);
      assert.deepStrictEqual(parseSdpWith(t, DEFAULT_SDP_LIMITS, true), parseSdpWith(t, DEFAULT_SDP_LIMITS, false));
    }),
    { numRuns: Number(process.env.SDP_FAST_RUNS ?? 5000) },
  );
});

test('SDP: a second a=rtcp without an address keeps the first one\'s address, as sdp-transform does', () => {
  const t = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:30 IN IP6 ::1\r\na=rtcp:1\r\n';
  const fast = parseSdpWith(t, DEFAULT_SDP_LIMITS, true);
  assert.deepStrictEqual(fast, parseSdpWith(t, DEFAULT_SDP_LIMITS, false));
  assert.ok(fast.ok);
  assert.deepStrictEqual(fast.value.media[0]?.rtcp, { port: 1, address: '::1' });
});

test('SDP: both paths agree on valid bodies with one line replaced by random text', () => {
  const valid = ['v=0', 'o=a 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv'];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.string({ maxLength: 40 }), (i, junkText) => {
      const lines = [...valid];
      lines[i] = (lines[i] ?? '').slice(0, 2) + junkText;
      const t = lines.join('\r\n') + '\r\n';
      assert.deepStrictEqual(parseSdpWith(t, DEFAULT_SDP_LIMITS, true), parseSdpWith(t, DEFAULT_SDP_LIMITS, false));
    }),
    { numRuns: 3000 },
  );
});

test('SDP: the bodies phones and belfry write take the fast path', () => {
  for (const a of ['rtpmap:0 PCMU/8000', 'rtpmap:8 PCMA/8000/1', 'rtpmap:101 telephone-event/8000', 'fmtp:101 0-16', 'fmtp:18 annexb=no', 'ptime:20', 'maxptime:150', 'sendrecv', 'recvonly', 'sendonly', 'inactive', 'rtcp:4001', 'rtcp:4001 IN IP4 192.0.2.1', 'rtcp-mux', 'silenceSupp:off - - - -']) {
    assert.equal(readAttributeFast(a, emptyAttributeBag()), true, a);
  }
  for (const a of ['rtpmap:08 PCMA/8000', 'rtpmap:0 PCMU/8000 ', 'ptime:20.5', 'sendrecvx', 'rtcp:0', 'fmtp:101 a\tb']) {
    assert.equal(readAttributeFast(a, emptyAttributeBag()), false, a);
  }
});
