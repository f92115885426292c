import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVia, parseViaList } from '../../../../src/sip/message/index.ts';

test('§20.42: transport upper-cased, host lower-cased, port, branch', () => {
  const v = parseVia('SIP/2.0/udp PC33.Atlanta.com:5066;branch=z9hG4bK776asdhds');
  assert.ok(v);
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, 'pc33.atlanta.com');
  assert.equal(v.port, 5066);
  assert.equal(v.branch, 'z9hG4bK776asdhds');
  assert.equal(v.rport, undefined);
});

test('RFC 3581: rport without value is null, with value a number', () => {
  assert.equal(parseVia('SIP/2.0/UDP h;rport;branch=z9hG4bKa')?.rport, null);
  assert.equal(parseVia('SIP/2.0/UDP h;rport=5061;received=192.0.2.9;branch=z9hG4bKa')?.rport, 5061);
  assert.equal(parseVia('SIP/2.0/UDP h;rport=99999;branch=z9hG4bKa'), null);
});

test('received and maddr; they need values', () => {
  const v = parseVia('SIP/2.0/UDP h;received=192.0.2.1;maddr=224.2.0.1;ttl=16;branch=z9hG4bKa');
  assert.equal(v?.received, '192.0.2.1');
  assert.equal(v?.maddr, '224.2.0.1');
  assert.equal(v?.params.get('ttl'), '16');
  assert.equal(parseVia('SIP/2.0/UDP h;received'), null);
  assert.equal(parseVia('SIP/2.0/UDP h;branch'), null);
});

test('RFC 5118 §4.5: IPv6 sent-by and received with or without brackets', () => {
  const v = parseVia('SIP/2.0/UDP [2001:db8::9:1]:5060;received=[2001:db8::9:255];branch=z9hG4bKas3');
  assert.equal(v?.host, '[2001:db8::9:1]');
  assert.equal(v?.port, 5060);
  assert.equal(v?.received, '[2001:db8::9:255]');
  assert.equal(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3')?.received, '2001:db8::9:255');
  assert.equal(parseVia('SIP/2.0/UDP [2001:db8::9:1;branch=z9hG4bKa'), null);
});

test('LWS around slashes, colon and semicolons (folded Via)', () => {
  const v = parseVia('SIP  /   2.0 /UDP    192.0.2.2 : 5070 ;  branch  =  390skdjuw');
  assert.equal(v?.transport, 'UDP');
  assert.equal(v?.port, 5070);
  assert.equal(v?.branch, '390skdjuw');
});

test('multiple Via values in one field', () => {
  const l = parseViaList('SIP/2.0/TCP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP [::1]:5062;branch=z9hG4bK2');
  assert.equal(l?.length, 2);
  assert.equal(l?.[1]?.host, '[::1]');
});

test('malformed Via values', () => {
  assert.equal(parseViaList('SIP/2.0/UDP 192.0.2.15;;,;,,'), null);
  assert.equal(parseVia('SIP/2.0 h'), null);
  assert.equal(parseVia('SIP/2.0/UDP'), null);
  assert.equal(parseVia('SIP/2.0/UDPh'), null);
  assert.equal(parseVia('SIP/2.0/UDP h:70000'), null);
  assert.equal(parseVia('SIP/2.0/UDP h;branch=a;;x'), null);
});
