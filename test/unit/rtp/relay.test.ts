/**
 * RtpRelay with stub sockets and a manual clock: the per-packet decisions and
 * the silence timer without the network (the real-socket cases are in
 * test/integration/rtp/relay.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { ManualClock } from '../../../src/common/index.ts';
import { RtpRelay, writeRtpHeader, type PayloadMapping, type RelayEvent, type RtpSocketPair } from '../../../src/rtp/index.ts';

type Listener = (msg: Buffer, rinfo: { address: string; port: number }) => void;
interface Stub {
  pair: RtpSocketPair;
  sent: { bytes: number[]; port: number; address: string }[];
  deliver(msg: Buffer, address: string, port: number): void;
  released: number;
}

function stub(port: number): Stub {
  const listeners: Listener[] = [];
  const sent: Stub['sent'] = [];
  const rtp = {
    on(ev: string, l: Listener) {
      if (ev === 'message') listeners.push(l);
      return rtp;
    },
    // The relay sends whole datagrams: send(msg, port, address).
    send(msg: Buffer, p: number, address: string) {
      sent.push({ bytes: [...msg], port: p, address });
    },
    removeAllListeners() {
      listeners.length = 0;
      return rtp;
    },
  };
  const rtcp = { on: () => rtcp, send() {}, removeAllListeners: () => rtcp };
  const s: Stub = {
    pair: { address: '127.0.0.1', rtpPort: port, rtcpPort: port + 1, rtp: rtp as unknown as Socket, rtcp: rtcp as unknown as Socket, release: () => void s.released++ },
    sent,
    deliver: (msg, address, p) => {
      for (const l of listeners) l(msg, { address, port: p });
    },
    released: 0,
  };
  return s;
}

function pkt(pt: number, seq: number, ssrc = 1, payload: number[] = [1, 2, 3]): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  writeRtpHeader(b, 0, { payloadType: pt, sequenceNumber: seq, timestamp: seq * 160, ssrc });
  Buffer.from(payload).copy(b, 12);
  return b;
}

function setup(aToB?: PayloadMapping[], onEvent?: (e: RelayEvent) => void) {
  const clock = new ManualClock();
  const a = stub(10000);
  const b = stub(10002);
  const events: RelayEvent[] = [];
  const relay = new RtpRelay({
    a: { pair: a.pair, remoteAddress: '203.0.113.1', remotePort: 4000 },
    b: { pair: b.pair, remoteAddress: '203.0.113.2', remotePort: 5000 },
    ...(aToB ? { aToB } : {}),
    silenceTimeoutMs: 3000,
    clock,
    onEvent: onEvent ?? ((e) => events.push(e)),
  });
  return { clock, a, b, relay, events };
}

test('relay: a malformed datagram is counted and not forwarded', () => {
  const { a, b, relay } = setup();
  a.deliver(Buffer.from([0x40, 0, 0]), '203.0.113.1', 4000);
  assert.equal(b.sent.length, 0);
  assert.equal(relay.stats().a.malformed, 1);
  relay.close();
});

test('relay: packets from a stranger (public SDP address) are dropped, not forwarded', () => {
  const { a, b, relay } = setup();
  a.deliver(pkt(0, 1), '198.51.100.66', 4000);
  assert.equal(b.sent.length, 0);
  assert.equal(relay.stats().a.droppedForeign, 1);
  a.deliver(pkt(0, 2), '203.0.113.1', 4444);
  assert.deepEqual(b.sent[0]?.port, 5000);
  assert.equal(relay.stats().a.remotePort, 4444);
  relay.close();
});

test('relay: a drop mapping discards that PT; a table mapping converts and rewrites the PT', () => {
  const table = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
  const { a, b, relay } = setup([
    { fromPt: 101, toPt: 101, drop: true },
    { fromPt: 0, toPt: 8, table },
  ]);
  a.deliver(pkt(101, 1), '203.0.113.1', 4000);
  assert.equal(b.sent.length, 0);
  a.deliver(pkt(0, 2, 1, [0, 1, 200]), '203.0.113.1', 4000);
  const out = b.sent[0]?.bytes ?? [];
  assert.equal((out[1] ?? 0) & 0x7f, 8);
  assert.deepEqual(out.slice(12), [255, 254, 55]);
  relay.close();
});

test('relay: silence fires once, counted from the last packet on either side', () => {
  const { clock, a, relay, events } = setup();
  clock.advance(2000);
  a.deliver(pkt(0, 1), '203.0.113.1', 4000);
  clock.advance(2999);
  assert.equal(events.filter((e) => e.kind === 'silence').length, 0);
  clock.advance(1);
  assert.deepEqual(events.filter((e) => e.kind === 'silence'), [{ kind: 'silence', silentMs: 3000 }]);
  clock.advance(10_000);
  assert.equal(events.filter((e) => e.kind === 'silence').length, 1);
  relay.close();
  assert.equal(clock.pending, 0);
});

test('relay: setSilenceTimeout(0) disables the timer; close cancels it and releases both pairs once', () => {
  const { clock, a, b, relay, events } = setup();
  relay.setSilenceTimeout(0);
  clock.advance(60_000);
  assert.equal(events.length, 0);
  relay.close();
  relay.close();
  assert.equal(a.released, 1);
  assert.equal(b.released, 1);
  a.deliver(pkt(0, 1), '203.0.113.1', 4000);
  assert.equal(b.sent.length, 0);
});

test('relay: a throwing listener does not break the media path (STYLE G9)', () => {
  const seen: string[] = [];
  const { a, b, relay } = setup(undefined, (e) => {
    seen.push(e.kind);
    if (e.kind === 'latched') throw new Error('listener bug');
  });
  a.deliver(pkt(0, 1), '203.0.113.1', 4000);
  assert.equal(b.sent.length, 1);
  assert.deepEqual(seen, ['latched', 'listener-error']);
  relay.close();
});
