import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderField, SipRequest, Via } from '../../../../src/sip/message/message-types.ts';
import type { Flow } from '../../../../src/sip/transport/transport-types.ts';
import type { SipParseError } from '../../../../src/sip/message/parse-types.ts';
import { checkRequest, classifyParseFailure, type EdgePolicy } from '../../../../src/sip/transport/sanity.ts';
import { stampReceived, responseDestination } from '../../../../src/sip/transport/flow.ts';
import { buildEdgeResponse } from '../../../../src/sip/transport/edge-response.ts';

const flow: Flow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 5060 };
const policy: EdgePolicy = { allowedMethods: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER'], supportedExtensions: ['replaces', 'timer'] };

function via(extra: Partial<Via> = {}): Via {
  return { transport: 'UDP', host: '192.0.2.1', port: 5060, params: new Map([['branch', 'z9hG4bKabc']]), branch: 'z9hG4bKabc', received: undefined, rport: undefined, maddr: undefined, ...extra };
}

interface ReqOpts {
  method?: string;
  cseqMethod?: string;
  uriUser?: string | undefined;
  scheme?: 'sip' | 'sips' | 'tel' | 'none';
  headers?: HeaderField[];
  body?: string;
  toTag?: string;
  via?: Partial<Via>;
}

function req(o: ReqOpts = {}): SipRequest {
  const method = o.method ?? 'OPTIONS';
  const user = 'uriUser' in o ? o.uriUser : 'bob';
  const uri = `sip:${user === undefined ? '' : user + '@'}example.com`;
  return {
    kind: 'request',
    method,
    uri,
    requestUri: o.scheme === 'none' ? undefined : { scheme: o.scheme ?? 'sip', user, password: undefined, host: 'example.com', port: undefined, params: new Map(), headers: new Map(), raw: uri },
    headers: [
      { name: 'via', value: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport' },
      { name: 'from', value: '<sip:a@example.com>;tag=f1' },
      { name: 'to', value: `<sip:bob@example.com>${o.toTag ? ';tag=' + o.toTag : ''}` },
      { name: 'call-id', value: 'c1' },
      { name: 'cseq', value: `1 ${o.cseqMethod ?? method}` },
      ...(o.headers ?? []),
    ],
    body: Buffer.from(o.body ?? ''),
    via: via(o.via),
    cseq: { seq: 1, method: o.cseqMethod ?? method },
    callId: 'c1',
    from: { displayName: undefined, uri: { scheme: 'sip', raw: 'sip:a@example.com' }, params: new Map([['tag', 'f1']]), tag: 'f1' },
    to: { displayName: undefined, uri: { scheme: 'sip', raw: 'sip:bob@example.com' }, params: new Map(), tag: o.toTag },
  };
}

const verdict = (r: SipRequest, p: EdgePolicy = policy) => {
  const v = checkRequest(r, flow, p);
  return v.kind === 'respond' ? `${v.status} ${v.reason}` : v.kind;
};

test('§8.2: a well-formed OPTIONS is accepted', () => {
  assert.equal(verdict(req()), 'accept');
});

test('§8.1.1.5: CSeq method must match the request method → 400 naming it', () => {
  assert.equal(verdict(req({ method: 'OPTIONS', cseqMethod: 'INVITE' })), '400 CSeq Method Mismatch');
});

test('RFC 4475 mismatch02: an unknown method with a CSeq mismatch gets 501', () => {
  assert.equal(verdict(req({ method: 'NEWMETHOD', cseqMethod: 'INVITE' })), '501 Not Implemented');
});

test('§8.2.1: unknown method → 501 with Allow; known but not allowed → 405 with Allow', () => {
  const v = checkRequest(req({ method: 'FOO' }), flow, policy);
  assert.ok(v.kind === 'respond' && v.status === 501 && v.extraHeaders.some((h) => h.name === 'Allow' && h.value.includes('INVITE')));
  const w = checkRequest(req({ method: 'SUBSCRIBE' }), flow, policy);
  assert.ok(w.kind === 'respond' && w.status === 405 && w.extraHeaders[0]?.name === 'Allow');
});

test('§8.2.2.1: a Request-URI scheme other than sip/sips/tel → 416', () => {
  assert.equal(verdict(req({ scheme: 'none' })), '416 Unsupported URI Scheme');
  assert.equal(verdict(req({ scheme: 'tel' })), 'accept');
});

test('§8.2.2.3: Require with an unsupported option tag → 420 with Unsupported, not for ACK/CANCEL', () => {
  const r = req({ method: 'INVITE', headers: [{ name: 'require', value: 'timer, nothingtoseehere' }] });
  const v = checkRequest(r, flow, policy);
  assert.ok(v.kind === 'respond' && v.status === 420);
  assert.deepEqual(v.extraHeaders, [{ name: 'Unsupported', value: 'nothingtoseehere' }]);
  assert.equal(verdict(req({ method: 'CANCEL', headers: [{ name: 'require', value: 'foo' }] })), 'accept');
  assert.equal(verdict(req({ method: 'ACK', headers: [{ name: 'require', value: 'foo' }] })), 'accept');
});

test('§17: an ACK is never answered — a bad ACK is dropped', () => {
  assert.equal(checkRequest(req({ method: 'ACK', scheme: 'none' }), flow, policy).kind, 'drop');
});

test('§8.2.2.2: a merged request (no To tag, matching an ongoing transaction) → 482', () => {
  const p = { ...policy, isMerged: () => true };
  assert.equal(verdict(req({ method: 'INVITE' }), p), '482 Merged Request');
  assert.equal(verdict(req({ method: 'INVITE', toTag: 'x' }), p), 'accept');
});

test('loop: a request carrying our own Via below the top → 482 Loop Detected', () => {
  const p = { ...policy, isOwnSentBy: (h: string, port: number | undefined) => h === '127.0.0.1' && port === 5060 };
  const r = req({ headers: [{ name: 'via', value: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKme' }] });
  assert.equal(verdict(r, p), '482 Loop Detected');
});

test('§16.3: Max-Forwards 0 on a request we would route → 483; OPTIONS and REGISTER are answered', () => {
  const mf0 = [{ name: 'max-forwards', value: '0' }];
  assert.equal(verdict(req({ method: 'INVITE', headers: mf0 })), '483 Too Many Hops');
  assert.equal(verdict(req({ method: 'OPTIONS', headers: mf0 })), 'accept');
  assert.equal(verdict(req({ method: 'REGISTER', headers: mf0 })), 'accept');
  assert.equal(verdict(req({ method: 'OPTIONS', headers: [{ name: 'max-forwards', value: 'abc' }] })), '400 Bad Max-Forwards');
  assert.equal(verdict(req({ method: 'INVITE', headers: [{ name: 'max-forwards', value: '0068' }] })), 'accept');
});

test('Via branch: missing (RFC 2543 peer) is accepted, a bare magic cookie → 400', () => {
  assert.equal(verdict(req({ via: { branch: undefined } })), 'accept');
  assert.equal(verdict(req({ via: { branch: 'z9hG4bK' } })), '400 Bad Via Branch');
});

test('§8.2.3: INVITE bodies other than SDP → 415 with Accept; RFC 4475 sdp01 Accept mismatch → 406', () => {
  const ct = (t: string) => [{ name: 'content-type', value: t }];
  const v = checkRequest(req({ method: 'INVITE', headers: ct('application/unknownformat'), body: 'x' }), flow, policy);
  assert.ok(v.kind === 'respond' && v.status === 415 && v.extraHeaders[0]?.name === 'Accept');
  assert.equal(verdict(req({ method: 'INVITE', headers: ct('application/sdp'), body: 'v=0' })), 'accept');
  assert.equal(verdict(req({ method: 'INVITE', headers: ct('multipart/mixed;boundary=x'), body: '--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x--' })), 'accept');
  assert.equal(verdict(req({ method: 'INVITE', headers: ct('multipart/mixed;boundary=x'), body: '--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--' })), '415 Unsupported Media Type');
  assert.equal(verdict(req({ method: 'INVITE', headers: [...ct('application/sdp'), { name: 'accept', value: 'text/nobodyKnowsThis' }], body: 'v=0' })), '406 Not Acceptable');
  assert.equal(verdict(req({ method: 'INVITE', headers: [...ct('application/sdp'), { name: 'content-encoding', value: 'gzip' }], body: 'v=0' })), '415 Unsupported Content-Encoding');
});

test('G5: respondable parse errors → 400 naming the problem; version → 505; the rest dropped', () => {
  const partial = { kind: 'request' as const, method: 'INVITE', uri: 'sip:x', status: undefined, headers: [], via: via(), callId: undefined, cseq: { seq: 1, method: 'INVITE' }, from: undefined, to: undefined, respondable: true };
  const e = (code: SipParseError['code'], p: SipParseError['partial'] = partial, detail = ''): SipParseError => ({ code, detail, offset: 0, partial: p });
  const show = (v: ReturnType<typeof classifyParseFailure>) => (v.kind === 'respond' ? `${v.status} ${v.reason}` : v.kind);
  assert.equal(show(classifyParseFailure(e('SIP_PARSE_MISSING_HEADER'), policy)), '400 Missing Call-ID');
  assert.equal(show(classifyParseFailure(e('SIP_PARSE_BAD_HEADER', partial, 'bad CSeq value'), policy)), '400 Bad CSeq');
  assert.equal(show(classifyParseFailure(e('SIP_PARSE_BAD_VERSION'), policy)), '505 Version Not Supported');
  assert.equal(show(classifyParseFailure(e('SIP_PARSE_CSEQ_MISMATCH', { ...partial, method: 'NEWMETHOD' }), policy)), '501 Not Implemented');
  assert.equal(show(classifyParseFailure(e('SIP_PARSE_BAD_HEADER', { ...partial, respondable: false }), policy)), 'drop');
  assert.equal(show(classifyParseFailure(e('SIP_PARSE_BAD_STATUS', { ...partial, kind: 'response' }), policy)), 'drop');
  assert.equal(show(classifyParseFailure({ code: 'SIP_PARSE_EMPTY', detail: '', offset: 0 }, policy)), 'drop');
});

test('RFC 3581 §4: received added when the host differs, empty rport filled with the source port', () => {
  const r = stampReceived(req({ via: { rport: null } }), flow);
  assert.equal(r.headers[0]?.value, 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport=40000;received=127.0.0.1');
  assert.equal(r.via.received, '127.0.0.1');
  assert.equal(r.via.rport, 40000);
  assert.deepEqual(responseDestination(r.via, flow, false), { address: '127.0.0.1', port: 40000 });
});

test('§18.2.2: without rport a UDP response goes to received and the sent-by port (symmetric mode: the source)', () => {
  const v = via({ received: '127.0.0.1' });
  assert.deepEqual(responseDestination(v, flow, false), { address: '127.0.0.1', port: 5060 });
  assert.deepEqual(responseDestination(v, flow, true), { address: '127.0.0.1', port: 40000 });
  assert.deepEqual(responseDestination(via({ maddr: '10.0.0.9' }), flow, false), { address: '10.0.0.9', port: 5060 });
});

test('§8.2.6: an edge response copies Via/From/To/Call-ID/CSeq, stamps the Via and adds a stable To tag', () => {
  const r = req();
  const input = { status: 400, reason: 'Bad\r\nThing', headers: [...r.headers, { name: 'contact', value: '<sip:x>' }], via: via({ rport: null }), flow };
  const a = buildEdgeResponse(input).toString();
  assert.match(a, /^SIP\/2\.0 400 Bad {2}Thing\r\n/);
  assert.match(a, /\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.1:5060;branch=z9hG4bKabc;rport=40000;received=127\.0\.0\.1\r\n/);
  assert.match(a, /\r\nTo: <sip:bob@example\.com>;tag=[0-9a-f]{16}\r\n/);
  assert.doesNotMatch(a, /Contact/);
  assert.match(a, /Content-Length: 0\r\n\r\n$/);
  assert.equal(buildEdgeResponse(input).toString(), a);
});
