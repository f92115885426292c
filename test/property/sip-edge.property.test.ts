import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { edgeHarness } from '../helpers/edge-harness.ts';
import type { Flow } from '../../src/sip/transport/index.ts';

const flow: Flow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 5060 };
const VALID = 'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKp1;rport\r\nMax-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=f\r\nTo: <sip:127.0.0.1>\r\nCall-ID: p1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
const RESPONSE = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: r\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

const harness = edgeHarness;

const mutated = (base: string) =>
  fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }), fc.nat()).map(([flips, cut]) => {
    const b = Buffer.from(base, 'latin1');
    for (const [at, v] of flips) b[at % b.length] = v;
    return b.subarray(0, Math.max(1, cut % (b.length + 1)));
  });

test('G5 property: the edge never throws, and every answer is a well-formed stateless response to a request', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)), mutated(VALID), mutated(RESPONSE)), (bytes) => {
      const h = harness();
      h.edge.receive(bytes, flow);
      assert.ok(h.sent.length + h.delivered.length <= 1);
      for (const s of h.sent) {
        const text = s.toString('latin1');
        assert.match(text, /^SIP\/2\.0 [1-6]\d\d [^\r\n]*\r\n/);
        assert.match(text, /\r\nContent-Length: 0\r\n\r\n$/);
        assert.ok(!bytes.toString('latin1').startsWith('SIP/2.0 '), 'answered a response');
      }
    }),
    { numRuns: 2000 },
  );
});

test('G5 property: a response is never answered, whatever its content', () => {
  fc.assert(
    fc.property(mutated(RESPONSE), (bytes) => {
      const h = harness();
      const text = bytes.toString('latin1');
      h.edge.receive(bytes, flow);
      if (text.startsWith('SIP/2.0 ')) assert.equal(h.sent.length, 0);
    }),
    { numRuns: 1000 },
  );
});
