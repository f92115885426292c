/**
 * buildKnownRequest (an in-dialog request from the dialog's already parsed
 * From, To, Call-ID, CSeq and Request-URI) must give exactly what
 * buildRequest gives on the same header list, for every dialog shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildRequest, parseSipMessage, SipBuildError, type SipRequest, type SipResponse } from '../../../../src/sip/message/index.ts';
import { buildKnownRequest } from '../../../../src/sip/message/build-known.ts';
import { Dialog, type RequestDraft } from '../../../../src/sip/dialog/dialog.ts';

function parse(text: string): SipRequest | SipResponse {
  const r = parseSipMessage(Buffer.from(text.split('\n').join('\r\n')));
  if (!r.ok) throw new Error(`fixture does not parse: ${r.error.code} ${r.error.detail}`);
  return r.message;
}

const VIA = 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-known-1;rport';

function viaFirst(d: RequestDraft): { method: string; uri: string; headers: { name: string; value: string }[]; body: Buffer } {
  return { method: d.method, uri: d.uri, headers: [{ name: 'via', value: VIA }, ...d.headers], body: d.body };
}

function same(d: RequestDraft): void {
  const known = d.known;
  assert.ok(known !== undefined, 'the dialog knows its core fields');
  assert.deepStrictEqual(buildKnownRequest(d, VIA, known), buildRequest(viaFirst(d)));
}

const display = fc.constantFrom('', 'Alice ', '"Bob \\"B\\"" ', 'sipp ', '"" ');
const uri = fc.constantFrom('sip:alice@atlanta.example.com', 'sip:1001@[2001:db8::1]:5070;transport=tcp', 'sips:bob@b.example.com', 'tel:+31205550000', 'sip:%61lice@A.Example.COM:5060;user=phone');
const params = fc.constantFrom('', ';x=1', ';Tag-Like=2;lr', ';q=0.5');
const tag = fc.constantFrom('1928301774', 'abc-DEF.1', 'z');
const target = fc.constantFrom('sip:bob@192.0.2.4', 'sip:bob@client.biloxi.example.com:5080;transport=udp', 'sips:bob@[2001:db8::9]', 'tel:+1555', 'urn:service:sos');
const rr = fc.constantFrom('', 'Record-Route: <sip:p1.example.com;lr>\n', 'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n', 'Record-Route: <sip:strict.example.com>\n');

test('buildKnownRequest equals buildRequest for UAC and UAS dialogs (ACK, BYE, re-INVITE, INFO with extra headers)', () => {
  fc.assert(
    fc.property(display, uri, params, tag, display, uri, params, tag, target, rr, (fd, fu, fp, ft, td, tu, tp, tt, contact, rrs) => {
      const invite = parse(
        `INVITE ${tu} SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\nMax-Forwards: 70\nFrom: ${fd}<${fu}>${fp};tag=${ft}\nTo: ${td}<${tu}>${tp}\nCall-ID: c1@192.0.2.1\nCSeq: 7 INVITE\nContact: <${contact}>\n${rrs}Content-Length: 0\n\n`,
      );
      assert.equal(invite.kind, 'request');
      if (invite.kind !== 'request') return;
      const ok = parse(
        `SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\nFrom: ${fd}<${fu}>${fp};tag=${ft}\nTo: ${td}<${tu}>${tp};tag=${tt}\nCall-ID: c1@192.0.2.1\nCSeq: 7 INVITE\nContact: <${contact}>\n${rrs}Content-Length: 0\n\n`,
      );
      if (ok.kind !== 'response') return;
      for (const d of [Dialog.asUac(invite, ok), Dialog.asUas(invite, 'ourtag', 'confirmed')]) {
        same(d.nextRequest('ACK', { cseq: 7 }));
        same(d.nextRequest('ACK', { cseq: 7, body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' }));
        same(d.nextRequest('INVITE', { contact: '<sip:belfry@192.0.2.10:5060>', body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' }));
        same(d.nextRequest('INFO', { extraHeaders: [{ name: 'Content-Type', value: ' application/dtmf-relay ' }, { name: 'X-Thing', value: 'a' }] }));
        same(d.nextRequest('BYE', { extraHeaders: [{ name: 'reason', value: 'SIP;cause=200;text="Call completed elsewhere"' }] }));
      }
    }),
    { numRuns: 300 },
  );
});

test('buildKnownRequest: a header list buildRequest reads differently goes through buildRequest (same result or same error)', () => {
  const invite = parse('INVITE sip:bob@b.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\nMax-Forwards: 70\nFrom: <sip:a@a.example.com>;tag=1\nTo: <sip:bob@b.example.com>\nCall-ID: c2\nCSeq: 1 INVITE\nContact: <sip:a@192.0.2.1>\nContent-Length: 0\n\n');
  if (invite.kind !== 'request') throw new Error('fixture');
  const d = Dialog.asUas(invite, 't2', 'confirmed');
  for (const extra of [[{ name: 'From', value: '<sip:x@y>;tag=9' }], [{ name: 'call-id', value: 'other' }], [{ name: 'Max-Forwards', value: '300' }], [{ name: 'CSeq', value: '9 BYE' }]]) {
    const draft = d.nextRequest('BYE', { extraHeaders: extra });
    const known = draft.known;
    assert.ok(known !== undefined);
    assert.throws(() => buildKnownRequest(draft, VIA, known), SipBuildError);
    assert.throws(() => buildRequest(viaFirst(draft)), SipBuildError);
  }
  // A second Via among the extras: buildRequest takes ours (the first) as the top Via.
  same(d.nextRequest('BYE', { extraHeaders: [{ name: 'Via', value: 'SIP/2.0/TCP other.example.com;branch=z9hG4bKx' }] }));
  const bad = d.nextRequest('BYE');
  const known = bad.known;
  assert.ok(known !== undefined);
  assert.throws(() => buildKnownRequest({ ...bad, method: 'B Y E' }, VIA, known), SipBuildError);
  assert.throws(() => buildKnownRequest(bad, 'not a via', known), SipBuildError);
  assert.throws(() => buildKnownRequest({ ...bad, headers: [...bad.headers, { name: 'X', value: 'a\r\nb' }] }, VIA, known), SipBuildError);
});
