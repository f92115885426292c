import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest, createSipStack, type SipResponse, type SipStack } from '../../../src/sip/index.ts';
import { UdpPeer, options } from './sip-peer.ts';

// Every case runs on both UDP engines (transport/udp.ts): Node's dgram and the native thread.
const engines = process.env.BELFRY_NO_NATIVE === '1' ? (['dgram'] as const) : (['dgram', 'native'] as const);
for (const engine of engines) {
describe(`UDP engine ${engine}`, () => {
  let stack: SipStack;
  let port = 0;

  before(async () => {
    stack = await createSipStack({ listeners: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }], timers: { T1: 50 }, udpEngine: engine });
    port = stack.addresses().find((a) => a.protocol === 'udp')?.port ?? 0;
  });
  after(async () => {
    await stack.close();
  });

  test('UDP: OPTIONS to the switch is answered 200 with Allow, Accept, Supported, Accept-Language', async () => {
    const peer = await UdpPeer.open();
    try {
      await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}` }));
      const r = await peer.waitFor((m) => m.startsWith('SIP/2.0 200'));
      assert.ok(r, 'no 200');
      assert.match(r, /\r\nAllow: [^\r]*INVITE/i);
      assert.match(r, /\r\nAccept: application\/sdp\r\n/i);
      assert.match(r, /\r\nSupported: /i);
      assert.match(r, /\r\nAccept-Language: /i);
      assert.match(r, /\r\nContent-Length: 0\r\n\r\n$/i);
    } finally {
      await peer.close();
    }
  });

  test('RFC 3581: rport is filled with the source port, received added, and the answer goes to the source', async () => {
    const peer = await UdpPeer.open();
    try {
      await peer.send(port, options({ via: 'SIP/2.0/UDP 192.0.2.1:5060;rport' }));
      const r = await peer.waitFor((m) => m.startsWith('SIP/2.0 200'));
      assert.ok(r, 'no answer at the source address');
      assert.match(r, new RegExp(`\\r\\nVia: SIP/2.0/UDP 192\\.0\\.2\\.1:5060;rport=${peer.port};branch=[^;\\r]+;received=127\\.0\\.0\\.1\\r\\n`, 'i'));
    } finally {
      await peer.close();
    }
  });

  test('RFC 3261 §18.2.1: received is added when the Via host differs from the source (no rport)', async () => {
    const peer = await UdpPeer.open();
    try {
      await peer.send(port, options({ via: 'SIP/2.0/UDP 192.0.2.7:5060' }));
      const r = await peer.waitFor((m) => m.startsWith('SIP/2.0 200'));
      assert.ok(r);
      assert.match(r, /;received=127\.0\.0\.1\r\n/);
    } finally {
      await peer.close();
    }
  });

  test('RFC 5626 §3.5.1: a CRLF keep-alive datagram is ignored (no answer, counted)', async () => {
    const peer = await UdpPeer.open();
    try {
      const before = stack.counters().keepalives;
      await peer.send(port, '\r\n\r\n');
      await peer.send(port, '\r\n');
      assert.equal(await peer.waitFor(() => true, 200), undefined);
      assert.equal(stack.counters().keepalives, before + 2);
      assert.equal(stack.counters().parseErrors, 0);
    } finally {
      await peer.close();
    }
  });

  test('G5: a bad request gets a stateless 400 naming the problem; garbage is dropped; the stack keeps answering', async () => {
    const peer = await UdpPeer.open();
    try {
      const bad = options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}` }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE');
      await peer.send(port, bad);
      const r = await peer.waitFor((m) => m.startsWith('SIP/2.0 400'));
      assert.ok(r);
      assert.match(r, /^SIP\/2\.0 400 [^\r]*CSeq/);
      await peer.send(port, Buffer.from([0, 1, 2, 3, 255, 254]));
      await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}` }));
      assert.ok(await peer.waitFor((m) => m.startsWith('SIP/2.0 200')));
      assert.equal(peer.received.length, 2);
    } finally {
      await peer.close();
    }
  });

  test('§8.2.1: an unknown method gets 501 with Allow; a retransmitted request is absorbed by its transaction', async () => {
    const peer = await UdpPeer.open();
    try {
      await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}`, method: 'FOO' }));
      const r = await peer.waitFor((m) => m.startsWith('SIP/2.0 501'));
      assert.ok(r);
      assert.match(r, /\r\nAllow: /);
      // OPTIONS to a user goes through a transaction (OPTIONS to the switch itself is stateless).
      const again = options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}`, branch: 'z9hG4bKsame', callId: 'same', uri: 'sip:someone@127.0.0.1' });
      const absorbedBefore = stack.counters().transactions.absorbedRetransmissions;
      await peer.send(port, again);
      assert.ok(await peer.waitFor((m) => m.includes('Call-ID: same')));
      await peer.send(port, again);
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(stack.counters().transactions.absorbedRetransmissions, absorbedBefore + 1);
    } finally {
      await peer.close();
    }
  });

  test('§8.2.7: OPTIONS to the switch itself is answered without a transaction', async () => {
    const peer = await UdpPeer.open();
    try {
      const before = stack.counters().transactions.serverTransactions;
      await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}`, callId: 'stateless-options' }));
      const r = await peer.waitFor((m) => m.includes('Call-ID: stateless-options'));
      assert.match(r ?? '', /^SIP\/2\.0 200 /);
      assert.match(r ?? '', /\r\nAllow: /);
      assert.equal(stack.counters().transactions.serverTransactions, before, 'no server transaction was created');
    } finally {
      await peer.close();
    }
  });

  test('UDP over IPv6 (when configured): OPTIONS on [::1] is answered, rport filled', async (t) => {
    const v6 = await createSipStack({ listeners: [{ protocol: 'udp', host: '127.0.0.1', port: 0, ipv6Host: '::1' }], udpEngine: engine }).catch(() => undefined);
    if (v6 === undefined) return t.skip('no IPv6 loopback on this machine');
    const { createSocket } = await import('node:dgram');
    const s = createSocket({ type: 'udp6', ipv6Only: true });
    try {
      const v6port = v6.addresses().find((a) => a.family === 'IPv6')?.port ?? 0;
      assert.ok(v6port > 0);
      await new Promise<void>((r) => s.bind(0, '::1', () => r()));
      const got = new Promise<string>((r) => s.once('message', (m) => r(m.toString('latin1'))));
      s.send(Buffer.from(options({ via: `SIP/2.0/UDP [::1]:${s.address().port};rport` })), v6port, '::1');
      const r = await Promise.race([got, new Promise<string>((res) => setTimeout(() => res('timeout'), 2000))]);
      assert.match(r, /^SIP\/2\.0 200 /);
      assert.match(r, new RegExp(`;rport=${s.address().port}`));
    } finally {
      s.close();
      await v6.close();
    }
  });

  test('client side: a request sent through the stack gets its UDP response through the edge', async () => {
    const peer = await UdpPeer.open();
    try {
      const req = buildRequest({
        method: 'OPTIONS',
        uri: `sip:127.0.0.1:${peer.port}`,
        headers: [
          { name: 'via', value: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKudpout;rport` },
          { name: 'max-forwards', value: '70' },
          { name: 'from', value: '<sip:belfry@127.0.0.1>;tag=b2' },
          { name: 'to', value: `<sip:127.0.0.1:${peer.port}>` },
          { name: 'call-id', value: 'udp-out-1' },
          { name: 'cseq', value: '7 OPTIONS' },
        ],
      });
      const flow = { protocol: 'udp' as const, remoteAddress: '127.0.0.1', remotePort: peer.port, localAddress: '127.0.0.1', localPort: port };
      const response = new Promise<SipResponse>((resolve) => stack.sendRequest(req, flow, (r) => resolve(r)));
      const sent = await peer.waitFor((m) => m.startsWith('OPTIONS '));
      assert.ok(sent);
      const h = (n: string) => new RegExp(`\r\n(${n}: [^\r]*)`, 'i').exec(sent)?.[1] ?? '';
      await peer.send(port, `SIP/2.0 200 OK\r\n${h('Via')}\r\n${h('From')}\r\n${h('To')};tag=p\r\n${h('Call-ID')}\r\n${h('CSeq')}\r\nContent-Length: 0\r\n\r\n`);
      const r = await response;
      assert.equal(r.status, 200);
      assert.equal(r.cseq.seq, 7);
    } finally {
      await peer.close();
    }
  });
});
}
