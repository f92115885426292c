/**
 * Both AnchorHost implementations run the same scenario on 127.0.0.1: an
 * anchor is created before any SDP is known, remotes and a μ-law→A-law
 * mapping are set afterwards, and packets flow through with the right bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { systemClock } from '../../../src/common/index.ts';
import { relayMappings, ULAW_TO_ALAW } from '../../../src/media/index.ts';
import { encodeTelephoneEvent, InProcessAnchorHost, PortPool, RtpView, WorkerAnchorHost, writeRtpHeader, type AnchorHost, type RelayEvent } from '../../../src/rtp/index.ts';
import { freeUdpBase } from '../../helpers/udp-ports.ts';

async function udp(): Promise<{ s: Socket; port: number; got: Buffer[] }> {
  const s = createSocket('udp4');
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(Buffer.from(m)));
  const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
  return { s, port, got };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not met in time');
}


async function scenario(host: AnchorHost): Promise<void> {
  const events: RelayEvent[] = [];
  const r = await host.createAnchor({ silenceTimeoutMs: 0, onEvent: (e) => events.push(e) });
  assert.ok(r.ok, JSON.stringify(r));
  const anchor = r.value;
  const [a, b] = [await udp(), await udp()];
  try {
    anchor.setRemote('a', { remoteAddress: '127.0.0.1', remotePort: a.port, telephoneEventPt: 101 });
    anchor.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: b.port });
    anchor.setMappings(relayMappings({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 }, { codec: 'PCMA', payloadType: 8, telephoneEventPt: 96 }), undefined);
    // Control messages to a worker are asynchronous: give them a moment before media flows.
    await new Promise((res) => setTimeout(res, 50));
    const pkt = Buffer.alloc(12 + 160);
    writeRtpHeader(pkt, 0, { payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 5 });
    for (let i = 0; i < 160; i++) pkt[12 + i] = i;
    a.s.send(pkt, anchor.aPort, '127.0.0.1');
    const te = Buffer.alloc(16);
    writeRtpHeader(te, 0, { payloadType: 101, sequenceNumber: 2, timestamp: 320, ssrc: 5 });
    encodeTelephoneEvent(te, 12, { event: 5, end: true, volume: 10, duration: 800 });
    a.s.send(te, anchor.aPort, '127.0.0.1');
    await until(() => b.got.length >= 2);
    const v = new RtpView();
    const audio = b.got.find((p) => v.reset(p) === 'ok' && v.payloadType === 8);
    assert.ok(audio, 'audio arrives with PT 8');
    assert.deepEqual([...audio.subarray(12)], Array.from({ length: 160 }, (_, i) => ULAW_TO_ALAW[i]));
    assert.ok(b.got.some((p) => v.reset(p) === 'ok' && v.payloadType === 96), 'telephone-event arrives with PT 96');
    await until(() => events.some((e) => e.kind === 'telephone-event'));
    assert.deepEqual(events.find((e) => e.kind === 'telephone-event'), { kind: 'telephone-event', side: 'a', event: 5, digit: '5' });
    // And back, unmapped.
    b.s.send(pkt, anchor.bPort, '127.0.0.1');
    await until(() => a.got.length >= 1);
    const stats = await anchor.stats();
    assert.equal(stats.a.packetsReceived, 2);
    assert.equal(stats.b.packetsSent, 2);
  } finally {
    anchor.close();
    anchor.close();
    assert.equal(anchor.closed, true);
    a.s.close();
    b.s.close();
  }
}

test('InProcessAnchorHost: anchor created before SDP, then remotes and mappings; close releases ports', async () => {
  const base = await freeUdpBase(20);
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 19 });
  const host = new InProcessAnchorHost(pool, systemClock);
  await scenario(host);
  assert.equal(pool.inUse, 0);
  await host.close();
  const after = await host.createAnchor({ silenceTimeoutMs: 0 });
  assert.equal(after.ok, false);
});

test('WorkerAnchorHost: the same scenario with relays in two worker threads', async () => {
  const base = await freeUdpBase(40);
  const started = await WorkerAnchorHost.start({ address: '127.0.0.1', minPort: base, maxPort: base + 39, workers: 2 });
  assert.ok(started.ok, JSON.stringify(started));
  const host = started.value;
  try {
    await scenario(host);
    await scenario(host);
    assert.deepEqual(host.anchorsPerWorker, [0, 0]);
  } finally {
    await host.close();
  }
});

test('WorkerAnchorHost: a range too small for the worker count is RTP_POOL_BAD_RANGE', async () => {
  const r = await WorkerAnchorHost.start({ address: '127.0.0.1', minPort: 40000, maxPort: 40003, workers: 2 });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'RTP_POOL_BAD_RANGE');
});
