import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse, createSipStack } from '../../../src/sip/index.ts';
import { UdpPeer, options } from './sip-peer.ts';

test('close({ graceMs }): new requests get 503 + Retry-After, the transaction in flight finishes, sockets close', async () => {
  const stack = await createSipStack({ listeners: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }], timers: { T1: 20 }, drainRetryAfterSec: 7 });
  stack.onRequest((tx) => {
    setTimeout(() => tx.respond(createResponse(tx.request, 200, 'OK', { toTag: 'slow' })), 300).unref();
  });
  const port = stack.addresses()[0]?.port ?? 0;
  const peer = await UdpPeer.open();
  try {
    await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}`, method: 'REGISTER', callId: 'inflight', uri: 'sip:127.0.0.1' }));
    await new Promise((r) => setTimeout(r, 50));
    const closing = stack.close({ graceMs: 2000 });
    await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}`, callId: 'late' }));
    const late = await peer.waitFor((m) => m.includes('Call-ID: late'));
    assert.ok(late);
    assert.match(late, /^SIP\/2\.0 503 /);
    assert.match(late, /\r\nRetry-After: 7\r\n/);
    const inflight = await peer.waitFor((m) => m.includes('Call-ID: inflight') && m.startsWith('SIP/2.0 200'));
    assert.ok(inflight, 'the in-flight transaction did not finish during the drain');
    await closing;
    assert.equal(stack.closed, true);
    const c = stack.counters();
    assert.equal(c.responsesSent['5xx'], 1);
    assert.equal(c.responsesSent['2xx'], 1);
  } finally {
    await peer.close();
    await stack.close();
  }
});

test('counters: received, parse errors and keep-alives are counted', async () => {
  const stack = await createSipStack({ listeners: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });
  const port = stack.addresses()[0]?.port ?? 0;
  const peer = await UdpPeer.open();
  try {
    await peer.send(port, 'garbage');
    await peer.send(port, '\r\n');
    await peer.send(port, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}` }));
    assert.ok(await peer.waitFor((m) => m.startsWith('SIP/2.0 200')));
    const c = stack.counters();
    assert.equal(c.received, 2);
    assert.equal(c.parseErrors, 1);
    assert.equal(c.dropped, 1);
    assert.equal(c.keepalives, 1);
    assert.equal(c.responsesSent['2xx'], 1);
  } finally {
    await peer.close();
    await stack.close();
  }
});
