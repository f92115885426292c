/**
 * statelessReplyBytes (RFC 3261 §8.2.6, §8.2.7): the fast path for answers
 * without a transaction must say what createResponse + serialize says.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse, headerValues, parseSipMessage, serializeSipMessage as serialize, type SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';
import { statelessReplyBytes } from '../../../src/sip/index.ts';

function req(text: string): SipRequest {
  const r = parseSipMessage(Buffer.from(text.replace(/\n/g, '\r\n')));
  assert.ok(r.ok && r.message.kind === 'request');
  return r.message;
}

function res(bytes: Buffer): SipResponse {
  const r = parseSipMessage(bytes);
  assert.ok(r.ok && r.message.kind === 'response', 'the bytes parse as a response');
  return r.message;
}

const OPTIONS = `OPTIONS sip:192.0.2.1 SIP/2.0
v: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK1;rport;received=192.0.2.9, SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK0
Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKx
f: "A" <sip:a@example.com>;tag=ft
t: <sip:192.0.2.1>
i: abc@host
CSeq: 7 OPTIONS
Max-Forwards: 70
Timestamp: 54
Content-Length: 0

`;

describe('statelessReplyBytes', () => {
  it('§8.2.6.2: Via values in order, From, Call-ID, CSeq copied; To gets the tag; extra headers follow', () => {
    const r = req(OPTIONS);
    const got = res(statelessReplyBytes(r, 200, 'OK', 'tt9', [{ name: 'Allow', value: 'INVITE, ACK' }]));
    const ref = res(serialize(createResponse(r, 200, 'OK', { toTag: 'tt9' })));
    assert.equal(got.status, 200);
    assert.equal(got.reason, 'OK');
    assert.deepEqual(headerValues(got, 'via'), headerValues(ref, 'via'));
    assert.equal(got.via.branch, 'z9hG4bK1');
    assert.equal(got.callId, 'abc@host');
    assert.deepEqual(got.cseq, ref.cseq);
    assert.equal(got.from.tag, 'ft');
    assert.equal(got.from.displayName, 'A');
    assert.equal(got.to.tag, 'tt9');
    assert.ok('host' in got.to.uri && got.to.uri.host === '192.0.2.1');
    assert.deepEqual(headerValues(got, 'allow'), ['INVITE', 'ACK']);
    assert.deepEqual(headerValues(got, 'timestamp'), [], '§8.2.6.1: Timestamp only on 100');
    assert.equal(got.body.length, 0);
  });

  it('a To that has a tag keeps it; a 100 gets no tag but the Timestamp', () => {
    const tagged = req(OPTIONS.replace('t: <sip:192.0.2.1>', 't: <sip:192.0.2.1>;tag=old'));
    assert.equal(res(statelessReplyBytes(tagged, 200, 'OK', 'new', [])).to.tag, 'old');
    const trying = res(statelessReplyBytes(req(OPTIONS), 100, 'Trying', 'new', []));
    assert.equal(trying.to.tag, undefined);
    assert.deepEqual(headerValues(trying, 'timestamp'), ['54']);
  });
});
