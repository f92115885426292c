import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flatCopy } from '../../../src/common/index.ts';
import { BindingCompactor } from '../../../src/store/binding-compact.ts';

test('flatCopy returns an equal string for any string, lone surrogates included', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => assert.equal(flatCopy(s), s)));
  assert.equal(flatCopy('\ud800x'), '\ud800x');
  const text = 'REGISTER sip:x SIP/2.0\r\nCall-ID: abcdefghijklmnop@host\r\n';
  assert.equal(flatCopy(text.slice(33, 55)), 'abcdefghijklmnop@host\r');
});

test('BindingCompactor keeps every value of the binding and shares repeated strings through a bounded pool', () => {
  const c = new BindingCompactor();
  const flow = { protocol: 'udp' as const, remoteAddress: '192.0.2.7', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 };
  const b = {
    aor: 'sip:1@x', key: 'uri:sip:1@192.0.2.7', contact: 'sip:1@192.0.2.7', flow, expiresAt: 5, q: 0.7, callId: 'c@h', cseq: 9, userAgent: 'UA/1',
    instanceId: undefined, regId: undefined, registeredAt: 1, updatedAt: 2,
  };
  const stored = c.compact(b, 'sip:1@x', undefined);
  assert.deepEqual(stored, b);
  assert.notEqual(stored.flow, flow, 'its own flow object, not the transport one');
  for (let i = 0; i < 10_000; i++) assert.equal(c.shared(`ua-${i}`), `ua-${i}`);
  assert.equal(c.shared('UA/1'), 'UA/1');
});
