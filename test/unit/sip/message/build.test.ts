import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildRequest, buildResponse, createResponse, createAckForNonSuccess, createCancel, withTopVia, withoutTopVia,
  withHeader, withoutHeader, withHeaderValue, withBody, serializeSipMessage, parseSipMessage, headerValue, headerValues,
  reasonPhrase, SipBuildError, type SipRequest,
} from '../../../../src/sip/message/index.ts';

function invite(): SipRequest {
  return buildRequest({
    method: 'INVITE',
    uri: 'sip:bob@biloxi.example.com',
    headers: [
      { name: 'Via', value: 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1' },
      { name: 'Via', value: 'SIP/2.0/UDP third.example.com;branch=z9hG4bK2' },
      { name: 'Max-Forwards', value: '70' },
      { name: 'Route', value: '<sip:p1.example.com;lr>' },
      { name: 'To', value: 'Bob <sip:bob@biloxi.example.com>' },
      { name: 'From', value: 'Alice <sip:alice@atlanta.example.com>;tag=1928301774' },
      { name: 'Call-ID', value: 'a84b4c76e66710@pc33.atlanta.example.com' },
      { name: 'CSeq', value: '314159 INVITE' },
      { name: 'Timestamp', value: '54' },
      { name: 'Contact', value: '<sip:alice@pc33.atlanta.example.com>' },
      { name: 'Content-Type', value: 'application/sdp' },
    ],
    body: Buffer.from('v=0\r\n'),
  });
}

test('buildRequest: core fields from the header text; Content-Length added', () => {
  const r = invite();
  assert.equal(r.via.host, 'pc33.atlanta.example.com');
  assert.equal(r.from.tag, '1928301774');
  assert.equal(r.cseq.seq, 314159);
  assert.equal(headerValue(r, 'content-length'), '5');
  assert.equal(r.headers[0]?.name, 'via', 'names are canonical lower-case');
});

test('builders throw SipBuildError on bad core headers or header injection', () => {
  assert.throws(() => buildRequest({ method: 'INVITE', uri: 'sip:a@b', headers: [] }), SipBuildError);
  assert.throws(() => withHeader(invite(), 'Subject', 'x\r\nVia: evil'), SipBuildError);
  assert.throws(() => buildRequest({ method: 'IN VITE', uri: 'sip:a@b', headers: invite().headers }), SipBuildError);
  assert.throws(() => buildResponse({ status: 700, headers: invite().headers }), SipBuildError);
});

test('§8.2.6.2: createResponse copies all Via in order, From, Call-ID, CSeq and tags To', () => {
  const req = invite();
  const res = createResponse(req, 486, undefined, { toTag: 'a6c85cf' });
  assert.equal(res.reason, 'Busy Here');
  assert.deepEqual(res.headers.filter((h) => h.name === 'via'), req.headers.filter((h) => h.name === 'via'));
  assert.equal(res.to.tag, 'a6c85cf');
  assert.equal(res.from.tag, '1928301774');
  assert.equal(res.callId, req.callId);
  assert.deepEqual(res.cseq, req.cseq);
  assert.equal(headerValue(res, 'timestamp'), undefined);
  assert.equal(headerValue(res, 'contact'), undefined);
});

test('§8.2.6: 100 Trying never gets a To tag and copies Timestamp', () => {
  const t = createResponse(invite(), 100, undefined, { toTag: 'x' });
  assert.equal(t.to.tag, undefined);
  assert.equal(headerValue(t, 'timestamp'), '54');
});

test('createResponse keeps an existing To tag and adds extra headers and body', () => {
  const req = withHeaderValue(invite(), 'to', '<sip:bob@biloxi.example.com>;tag=existing');
  const res = createResponse(req, 200, 'Fine', { toTag: 'new', headers: [{ name: 'contact', value: '<sip:bob@192.0.2.4>' }], body: Buffer.from('v=0\r\n') });
  assert.equal(res.to.tag, 'existing');
  assert.equal(res.reason, 'Fine');
  assert.equal(headerValue(res, 'content-length'), '5');
});

test('§17.1.1.3: ACK for a non-2xx copies R-URI, Call-ID, From, CSeq number, top Via, Route; To from the response', () => {
  const req = invite();
  const res = createResponse(req, 404, undefined, { toTag: 'tt' });
  const ack = createAckForNonSuccess(req, res);
  assert.equal(ack.method, 'ACK');
  assert.equal(ack.uri, req.uri);
  assert.deepEqual(ack.cseq, { seq: 314159, method: 'ACK' });
  assert.equal(ack.to.tag, 'tt');
  assert.deepEqual(headerValues(ack, 'via'), ['SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds']);
  assert.deepEqual(headerValues(ack, 'route'), ['<sip:p1.example.com;lr>']);
  assert.equal(headerValue(ack, 'max-forwards'), '70');
  assert.equal(ack.body.length, 0);
});

test('§9.1: CANCEL copies R-URI, Call-ID, To, From, CSeq number, top Via, Route', () => {
  const c = createCancel(invite());
  assert.equal(c.method, 'CANCEL');
  assert.deepEqual(c.cseq, { seq: 314159, method: 'CANCEL' });
  assert.equal(c.via.branch, 'z9hG4bK776asdhds');
  assert.equal(headerValues(c, 'via').length, 1);
  assert.equal(c.to.tag, undefined);
  assert.deepEqual(headerValues(c, 'route'), ['<sip:p1.example.com;lr>']);
});

test('withTopVia / withoutTopVia', () => {
  const req = withTopVia(invite(), 'SIP/2.0/UDP b2bua.example.com;branch=z9hG4bKnew');
  assert.equal(req.via.host, 'b2bua.example.com');
  assert.equal(headerValues(req, 'via').length, 4);
  const res = withoutTopVia(createResponse(req, 200, undefined, { toTag: 'x' }));
  assert.equal(res.via.host, 'pc33.atlanta.example.com');
  const res2 = withoutTopVia(res);
  assert.equal(res2.via.host, 'proxy.example.com', 'a comma list loses only its first value');
  assert.equal(headerValues(res2, 'via').length, 2);
  const last = withoutTopVia(res2);
  assert.equal(last.via.host, 'third.example.com');
  assert.throws(() => withoutTopVia(last), SipBuildError, 'the last Via cannot be removed');
});

test('withHeader / withoutHeader / withHeaderValue / withBody return new messages', () => {
  const a = invite();
  const b = withHeader(a, 'k', 'timer');
  assert.equal(headerValue(b, 'supported'), 'timer');
  assert.equal(headerValue(a, 'supported'), undefined);
  assert.equal(headerValue(withoutHeader(b, 'Supported'), 'supported'), undefined);
  const c = withBody(a, Buffer.from('hello'), 'text/plain');
  assert.equal(headerValue(c, 'content-length'), '5');
  assert.equal(headerValue(c, 'content-type'), 'text/plain');
});

test('serialize: canonical names, Content-Length equals body, parse∘serialize stable', () => {
  const r = withHeader(invite(), 'www-authenticate', 'Digest realm="x"');
  const bytes = serializeSipMessage(r);
  const text = bytes.toString();
  assert.match(text, /^INVITE sip:bob@biloxi.example.com SIP\/2.0\r\n/);
  assert.match(text, /\r\nCall-ID: /);
  assert.match(text, /\r\nCSeq: 314159 INVITE\r\n/);
  assert.match(text, /\r\nWWW-Authenticate: /);
  assert.match(text, /\r\nContent-Length: 5\r\n/);
  assert.ok(text.endsWith('\r\n\r\nv=0\r\n'));
  const p = parseSipMessage(bytes);
  assert.ok(p.ok);
  assert.deepEqual(p.message, r);
  assert.ok(serializeSipMessage(p.message).equals(bytes));
});

test('serialize overrides a wrong Content-Length and drops duplicates', () => {
  const r = invite();
  const lying = { ...r, headers: [...r.headers, { name: 'content-length', value: '99' }] };
  const text = serializeSipMessage(lying).toString();
  assert.equal(text.match(/Content-Length/g)?.length, 1);
  assert.match(text, /Content-Length: 5\r\n/);
});

test('reasonPhrase: table and class defaults', () => {
  assert.equal(reasonPhrase(200), 'OK');
  assert.equal(reasonPhrase(481), 'Call/Transaction Does Not Exist');
  assert.equal(reasonPhrase(499), 'Client Error');
});

test('createResponse gives what buildResponse gives on the same header list (core fields taken from the request, not re-parsed)', () => {
  const parsed = parseSipMessage(serializeSipMessage(invite()));
  assert.ok(parsed.ok && parsed.message.kind === 'request');
  for (const req of [invite(), parsed.message]) {
    for (const [status, opts] of [
      [100, { toTag: 'x' }],
      [180, { toTag: 'ab12' }],
      [200, { toTag: 'ab12', headers: [{ name: 'Contact', value: '<sip:b@192.0.2.4>' }, { name: 'content-type', value: 'application/sdp' }], body: Buffer.from('v=0\r\n') }],
      [486, {}],
      [401, { toTag: 'c', headers: [{ name: 'WWW-Authenticate', value: 'Digest realm="r", nonce="n"' }] }],
    ] as const) {
      const fast = createResponse(req, status, undefined, opts);
      const copied = req.headers.filter((h) => ['via', 'from', 'call-id', 'cseq'].includes(h.name) || (h.name === 'timestamp' && status === 100) || h.name === 'to');
      const list = copied.map((h) => (h.name === 'to' && status > 100 && opts.toTag !== undefined ? { name: 'to', value: `${h.value};tag=${opts.toTag}` } : h));
      const slow = buildResponse({ status, headers: [...list, ...('headers' in opts ? opts.headers : [])], body: 'body' in opts ? opts.body : undefined });
      assert.deepEqual(fast, slow, `status ${status}`);
    }
  }
});

test('createResponse: extra headers are still checked; a TU-supplied core header takes the full path', () => {
  assert.throws(() => createResponse(invite(), 200, undefined, { headers: [{ name: 'Contact', value: 'a\r\nb' }] }), SipBuildError);
  // A second To is checked like any built message: a duplicate core header is refused.
  assert.throws(() => createResponse(invite(), 200, undefined, { toTag: 't', headers: [{ name: 'To', value: '<sip:other@example.com>;tag=z' }] }), /more than one To/);
});
