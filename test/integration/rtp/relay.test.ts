/**
 * The media anchor on real UDP sockets (127.0.0.1 only): two fake phones send
 * RTP to the anchor and we check the bytes that come out on the other side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { systemClock } from '../../../src/common/index.ts';
import { ALAW_TO_ULAW, relayMappings, ULAW_TO_ALAW } from '../../../src/media/index.ts';
import { encodeTelephoneEvent, PortPool, RtpRelay, RtpView, writeRtpHeader, type RelayEvent, type RtpRelayOptions } from '../../../src/rtp/index.ts';

interface Phone {
  readonly socket: Socket;
  readonly port: number;
  readonly received: Buffer[];
  waitFor(n: number, ms?: number): Promise<void>;
  send(toPort: number, pt: number, seq: number, payload: Buffer, ssrc?: number): void;
  close(): void;
}

async function phone(): Promise<Phone> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (m) => received.push(Buffer.from(m)));
  const port = await new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
  return {
    socket,
    port,
    received,
    async waitFor(n, ms = 2000) {
      const deadline = Date.now() + ms;
      while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(received.length >= n, `expected ${n} packets, got ${received.length}`);
    },
    send(toPort, pt, seq, payload, ssrc = 0x1111) {
      const b = Buffer.alloc(12 + payload.length);
      writeRtpHeader(b, 0, { payloadType: pt, sequenceNumber: seq, timestamp: seq * 160, ssrc });
      payload.copy(b, 12);
      socket.send(b, toPort, '127.0.0.1');
    },
    close: () => socket.close(),
  };
}

async function freeBase(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
    s.close();
    if (port > 20000 && port < 65000) return port & ~1;
  }
  return 42000;
}

interface Rig {
  readonly pool: PortPool;
  readonly relay: RtpRelay;
  readonly a: Phone;
  readonly b: Phone;
  readonly anchorA: number;
  readonly anchorB: number;
  readonly events: RelayEvent[];
  close(): void;
}

async function rig(opts: Partial<Pick<RtpRelayOptions, 'aToB' | 'bToA' | 'silenceTimeoutMs'>> & { aSdpPort?: number; aTePt?: number; bRtcpPort?: number } = {}): Promise<Rig> {
  const base = await freeBase();
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 7 });
  const [pa, pb] = [await pool.allocate(), await pool.allocate()];
  assert.ok(pa.ok && pb.ok);
  const [a, b] = [await phone(), await phone()];
  const events: RelayEvent[] = [];
  const relay = new RtpRelay({
    a: { pair: pa.value, remoteAddress: '127.0.0.1', remotePort: opts.aSdpPort ?? a.port, ...(opts.aTePt !== undefined ? { telephoneEventPt: opts.aTePt } : {}) },
    b: { pair: pb.value, remoteAddress: '127.0.0.1', remotePort: b.port, ...(opts.bRtcpPort !== undefined ? { remoteRtcpPort: opts.bRtcpPort } : {}) },
    ...(opts.aToB ? { aToB: opts.aToB } : {}),
    ...(opts.bToA ? { bToA: opts.bToA } : {}),
    silenceTimeoutMs: opts.silenceTimeoutMs ?? 0,
    clock: systemClock,
    onEvent: (e) => events.push(e),
  });
  return {
    pool,
    relay,
    a,
    b,
    anchorA: pa.value.rtpPort,
    anchorB: pb.value.rtpPort,
    events,
    close() {
      relay.close();
      pool.close();
      a.close();
      b.close();
    },
  };
}

const view = new RtpView();
function payloadOf(p: Buffer): Buffer {
  assert.equal(view.reset(p), 'ok');
  return p.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength);
}

test('relay: payload bytes arrive unchanged in both directions', async () => {
  const r = await rig();
  try {
    const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff));
    for (let i = 0; i < 5; i++) r.a.send(r.anchorA, 0, 100 + i, payload);
    await r.b.waitFor(5);
    for (const p of r.b.received) assert.deepEqual(payloadOf(p), payload);
    assert.equal(view.reset(r.b.received[0] ?? Buffer.alloc(0)), 'ok');
    assert.equal(view.payloadType, 0);
    assert.equal(view.ssrc, 0x1111, 'SSRC passes through');
    for (let i = 0; i < 5; i++) r.b.send(r.anchorB, 0, 200 + i, payload.subarray(0, 80), 0x2222);
    await r.a.waitFor(5);
    for (const p of r.a.received) assert.deepEqual(payloadOf(p), payload.subarray(0, 80));
    const s = r.relay.stats();
    assert.equal(s.a.packetsReceived, 5);
    assert.equal(s.b.packetsSent, 5);
    assert.equal(s.a.lost, 0);
  } finally {
    r.close();
  }
});

test('relay: latches to the port packets really come from, not the SDP port (symmetric RTP)', async () => {
  const unused = createSocket('udp4');
  const sdpPort = await new Promise<number>((resolve) => unused.bind(0, '127.0.0.1', () => resolve(unused.address().port)));
  const strayAtSdpPort: Buffer[] = [];
  unused.on('message', (m) => strayAtSdpPort.push(m));
  const r = await rig({ aSdpPort: sdpPort });
  try {
    r.a.send(r.anchorA, 0, 1, Buffer.alloc(160, 0xff));
    await r.b.waitFor(1);
    const latched = r.events.find((e) => e.kind === 'latched' && e.side === 'a');
    assert.deepEqual(latched, { kind: 'latched', side: 'a', address: '127.0.0.1', port: r.a.port, relatch: false });
    r.b.send(r.anchorB, 0, 1, Buffer.alloc(160, 0x7f), 0x2222);
    await r.a.waitFor(1);
    assert.equal(strayAtSdpPort.length, 0);
  } finally {
    r.close();
    unused.close();
  }
});

test('relay: μ-law ↔ A-law transcoding converts every byte through the tables and maps the PT', async () => {
  const u = { codec: 'PCMU', payloadType: 0 } as const;
  const a = { codec: 'PCMA', payloadType: 8 } as const;
  const r = await rig({ aToB: relayMappings(u, a), bToA: relayMappings(a, u) });
  try {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    r.a.send(r.anchorA, 0, 1, all);
    await r.b.waitFor(1);
    const got = r.b.received[0] ?? Buffer.alloc(0);
    assert.equal(view.reset(got), 'ok');
    assert.equal(view.payloadType, 8);
    assert.deepEqual([...payloadOf(got)], [...all].map((c) => ULAW_TO_ALAW[c]));
    r.b.send(r.anchorB, 8, 1, all, 0x2222);
    await r.a.waitFor(1);
    const back = r.a.received[0] ?? Buffer.alloc(0);
    assert.equal(view.reset(back), 'ok');
    assert.equal(view.payloadType, 0);
    assert.deepEqual([...payloadOf(back)], [...all].map((c) => ALAW_TO_ULAW[c]));
  } finally {
    r.close();
  }
});

test('relay: RFC 4733 telephone-event is relayed with its PT mapped and reported once', async () => {
  const r = await rig({ aToB: relayMappings({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 }, { codec: 'PCMU', payloadType: 0, telephoneEventPt: 96 }), aTePt: 101 });
  try {
    const ev = Buffer.alloc(4);
    encodeTelephoneEvent(ev, 0, { event: 11, end: false, volume: 10, duration: 160 });
    const b = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) {
      if (i > 0) encodeTelephoneEvent(ev, 0, { event: 11, end: i >= 1, volume: 10, duration: 320 });
      writeRtpHeader(b, 0, { payloadType: 101, sequenceNumber: 10 + i, timestamp: 8000, ssrc: 0x1111, marker: i === 0 });
      ev.copy(b, 12);
      r.a.socket.send(b, r.anchorA, '127.0.0.1');
    }
    await r.b.waitFor(4);
    for (const p of r.b.received) {
      assert.equal(view.reset(p), 'ok');
      assert.equal(view.payloadType, 96);
      assert.equal(payloadOf(p)[0], 11);
    }
    const digits = r.events.filter((e) => e.kind === 'telephone-event');
    assert.deepEqual(digits, [{ kind: 'telephone-event', side: 'a', event: 11, digit: '#' }]);
  } finally {
    r.close();
  }
});

test('relay: silence timeout fires once when neither side sends', async () => {
  const r = await rig({ silenceTimeoutMs: 150 });
  try {
    r.a.send(r.anchorA, 0, 1, Buffer.alloc(160));
    await r.b.waitFor(1);
    const deadline = Date.now() + 2000;
    while (!r.events.some((e) => e.kind === 'silence') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    const silences = r.events.filter((e) => e.kind === 'silence');
    assert.equal(silences.length, 1);
    const s = silences[0];
    assert.ok(s !== undefined && s.kind === 'silence' && s.silentMs >= 150);
  } finally {
    r.close();
  }
});

test('relay: RTCP passes through between the RTCP ports', async () => {
  const bind = async () => {
    const s = createSocket('udp4');
    await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
    return s;
  };
  const rtcpA = await bind();
  const rtcpB = await bind();
  const gotB: Buffer[] = [];
  rtcpB.on('message', (m) => gotB.push(m));
  const r = await rig({ bRtcpPort: rtcpB.address().port });
  try {
    // A latches RTP first so its RTCP is accepted from the same address.
    r.a.send(r.anchorA, 0, 1, Buffer.alloc(160));
    await r.b.waitFor(1);
    const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0x11, 0x11]);
    rtcpA.send(rr, r.anchorA + 1, '127.0.0.1');
    const deadline = Date.now() + 2000;
    while (gotB.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    assert.deepEqual(gotB[0], rr);
    assert.equal(r.relay.stats().a.rtcpReceived, 1);
  } finally {
    r.close();
    rtcpA.close();
    rtcpB.close();
  }
});

test('relay: close() is idempotent and returns the ports to the pool', async () => {
  const r = await rig();
  assert.equal(r.pool.inUse, 2);
  r.relay.close();
  r.relay.close();
  assert.equal(r.relay.closed, true);
  assert.equal(r.pool.inUse, 0);
  // Released pairs wait in the pool for reuse, with none of the relay's listeners left.
  assert.equal(r.pool.ready.idle, 2);
  r.close();
  // Once the pool is closed the ports can be bound by anyone again.
  const again = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.bind(r.anchorA, '127.0.0.1', () => resolve());
  });
  again.close();
});
