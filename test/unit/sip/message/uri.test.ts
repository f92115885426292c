import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipUri, parseAnyUri, isIpv6, percentDecode } from '../../../../src/sip/message/index.ts';

test('RFC 3261 §19.1: sip URI with user, password, host, port, params and headers', () => {
  const u = parseSipUri('sip:alice:secret@Atlanta.Example.COM:5070;transport=TCP;lr?subject=project%20x&priority=urgent');
  assert.ok(u);
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, 'atlanta.example.com');
  assert.equal(u.port, 5070);
  assert.equal(u.params.get('transport'), 'TCP');
  assert.equal(u.params.get('lr'), null);
  assert.equal(u.headers.get('subject'), 'project x');
  assert.equal(u.headers.get('priority'), 'urgent');
  assert.equal(u.raw, 'sip:alice:secret@Atlanta.Example.COM:5070;transport=TCP;lr?subject=project%20x&priority=urgent');
});

test('§19.1.2: %-escapes in the user part are decoded, including %00', () => {
  const u = parseSipUri('sip:%61lice%00x@example.com');
  assert.equal(u?.user, 'alice\u0000x');
  assert.equal(parseSipUri('sip:bad%zz@example.com'), null);
  assert.equal(parseSipUri('sip:bad%4@example.com'), null);
  assert.equal(percentDecode('%41%42c'), 'ABc');
});

test('user part may contain ; and ? (user-unreserved), first @ ends userinfo', () => {
  const u = parseSipUri('sip:user;par=u%40example.net@example.com;maddr=10.0.0.1');
  assert.equal(u?.user, 'user;par=u@example.net');
  assert.equal(u?.host, 'example.com');
  assert.equal(u?.params.get('maddr'), '10.0.0.1');
});

test('sips and hosts without user', () => {
  const u = parseSipUri('sips:example.com');
  assert.equal(u?.scheme, 'sips');
  assert.equal(u?.user, undefined);
  assert.equal(u?.port, undefined);
});

test('RFC 5118 §4.1: IPv6 reference with and without port, lower-cased', () => {
  const a = parseSipUri('sip:[2001:DB8::10]');
  assert.equal(a?.host, '[2001:db8::10]');
  assert.equal(a?.port, undefined);
  const b = parseSipUri('sip:user@[2001:db8::10]:5070;transport=udp');
  assert.equal(b?.host, '[2001:db8::10]');
  assert.equal(b?.port, 5070);
  assert.equal(parseSipUri('sip:user@2001:db8::10'), null, 'unbracketed IPv6 is not a host');
  assert.equal(parseSipUri('sip:[2001:db8::10'), null);
  assert.equal(parseSipUri('sip:[zz::1]'), null);
});

test('RFC 5118 §4.10: 2-colon form is valid and the 3-colon form is tolerated', () => {
  assert.ok(parseSipUri('sip:[2001:db8::192.0.2.1]'));
  assert.ok(parseSipUri('sip:[2001:db8:::192.0.2.1]'));
  assert.ok(parseSipUri('sip:[::ffff:192.0.2.1]'), 'IPv4-mapped');
  assert.equal(isIpv6('1:2:3:4:5:6:7:8'), true);
  assert.equal(isIpv6('1:2:3:4:5:6:7:8:9'), false);
  assert.equal(isIpv6('1::2::3'), false);
  assert.equal(isIpv6('::'), true);
  assert.equal(isIpv6('12345::1'), false);
  assert.equal(isIpv6('1:2:3:4:5:6:192.0.2.1'), true);
  assert.equal(isIpv6('1:2:3:4:5:6:192.0.2.256'), false);
});

test('port must be 0-65535 digits', () => {
  assert.equal(parseSipUri('sip:a@h:65535')?.port, 65535);
  assert.equal(parseSipUri('sip:a@h:0')?.port, 0);
  assert.equal(parseSipUri('sip:a@h:65536'), null);
  assert.equal(parseSipUri('sip:a@h:'), null);
  assert.equal(parseSipUri('sip:a@h:5x'), null);
});

test('RFC 3966 tel URI: number in user, params kept', () => {
  const t = parseSipUri('tel:+1-201-555-0123;phone-context=example.com');
  assert.equal(t?.scheme, 'tel');
  assert.equal(t?.user, '+1-201-555-0123');
  assert.equal(t?.host, '');
  assert.equal(t?.params.get('phone-context'), 'example.com');
  assert.equal(parseSipUri('tel:'), null);
  assert.equal(parseSipUri('tel:12 34'), null);
});

test('other schemes: parseSipUri null, parseAnyUri opaque', () => {
  assert.equal(parseSipUri('mailto:a@example.com'), null);
  assert.deepEqual(parseAnyUri('mailto:a@example.com'), { scheme: 'mailto', raw: 'mailto:a@example.com' });
  assert.equal(parseAnyUri('<sip:a@b>'), null);
  assert.equal(parseAnyUri('1sip:x'), null);
});

test('whitespace, quotes and angle brackets are never part of a URI', () => {
  assert.equal(parseSipUri('sip:a b@example.com'), null);
  assert.equal(parseSipUri('sip:a@exa"mple.com'), null);
  assert.equal(parseSipUri('sip:a@example.com>'), null);
});
