import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipMessage, contacts, routes, recordRoutes, vias, maxForwards, contentType, expires, supported, requireTags, headerValue } from '../../../../src/sip/message/index.ts';

function msg(extra: string[]) {
  const r = parseSipMessage(Buffer.from(['REGISTER sip:example.com SIP/2.0', 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b:5061;branch=z9hG4bK2', 'From: <sip:u@example.com>;tag=1', 'To: <sip:u@example.com>', 'Call-ID: c1', 'CSeq: 1 REGISTER', ...extra, '', ''].join('\r\n')));
  if (!r.ok) assert.fail(r.error.detail);
  return r.message;
}

test('contacts: list with params, * alone, * mixed is malformed', () => {
  const m = msg(['m: <sip:u@192.0.2.1>;expires=60;q=0.5, "X" <sip:u@192.0.2.2>', 'Contact: sip:u@192.0.2.3;expires=0']);
  const c = contacts(m);
  assert.ok(c && c.kind === 'list');
  assert.equal(c.contacts.length, 3);
  assert.equal(c.contacts[0]?.params.get('q'), '0.5');
  assert.equal(c.contacts[2]?.params.get('expires'), '0');
  assert.deepEqual(contacts(msg(['Contact: *'])), { kind: 'star' });
  assert.equal(contacts(msg(['Contact: *, <sip:a@b>'])), null);
  assert.deepEqual(contacts(msg([])), { kind: 'list', contacts: [] });
});

test('routes, record-routes, vias', () => {
  const m = msg(['Route: <sip:p1@a;lr>, <sip:p2@b;lr>', 'Record-Route: <sip:rr@c;lr>']);
  assert.deepEqual(routes(m)?.map((r) => r.uri.raw), ['sip:p1@a;lr', 'sip:p2@b;lr']);
  assert.equal(recordRoutes(m)?.length, 1);
  assert.deepEqual(vias(m)?.map((v) => v.transport), ['UDP', 'TCP']);
  assert.equal(routes(msg(['Route: <sip:bad']))?.length, undefined);
});

test('maxForwards, expires, contentType', () => {
  assert.equal(maxForwards(msg(['Max-Forwards: 70'])), 70);
  assert.equal(maxForwards(msg([])), undefined);
  assert.equal(expires(msg(['Expires: 3600'])), 3600);
  assert.equal(expires(msg(['Expires: 1000000000000000000000'])), 4294967295);
  assert.equal(expires(msg(['Expires: soon'])), null);
  assert.deepEqual(contentType(msg(['c: Application/SDP; charset="utf-8"'])), { mediaType: 'application/sdp', params: new Map([['charset', 'utf-8']]) });
  assert.equal(contentType(msg(['Content-Type: nonsense'])), null);
});

test('supported / require token lists, lower-cased', () => {
  const m = msg(['Supported: 100rel, Timer', 'k: path', 'Require: GRUU']);
  assert.deepEqual(supported(m), ['100rel', 'timer', 'path']);
  assert.deepEqual(requireTags(m), ['gruu']);
  assert.equal(headerValue(m, 'K'), '100rel, Timer');
});

test('lazy Via: a malformed lower Via does not fail the parse, vias() reports it', () => {
  const m = msg(['Via: SIP/2.0/UDP ;;broken']);
  assert.equal(m.via.host, 'a');
  assert.equal(vias(m), null);
});
