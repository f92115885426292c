import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNameAddr, isSipUri } from '../../../../src/sip/message/index.ts';

test('§20.10: quoted display name with escaped quote and <uri> with header params', () => {
  const na = parseNameAddr('"J \\"Bob\\" Smith" <sip:bob@example.com;transport=tcp>;tag=abc;expires=60');
  assert.ok(na);
  assert.equal(na.displayName, 'J "Bob" Smith');
  assert.ok(isSipUri(na.uri));
  assert.equal(na.uri.params.get('transport'), 'tcp', 'URI params stay in the URI');
  assert.equal(na.tag, 'abc');
  assert.equal(na.params.get('expires'), '60');
});

test('token display name keeps single spaces between tokens', () => {
  const na = parseNameAddr('Alice   Q.  Public <sip:alice@example.com>');
  assert.equal(na?.displayName, 'Alice Q. Public');
});

test('§20.10: bare addr-spec — params after it belong to the header', () => {
  const na = parseNameAddr('sip:carol@example.com;tag=xyz;lr');
  assert.ok(na && isSipUri(na.uri));
  assert.equal(na.uri.params.size, 0);
  assert.equal(na.tag, 'xyz');
  assert.equal(na.params.get('lr'), null);
});

test('bare addr-spec with ? or , is rejected (must use <>)', () => {
  assert.equal(parseNameAddr('sip:a@example.com?subject=x'), null);
  assert.equal(parseNameAddr('sip:a@example.com,sip:b@example.com'), null);
});

test('malformed name-addr values are null', () => {
  assert.equal(parseNameAddr(''), null);
  assert.equal(parseNameAddr('"unbalanced <sip:a@b>'), null);
  assert.equal(parseNameAddr('<sip:a@b'), null);
  assert.equal(parseNameAddr('"x" sip:a@b'), null, 'quoted display name needs <>');
  assert.equal(parseNameAddr('<sip:a@b>;;tag=1'), null);
  assert.equal(parseNameAddr('bad"name <sip:a@b>'), null);
});

test('LWS around ; and = in params; quoted param values unquoted', () => {
  const na = parseNameAddr('<sip:a@b.example> ;  tag   =  1918 ; +sip.instance="<urn:uuid:1>"');
  assert.equal(na?.tag, '1918');
  assert.equal(na?.params.get('+sip.instance'), '<urn:uuid:1>');
});

test('non-sip absolute URIs are kept opaque; empty tag is no tag', () => {
  const na = parseNameAddr('<mailto:a@example.com>;tag=');
  assert.equal(na, null, 'tag= needs a value');
  const nb = parseNameAddr('<http://example.com/x>');
  assert.deepEqual(nb?.uri, { scheme: 'http', raw: 'http://example.com/x' });
});
