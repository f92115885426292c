/**
 * The native UDP engine (src/sip/transport/native/udp.c through UdpTransport)
 * on 127.0.0.1: what only it does. The protocol cases (OPTIONS, rport,
 * keep-alives, 400s, IPv6, the client side) run on both engines in
 * transport-udp.test.ts; the torture and flood tests run against a belfry
 * process, which uses this engine by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpTransport, type Flow } from '../../../src/sip/transport/index.ts';

const skip = process.env.BELFRY_NO_NATIVE === '1' ? 'BELFRY_NO_NATIVE=1' : false;

async function peer(): Promise<{ s: Socket; port: number; got: Buffer[] }> {
  const s = createSocket('udp4');
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  const port = await new Promise<number>((r) => s.bind(0, '127.0.0.1', () => r(s.address().port)));
  // Room for a burst: the answers below arrive faster than this thread reads them.
  s.setRecvBufferSize(4 * 1024 * 1024);
  return { s, port, got };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not met in time');
}

test('native UDP: a burst of 2,000 datagrams arrives whole and in order with its flow; answers go back in order', { skip }, async () => {
  const got: { bytes: string; flow: Flow }[] = [];
  const t = new UdpTransport({ host: '127.0.0.1', port: 0, engine: 'native', onPacket: (bytes, flow) => got.push({ bytes: bytes.toString('latin1'), flow }) });
  await t.start();
  assert.equal(t.engine, 'native');
  const port = t.addresses()[0]?.port ?? 0;
  assert.ok(port > 0);
  const p = await peer();
  try {
    for (let i = 0; i < 2000; i++) p.s.send(Buffer.from(`datagram ${i} ${'x'.repeat(i % 700)}`, 'latin1'), port, '127.0.0.1');
    p.s.send(Buffer.from('\r\n\r\n'), port, '127.0.0.1');
    await until(() => got.length === 2000 && t.counters.keepalives === 1);
    got.forEach((g, i) => assert.equal(g.bytes, `datagram ${i} ${'x'.repeat(i % 700)}`));
    assert.deepEqual(got[0]?.flow, { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: p.port, localAddress: '127.0.0.1', localPort: port });
    const flow = got[0]?.flow as Flow;
    for (let i = 0; i < 500; i++) t.send(flow, Buffer.from(`answer ${i}`));
    await until(() => p.got.length === 500);
    p.got.forEach((b, i) => assert.equal(b.toString(), `answer ${i}`));
    // A 60,000-byte datagram (below the IPv4 UDP maximum) passes whole both ways.
    const big = Buffer.alloc(60_000, 0x41);
    p.s.send(big, port, '127.0.0.1');
    await until(() => got.length === 2001);
    assert.equal(got[2000]?.bytes.length, 60_000);
    t.send(flow, big);
    await until(() => p.got.length === 501);
    assert.equal(p.got[500]?.length, 60_000);
  } finally {
    p.s.close();
    await t.close();
  }
});

test('native UDP: a bad destination is a send error reported after send() returns; close frees the port and later sends fail', { skip }, async () => {
  const t = new UdpTransport({ host: '127.0.0.1', port: 0, engine: 'native', onPacket: () => undefined });
  await t.start();
  const port = t.addresses()[0]?.port ?? 0;
  const errors: string[] = [];
  let returned = false;
  t.send({ protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: 0, localAddress: '127.0.0.1', localPort: port }, Buffer.from('x'), (e) => {
    assert.ok(returned, 'reported after send() returned');
    errors.push(e.code);
  });
  returned = true;
  t.send({ protocol: 'udp', remoteAddress: 'not-an-address', remotePort: 5060, localAddress: '127.0.0.1', localPort: port }, Buffer.from('x'), (e) => errors.push(e.code));
  await until(() => errors.length === 2);
  assert.deepEqual(errors, ['SIP_TRANSPORT_SEND_FAILED', 'SIP_TRANSPORT_SEND_FAILED']);
  assert.equal(t.counters.sendErrors, 2);
  await t.close();
  await t.close();
  t.send({ protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: 9, localAddress: '127.0.0.1', localPort: port }, Buffer.from('x'), (e) => errors.push(e.code));
  assert.equal(errors[2], 'SIP_TRANSPORT_CLOSED');
  // The port is free again.
  const again = new UdpTransport({ host: '127.0.0.1', port, engine: 'native', onPacket: () => undefined });
  await again.start();
  assert.equal(again.addresses()[0]?.port, port);
  await again.close();
});

test('native UDP: a port in use is SIP_TRANSPORT_BIND_FAILED naming the address', { skip }, async () => {
  const p = await peer();
  try {
    const t = new UdpTransport({ host: '127.0.0.1', port: p.port, engine: 'native', onPacket: () => undefined });
    await assert.rejects(t.start(), (e: Error & { code?: string }) => e.code === 'SIP_TRANSPORT_BIND_FAILED' && e.message.includes(`127.0.0.1:${p.port}`) && /in use/i.test(e.message));
  } finally {
    p.s.close();
  }
});

test('native UDP: a packet handler that throws does not stop the listener', { skip }, async () => {
  let n = 0;
  const t = new UdpTransport({
    host: '127.0.0.1',
    port: 0,
    engine: 'native',
    onPacket: () => {
      n++;
      if (n === 1) throw new Error('boom');
    },
  });
  await t.start();
  const p = await peer();
  try {
    const port = t.addresses()[0]?.port ?? 0;
    p.s.send(Buffer.from('one'), port, '127.0.0.1');
    p.s.send(Buffer.from('two'), port, '127.0.0.1');
    await until(() => n === 2);
  } finally {
    p.s.close();
    await t.close();
  }
});
