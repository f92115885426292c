import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipMessage, DEFAULT_SIP_LIMITS, headerValue, headerValues, type ParseResult } from '../../../../src/sip/message/index.ts';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
const CORE = [
  'Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds8',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'To: <sip:bob@example.com>',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 OPTIONS',
  'Max-Forwards: 70',
];
const opts = (extra: string[] = [], body = '') => crlf(['OPTIONS sip:bob@example.com SIP/2.0', ...CORE, ...extra, '', body]);

function errOf(r: ParseResult) {
  assert.equal(r.ok, false, 'expected an error');
  if (r.ok) throw new Error('unreachable');
  return r.error;
}
function msgOf(r: ParseResult) {
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.detail}`);
  return r.message;
}

test('§7.1: a minimal request parses with core fields', () => {
  const m = msgOf(parseSipMessage(opts(['Content-Length: 0']), DEFAULT_SIP_LIMITS));
  assert.equal(m.kind, 'request');
  if (m.kind !== 'request') return;
  assert.equal(m.method, 'OPTIONS');
  assert.equal(m.requestUri?.user, 'bob');
  assert.equal(m.via.branch, 'z9hG4bKnashds8');
  assert.equal(m.from.tag, '1928301774');
  assert.equal(m.to.tag, undefined);
  assert.equal(m.callId, 'a84b4c76e66710@pc33.example.com');
  assert.deepEqual(m.cseq, { seq: 314159, method: 'OPTIONS' });
  assert.equal(m.body.length, 0);
});

test('§7.2: a response with an empty and a UTF-8 reason phrase', () => {
  const r = msgOf(parseSipMessage(crlf(['SIP/2.0 200 Ça va', ...CORE, '', ''])));
  assert.equal(r.kind === 'response' && r.reason, 'Ça va');
  const e = msgOf(parseSipMessage(crlf(['SIP/2.0 180 ', ...CORE, '', ''])));
  assert.equal(e.kind === 'response' && e.reason, '');
});

test('§7.5: leading CRLFs are ignored; only CRLFs is a keep-alive (SIP_PARSE_EMPTY)', () => {
  msgOf(parseSipMessage(Buffer.concat([Buffer.from('\r\n\r\n'), opts()])));
  assert.equal(errOf(parseSipMessage(Buffer.from('\r\n\r\n'))).code, 'SIP_PARSE_EMPTY');
  assert.equal(errOf(parseSipMessage(Buffer.alloc(0))).code, 'SIP_PARSE_EMPTY');
});

test('§7.3.1: folded header values become one value with single spaces', () => {
  const m = msgOf(parseSipMessage(opts(['Subject: I know you are there,', '\t  pick up the phone', '   and talk to me!'])));
  assert.equal(headerValue(m, 'subject'), 'I know you are there, pick up the phone and talk to me!');
});

test('§7.3.1: whitespace before the colon and an empty first line are allowed', () => {
  const m = msgOf(parseSipMessage(opts(['Subject   :', '  hello'])));
  assert.equal(headerValue(m, 'Subject'), 'hello');
});

test('§7.3.3: compact forms map to canonical long names', () => {
  const buf = crlf([
    'INVITE sip:bob@example.com SIP/2.0',
    'v: SIP/2.0/UDP h.example.com;branch=z9hG4bK1',
    'f: <sip:a@example.com>;tag=1',
    't: <sip:b@example.com>',
    'i: abc@h',
    'CSeq: 1 INVITE',
    'm: <sip:a@h.example.com>',
    'c: application/sdp',
    'k: timer, 100rel',
    's: hi',
    'l: 3',
    'e: gzip',
    'o: presence',
    'r: <sip:c@example.com>',
    'u: dialog',
    'x: 1800',
    'b: <sip:d@example.com>',
    '',
    'abc',
  ]);
  const m = msgOf(parseSipMessage(buf));
  assert.deepEqual(
    m.headers.map((h) => h.name),
    ['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'content-type', 'supported', 'subject', 'content-length', 'content-encoding', 'event', 'refer-to', 'allow-events', 'session-expires', 'referred-by'],
  );
  assert.equal(m.body.toString(), 'abc');
  assert.deepEqual(headerValues(m, 'k'), ['timer', '100rel']);
});

test('§7.3.1: multi-value headers split on top-level commas only', () => {
  const m = msgOf(parseSipMessage(opts(['Contact: "Doe, John" <sip:j@h;x=a,b>, <sip:k@h>', 'Contact: sip:l@h', 'Date: Sat, 13 Nov 2010 23:29:00 GMT'])));
  assert.deepEqual(headerValues(m, 'contact'), ['"Doe, John" <sip:j@h;x=a,b>', '<sip:k@h>', 'sip:l@h']);
  assert.deepEqual(headerValues(m, 'date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  assert.equal(m.headers.filter((h) => h.name === 'contact').length, 2, 'one field per line is kept');
});

test('§18.3: Content-Length larger than the datagram body is SIP_PARSE_BODY_SHORT (respondable)', () => {
  const e = errOf(parseSipMessage(opts(['Content-Length: 10'], 'short')));
  assert.equal(e.code, 'SIP_PARSE_BODY_SHORT');
  assert.equal(e.partial?.respondable, true);
  assert.equal(e.partial?.callId, 'a84b4c76e66710@pc33.example.com');
});

test('§18.3: bytes beyond Content-Length are discarded; missing Content-Length takes the rest', () => {
  const a = msgOf(parseSipMessage(opts(['Content-Length: 3'], 'abcdef')));
  assert.equal(a.body.toString(), 'abc');
  const b = msgOf(parseSipMessage(opts([], 'abcdef')));
  assert.equal(b.body.toString(), 'abcdef');
});

test('§20.14: negative, non-numeric or conflicting Content-Length is SIP_PARSE_CONTENT_LENGTH', () => {
  assert.equal(errOf(parseSipMessage(opts(['Content-Length: -1']))).code, 'SIP_PARSE_CONTENT_LENGTH');
  assert.equal(errOf(parseSipMessage(opts(['Content-Length: x']))).code, 'SIP_PARSE_CONTENT_LENGTH');
  assert.equal(errOf(parseSipMessage(opts(['Content-Length: 1', 'l: 2'], 'ab'))).code, 'SIP_PARSE_CONTENT_LENGTH');
  msgOf(parseSipMessage(opts(['Content-Length: 2', 'l: 2'], 'ab')));
});

test('start line: version other than SIP/2.0 is SIP_PARSE_BAD_VERSION with partial info', () => {
  const e = errOf(parseSipMessage(crlf(['OPTIONS sip:bob@example.com SIP/3.0', ...CORE, '', ''])));
  assert.equal(e.code, 'SIP_PARSE_BAD_VERSION');
  assert.equal(e.partial?.respondable, true);
  assert.equal(e.partial?.method, 'OPTIONS');
  assert.equal(e.partial?.via?.branch, 'z9hG4bKnashds8');
  assert.equal(e.partial?.cseq?.seq, 314159);
  const r = errOf(parseSipMessage(crlf(['SIP/2.1 200 OK', ...CORE, '', ''])));
  assert.equal(r.code, 'SIP_PARSE_BAD_VERSION');
  assert.equal(r.partial?.respondable, false, 'responses are never answered');
});

test('start line: status code exactly 3 digits 100-699', () => {
  for (const line of ['SIP/2.0 4294967301 Huge', 'SIP/2.0 99 Low', 'SIP/2.0 700 High', 'SIP/2.0 2000 OK', 'SIP/2.0 abc OK']) {
    assert.equal(errOf(parseSipMessage(crlf([line, ...CORE, '', '']))).code, 'SIP_PARSE_BAD_STATUS', line);
  }
  msgOf(parseSipMessage(crlf(['SIP/2.0 699 Odd', ...CORE, '', ''])));
});

test('start line: method token chars, single SPs, no garbage', () => {
  assert.equal(errOf(parseSipMessage(crlf(['INV(TE sip:a@b SIP/2.0', ...CORE, '', '']))).code, 'SIP_PARSE_BAD_METHOD');
  const ws = errOf(parseSipMessage(crlf(['OPTIONS  sip:a@b SIP/2.0', ...CORE, '', ''])));
  assert.equal(ws.code, 'SIP_PARSE_BAD_START_LINE');
  assert.equal(ws.partial?.respondable, true);
  assert.equal(errOf(parseSipMessage(Buffer.from('garbage\r\n\r\n'))).code, 'SIP_PARSE_BAD_START_LINE');
  assert.equal(errOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0 ', ...CORE, '', '']))).code, 'SIP_PARSE_BAD_START_LINE');
});

test('Request-URI: bad sip URI is SIP_PARSE_BAD_URI; other schemes parse with requestUri undefined', () => {
  assert.equal(errOf(parseSipMessage(crlf(['OPTIONS <sip:a@b> SIP/2.0', ...CORE, '', '']))).code, 'SIP_PARSE_BAD_URI');
  const m = msgOf(parseSipMessage(crlf(['OPTIONS unknown:x@y SIP/2.0', ...CORE, '', ''])));
  assert.equal(m.kind === 'request' && m.requestUri, undefined);
});

test('NUL in the header section is SIP_PARSE_NUL; escaped NUL in a quoted string is fine; NUL in the body is fine', () => {
  const nul = Buffer.concat([crlf(['OPTIONS sip:a@b SIP/2.0', ...CORE]), Buffer.from('\r\nX-A: a\0b\r\n\r\n')]);
  assert.equal(errOf(parseSipMessage(nul)).code, 'SIP_PARSE_NUL');
  const q = Buffer.concat([crlf(['OPTIONS sip:a@b SIP/2.0', ...CORE]), Buffer.from('\r\nX-A: "a\\\0b"\r\n\r\n')]);
  msgOf(parseSipMessage(q));
  msgOf(parseSipMessage(Buffer.concat([opts(), Buffer.from([0, 1, 0])])));
});

test('mandatory core fields: missing → SIP_PARSE_MISSING_HEADER naming the header; duplicates; bad values', () => {
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    const lines = CORE.filter((l) => !l.startsWith(name + ':'));
    const e = errOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0', ...lines, '', ''])));
    assert.equal(e.code, 'SIP_PARSE_MISSING_HEADER');
    assert.match(e.detail, new RegExp(name));
  }
  assert.equal(errOf(parseSipMessage(opts(['Call-ID: other']))).code, 'SIP_PARSE_DUPLICATE_HEADER');
  assert.equal(errOf(parseSipMessage(opts(['To: <sip:c@d>']))).code, 'SIP_PARSE_DUPLICATE_HEADER');
  const bad = errOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0', ...CORE.map((l) => (l.startsWith('From') ? 'From: "x <sip:a@b>' : l)), '', ''])));
  assert.equal(bad.code, 'SIP_PARSE_BAD_HEADER');
  assert.match(bad.detail, /From/);
  assert.equal(bad.partial?.respondable, true);
});

test('§8.1.1.5: CSeq method must match the request method', () => {
  assert.equal(errOf(parseSipMessage(crlf(['INVITE sip:a@b SIP/2.0', ...CORE, '', '']))).code, 'SIP_PARSE_CSEQ_MISMATCH');
});

test('§20.22: Max-Forwards 0-255', () => {
  msgOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0', ...CORE.slice(0, 5), 'Max-Forwards: 0', '', ''])));
  const e = errOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0', ...CORE.slice(0, 5), 'Max-Forwards: 256', '', ''])));
  assert.equal(e.code, 'SIP_PARSE_BAD_HEADER');
  assert.match(e.detail, /Max-Forwards/);
});

test('limits: size, header count, line length, URI length', () => {
  const big = opts([], 'x'.repeat(200));
  assert.equal(errOf(parseSipMessage(big, { ...DEFAULT_SIP_LIMITS, maxMessageBytes: 100 })).code, 'SIP_PARSE_TOO_LARGE');
  const many = opts(Array.from({ length: 10 }, (_, i) => `X-H${i}: ${i}`));
  assert.equal(errOf(parseSipMessage(many, { ...DEFAULT_SIP_LIMITS, maxHeaders: 12 })).code, 'SIP_PARSE_TOO_MANY_HEADERS');
  msgOf(parseSipMessage(many, { ...DEFAULT_SIP_LIMITS, maxHeaders: 16 }));
  const long = opts([`X-Long: ${'a'.repeat(300)}`]);
  assert.equal(errOf(parseSipMessage(long, { ...DEFAULT_SIP_LIMITS, maxLineLength: 200 })).code, 'SIP_PARSE_LINE_TOO_LONG');
  const uri = crlf([`OPTIONS sip:${'u'.repeat(100)}@b SIP/2.0`, ...CORE, '', '']);
  const e = errOf(parseSipMessage(uri, { ...DEFAULT_SIP_LIMITS, maxUriLength: 50 }));
  assert.equal(e.code, 'SIP_PARSE_URI_TOO_LONG');
  assert.equal(e.partial?.respondable, true);
});

test('header lines without a colon or with a bad name are SIP_PARSE_BAD_HEADER', () => {
  assert.equal(errOf(parseSipMessage(opts(['NoColonHere']))).code, 'SIP_PARSE_BAD_HEADER');
  assert.equal(errOf(parseSipMessage(opts(['Bad Name: x']))).code, 'SIP_PARSE_BAD_HEADER');
  assert.equal(errOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0', ' folded-first: x', ...CORE, '', '']))).code, 'SIP_PARSE_BAD_HEADER');
});

test('no empty line after the headers is SIP_PARSE_NO_HEADER_END; bare LF line ends are tolerated', () => {
  assert.equal(errOf(parseSipMessage(crlf(['OPTIONS sip:a@b SIP/2.0', ...CORE]))).code, 'SIP_PARSE_NO_HEADER_END');
  const lf = Buffer.from(['OPTIONS sip:a@b SIP/2.0', ...CORE, '', 'body'].join('\n'));
  assert.equal(msgOf(parseSipMessage(lf)).body.toString(), 'body');
});
