import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { buildRequest, createSipStack, createResponse, type SipResponse, type SipStack } from '../../../src/sip/index.ts';
import { StreamPeer, options } from './sip-peer.ts';

let stack: SipStack;
let port = 0;

before(async () => {
  stack = await createSipStack({
    listeners: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }],
    timers: { T1: 50 },
    limits: { maxMessageBytes: 4096 },
    stream: { idleTimeoutMs: 300, maxConnections: 20 },
  });
  // A TU that answers REGISTER late, after the client may have closed its connection.
  stack.onRequest((tx) => {
    setTimeout(() => tx.respond(createResponse(tx.request, 200, 'OK', { toTag: 'late' })), 150).unref();
  });
  port = stack.addresses().find((a) => a.protocol === 'tcp')?.port ?? 0;
});
after(async () => {
  await stack.close();
});

const via = (p: StreamPeer) => `SIP/2.0/TCP 127.0.0.1:${p.localPort}`;

test('TCP: OPTIONS is answered 200 on the same connection', async () => {
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write(options({ via: via(p) }));
    assert.ok(await p.until(() => p.messages().length === 1));
    assert.match(p.messages()[0] ?? '', /^SIP\/2\.0 200 /);
  } finally {
    p.close();
  }
});

test('RFC 3261 §18.3: two messages in one segment get two answers', async () => {
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write(options({ via: via(p), callId: 'one' }) + options({ via: via(p), callId: 'two' }));
    assert.ok(await p.until(() => p.messages().length === 2));
    assert.ok(p.data.includes('Call-ID: one') && p.data.includes('Call-ID: two'));
  } finally {
    p.close();
  }
});

test('RFC 3261 §18.3: one message split across segments is answered once complete', async () => {
  const p = await StreamPeer.connect(port);
  try {
    const m = options({ via: via(p), callId: 'split' });
    for (const part of [m.slice(0, 10), m.slice(10, 60), m.slice(60, m.length - 3), m.slice(m.length - 3)]) {
      p.socket.write(part);
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.ok(await p.until(() => p.messages().length === 1));
    assert.ok(p.data.includes('Call-ID: split'));
  } finally {
    p.close();
  }
});

test('RFC 5626 §3.5.1: a CRLFCRLF ping is answered with a CRLF pong; the connection stays usable', async () => {
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write('\r\n\r\n');
    assert.ok(await p.until(() => p.data === '\r\n'));
    p.socket.write(options({ via: via(p) }));
    assert.ok(await p.until(() => p.messages().length === 1));
  } finally {
    p.close();
  }
});

test('buffer cap: a connection that exceeds the maximum message size is closed', async () => {
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write('OPTIONS sip:127.0.0.1 SIP/2.0\r\nX-Pad: ' + 'a'.repeat(5000));
    assert.ok(await p.until(() => p.closed), 'connection not closed');
  } finally {
    p.close();
  }
});

test('RFC 4475 ncl: a negative Content-Length is a framing error: 400, then the connection closes', async () => {
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write(options({ via: via(p) }).replace('Content-Length: 0', 'Content-Length: -999'));
    assert.ok(await p.until(() => p.closed));
    assert.match(p.data, /^SIP\/2\.0 400 Bad Content-Length\r\n/);
  } finally {
    p.close();
  }
});

test('idle timeout: a silent connection is closed', async () => {
  const p = await StreamPeer.connect(port);
  try {
    assert.ok(await p.until(() => p.closed, 2000), 'idle connection not closed');
  } finally {
    p.close();
  }
});

test('§18.2.2: a response whose connection has closed goes over a new connection to the Via sent-by', async () => {
  // The "UA" listens on its own port, named in Via; it sends from another connection and hangs up.
  const accepted: Socket[] = [];
  let got = '';
  const ua = createServer((s) => {
    accepted.push(s);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
  });
  ua.listen(0, '127.0.0.1');
  await once(ua, 'listening');
  const uaPort = (ua.address() as { port: number }).port;
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write(options({ via: `SIP/2.0/TCP 127.0.0.1:${uaPort}`, method: 'REGISTER', callId: 'reconnect' }));
    await new Promise((r) => setTimeout(r, 30));
    p.close();
    const deadline = Date.now() + 2000;
    while (!got.includes('Call-ID: reconnect') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(got, /^SIP\/2\.0 200 OK\r\n/);
    assert.ok(got.includes('Call-ID: reconnect'));
  } finally {
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => ua.close(() => r()));
  }
});

test('connection cap: connections over the cap are refused, the stack stays up', async () => {
  const peers: StreamPeer[] = [];
  try {
    for (let i = 0; i < 25; i++) peers.push(await StreamPeer.connect(port));
    const closedOk = await peers[24]?.until(() => peers[24]?.closed === true, 1000);
    assert.ok(closedOk, 'connection over the cap still open');
  } finally {
    for (const p of peers) p.close();
  }
  await new Promise((r) => setTimeout(r, 50));
  const p = await StreamPeer.connect(port);
  try {
    p.socket.write(options({ via: via(p) }));
    assert.ok(await p.until(() => p.messages().length === 1));
  } finally {
    p.close();
  }
});

test('§18.1.1: a request to a flow with no live connection opens one; the response comes back on it', async () => {
  let got = '';
  const accepted: Socket[] = [];
  const peer = createServer((s) => {
    accepted.push(s);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      // Answer 200 on the same connection, copying the identifying headers.
      const h = (n: string) => new RegExp(`\r\n(${n}: [^\r]*)`, 'i').exec(got)?.[1] ?? '';
      s.write(`SIP/2.0 200 OK\r\n${h('Via')}\r\n${h('From')}\r\n${h('To')};tag=peer\r\n${h('Call-ID')}\r\n${h('CSeq')}\r\nContent-Length: 0\r\n\r\n`);
    });
  });
  peer.listen(0, '127.0.0.1');
  await once(peer, 'listening');
  const peerPort = (peer.address() as { port: number }).port;
  try {
    const req = buildRequest({
      method: 'OPTIONS',
      uri: `sip:127.0.0.1:${peerPort};transport=tcp`,
      headers: [
        { name: 'via', value: `SIP/2.0/TCP 127.0.0.1:${port};branch=z9hG4bKout1` },
        { name: 'max-forwards', value: '70' },
        { name: 'from', value: '<sip:belfry@127.0.0.1>;tag=b1' },
        { name: 'to', value: `<sip:127.0.0.1:${peerPort}>` },
        { name: 'call-id', value: 'outbound-1' },
        { name: 'cseq', value: '1 OPTIONS' },
      ],
    });
    const flow = { protocol: 'tcp' as const, remoteAddress: '127.0.0.1', remotePort: peerPort, localAddress: '127.0.0.1', localPort: port };
    const response = await new Promise<SipResponse>((resolve) => stack.sendRequest(req, flow, (r) => resolve(r)));
    assert.equal(response.status, 200);
    assert.equal(response.callId, 'outbound-1');
    assert.equal(accepted.length, 1);
  } finally {
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => peer.close(() => r()));
  }
});
