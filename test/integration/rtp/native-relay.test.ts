/**
 * The native relay (src/rtp/native/relay.c through NativeAnchorHost) on real
 * UDP sockets on 127.0.0.1. The JavaScript relay is its specification: the
 * differential property feeds the same random packet sequences through an
 * InProcessAnchorHost and a NativeAnchorHost and requires the same bytes out,
 * the same counters and the same events. The other cases cover what only the
 * native host does: threads, quarantine, the descriptor budget, shutdown.
 *
 * The addon is built by `npm ci` (node-gyp); when it is missing these tests
 * fail rather than skip, unless BELFRY_NO_NATIVE=1 says the machine has no
 * compiler on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { systemClock } from '../../../src/common/index.ts';
import { relayMappings } from '../../../src/media/index.ts';
import {
  encodeTelephoneEvent,
  InProcessAnchorHost,
  loadNativeRelay,
  NativeAnchorHost,
  PortPool,
  writeRtpHeader,
  type AnchorHandle,
  type AnchorHost,
  type PayloadMapping,
  type RelayEvent,
} from '../../../src/rtp/index.ts';
import { freeUdpBase } from '../../helpers/udp-ports.ts';

const skip = process.env.BELFRY_NO_NATIVE === '1' ? 'BELFRY_NO_NATIVE=1' : false;

interface Udp {
  s: Socket;
  port: number;
  got: Buffer[];
}

async function udp(): Promise<Udp> {
  const s = createSocket('udp4');
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(Buffer.from(m)));
  const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
  return { s, port, got };
}

async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `${what} not met in time`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function canBind(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => {
      s.close();
      resolve(true);
    });
  });
}

function rtp(pt: number, seq: number, ts: number, ssrc: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  writeRtpHeader(b, 0, { payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc });
  b.set(payload, 12);
  return b;
}

function startNative(opts: { threads?: number; maxBoundPairs?: number; quarantineMs?: number; base: number; span: number }): NativeAnchorHost {
  const r = NativeAnchorHost.start({
    address: '127.0.0.1',
    minPort: opts.base,
    maxPort: opts.base + opts.span - 1,
    threads: opts.threads ?? 1,
    maxBoundPairs: opts.maxBoundPairs ?? 1000,
    quarantineMs: opts.quarantineMs ?? 0,
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

test('native relay: the addon is built and loads', { skip }, () => {
  const r = loadNativeRelay();
  assert.ok(r.ok, r.ok ? '' : `build it with npm run build:native: ${r.error}`);
});

test('native relay: RTP both ways with payload bytes checked, RTCP both ways, stats', { skip }, async () => {
  const base = await freeUdpBase(20);
  const host = startNative({ base, span: 20 });
  const events: RelayEvent[] = [];
  const r = await host.createAnchor({ silenceTimeoutMs: 0, onEvent: (e) => events.push(e) });
  assert.ok(r.ok);
  const anchor = r.value;
  const [a, b, aRtcp, bRtcp] = [await udp(), await udp(), await udp(), await udp()];
  try {
    anchor.setRemote('a', { remoteAddress: '127.0.0.1', remotePort: a.port, remoteRtcpPort: aRtcp.port });
    anchor.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: b.port, remoteRtcpPort: bRtcp.port });
    const payload = Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff);
    for (let i = 0; i < 5; i++) a.s.send(rtp(0, 100 + i, 1000 + i * 160, 0xabc, payload), anchor.aPort, '127.0.0.1');
    for (let i = 0; i < 3; i++) b.s.send(rtp(8, 7 + i, 50 + i * 160, 0xdef, payload.map((x) => 255 - x)), anchor.bPort, '127.0.0.1');
    await until(() => b.got.length === 5 && a.got.length === 3, 3000, 'RTP both ways');
    for (let i = 0; i < 5; i++) assert.deepEqual([...(b.got[i] ?? [])], [...rtp(0, 100 + i, 1000 + i * 160, 0xabc, payload)]);
    for (let i = 0; i < 3; i++) assert.deepEqual([...(a.got[i] ?? [])], [...rtp(8, 7 + i, 50 + i * 160, 0xdef, payload.map((x) => 255 - x))]);
    // RTCP: from A's RTCP socket (latched to its RTP address), to B's RTCP port from SDP; and back.
    // RTCP latches on its own socket (session.ts): until B's RTCP arrives, B's RTCP goes next to its latched RTP port.
    const sr = Buffer.from([0x80, 200, 0, 1, 0, 0, 0x0a, 0xbc]);
    aRtcp.s.send(sr, anchor.aPort + 1, '127.0.0.1');
    await sleep(20);
    bRtcp.s.send(sr, anchor.bPort + 1, '127.0.0.1');
    await until(() => aRtcp.got.length === 1, 3000, 'RTCP B to A');
    assert.deepEqual([...(aRtcp.got[0] ?? [])], [...sr]);
    aRtcp.s.send(sr, anchor.aPort + 1, '127.0.0.1');
    await until(() => bRtcp.got.length === 1, 3000, 'RTCP A to B');
    const st = await anchor.stats();
    assert.equal(st.a.packetsReceived, 5);
    assert.equal(st.a.expected, 5);
    assert.equal(st.a.lost, 0);
    assert.equal(st.a.latched, true);
    assert.equal(st.a.remotePort, a.port);
    assert.equal(st.a.remoteAddress, '127.0.0.1');
    assert.equal(st.b.packetsSent, 5);
    assert.equal(st.b.bytesSent, 5 * 172);
    assert.equal(st.a.packetsSent, 3);
    assert.equal(st.a.rtcpReceived, 2);
    assert.equal(st.b.rtcpReceived, 1);
    assert.ok(st.a.mos > 4.3, `MOS ${st.a.mos}`);
    await until(() => events.filter((e) => e.kind === 'latched').length === 2);
    assert.deepEqual(events.find((e) => e.kind === 'latched' && e.side === 'a'), { kind: 'latched', side: 'a', address: '127.0.0.1', port: a.port, relatch: false });
  } finally {
    anchor.close();
    for (const u of [a, b, aRtcp, bRtcp]) u.s.close();
    await host.close();
  }
});

/** One step of a random packet sequence sent into side A (or B) of an anchor. */
type Step =
  | { kind: 'rtp'; side: 0 | 1; pt: number; seqStep: number; ssrcChange: boolean; payload: number[] }
  | { kind: 'te'; side: 0 | 1; event: number; tsStep: number }
  | { kind: 'junk'; side: 0 | 1; bytes: number[] }
  | { kind: 'stranger'; side: 0 | 1 };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('rtp' as const), side: fc.constantFrom(0 as const, 1 as const), pt: fc.constantFrom(0, 8, 18, 13), seqStep: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 2990, max: 3010 }), fc.integer({ min: 65400, max: 65535 })), ssrcChange: fc.boolean(), payload: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('te' as const), side: fc.constantFrom(0 as const, 1 as const), event: fc.integer({ min: 0, max: 16 }), tsStep: fc.integer({ min: -400, max: 800 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('junk' as const), side: fc.constantFrom(0 as const, 1 as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stranger' as const), side: fc.constantFrom(0 as const, 1 as const) }) },
);

/** Send the steps through one host's anchor; return what each phone received, the stats and the events. */
async function run(host: AnchorHost, steps: Step[], mappings: { aToB: PayloadMapping[]; bToA: PayloadMapping[] }) {
  const events: RelayEvent[] = [];
  const r = await host.createAnchor({ silenceTimeoutMs: 0, relatchGuardMs: 60_000, onEvent: (e) => events.push(e) });
  assert.ok(r.ok);
  const anchor: AnchorHandle = r.value;
  const phones = [await udp(), await udp()];
  const stranger = await udp();
  try {
    anchor.setRemote('a', { remoteAddress: '127.0.0.1', remotePort: phones[0]?.port ?? 0, telephoneEventPt: 101 });
    anchor.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: phones[1]?.port ?? 0, telephoneEventPt: 96 });
    anchor.setMappings(mappings.aToB, mappings.bToA);
    const seq = [1000, 2000];
    const ts = [0, 0];
    const ssrc = [0x1111, 0x2222];
    let sent = 0;
    const ports = [anchor.aPort, anchor.bPort];
    for (const s of steps) {
      const from = phones[s.side] as Udp;
      const to = ports[s.side] as number;
      let buf: Buffer;
      if (s.kind === 'rtp' || s.kind === 'te') {
        if (s.kind === 'rtp') {
          if (s.ssrcChange) ssrc[s.side] = ((ssrc[s.side] ?? 0) + 1) >>> 0;
          seq[s.side] = ((seq[s.side] ?? 0) + s.seqStep) & 0xffff;
          ts[s.side] = ((ts[s.side] ?? 0) + 160) >>> 0;
          buf = rtp(s.pt, seq[s.side] ?? 0, ts[s.side] ?? 0, ssrc[s.side] ?? 0, Uint8Array.from(s.payload));
        } else {
          seq[s.side] = ((seq[s.side] ?? 0) + 1) & 0xffff;
          ts[s.side] = ((ts[s.side] ?? 0) + s.tsStep) >>> 0;
          const te = Buffer.alloc(4);
          encodeTelephoneEvent(te, 0, { event: s.event, end: false, volume: 10, duration: 160 });
          buf = rtp(s.side === 0 ? 101 : 96, seq[s.side] ?? 0, ts[s.side] ?? 0, ssrc[s.side] ?? 0, te);
        }
        from.s.send(buf, to, '127.0.0.1');
      } else if (s.kind === 'junk') {
        from.s.send(Buffer.from(s.bytes), to, '127.0.0.1');
      } else {
        stranger.s.send(rtp(0, 1, 1, 0x9999, Uint8Array.of(1, 2, 3)), to, '127.0.0.1');
      }
      sent++;
      // Keep order across the two sources: loopback UDP keeps each socket's order, not the interleaving.
      if (sent % 4 === 0 || s.kind === 'stranger') await sleep(2);
    }
    await sleep(150);
    const st = await anchor.stats();
    // Ports differ between runs: name them.
    const name = (p: number) => (p === phones[0]?.port ? 'phoneA' : p === phones[1]?.port ? 'phoneB' : p === stranger.port ? 'stranger' : p);
    const strip = (x: typeof st.a) => ({ ...x, localPort: 0, jitterMs: 0, mos: 0, remotePort: name(x.remotePort) });
    return {
      toA: (phones[0] as Udp).got.map((b) => b.toString('hex')),
      toB: (phones[1] as Udp).got.map((b) => b.toString('hex')),
      stats: { a: strip(st.a), b: strip(st.b) },
      // Per side, in order: the interleaving of two phones' sockets is up to the poller, in both relays.
      events: (['a', 'b'] as const).map((side) => events.filter((e) => 'side' in e && e.side === side).map((e) => (e.kind === 'latched' ? { ...e, port: name(e.port) } : e))),
    };
  } finally {
    anchor.close();
    for (const u of [...phones, stranger]) u.s.close();
  }
}

test('native relay: the same packets give the same bytes, counters and events as the JavaScript relay (property)', { skip, timeout: 600_000 }, async () => {
  const base = await freeUdpBase(80);
  const js = new InProcessAnchorHost(new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 39, reuseAfterMs: 0 }), systemClock);
  const native = startNative({ base: base + 40, span: 40 });
  const mappingSets = [
    { aToB: [] as PayloadMapping[], bToA: [] as PayloadMapping[] },
    {
      aToB: [...relayMappings({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 }, { codec: 'PCMA', payloadType: 8, telephoneEventPt: 96 }), { fromPt: 13, toPt: 13, drop: true }],
      bToA: relayMappings({ codec: 'PCMA', payloadType: 8, telephoneEventPt: 96 }, { codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 }),
    },
  ];
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: mappingSets.length - 1 }), async (steps, m) => {
        const mappings = mappingSets[m] as (typeof mappingSets)[number];
        const want = await run(js, steps, mappings);
        const got = await run(native, steps, mappings);
        if (process.env.NATIVE_DEBUG === '1' && JSON.stringify(got) !== JSON.stringify(want)) console.log(JSON.stringify({ got, want }));
        assert.deepEqual(got, want);
      }),
      {
        numRuns: Number(process.env.NATIVE_RUNS ?? 25),
        examples: [
          [[{ kind: 'stranger', side: 0 }, { kind: 'rtp', side: 0, pt: 0, seqStep: 0, ssrcChange: false, payload: [] }], 0],
          [[{ kind: 'junk', side: 0, bytes: [] }, { kind: 'rtp', side: 1, pt: 0, seqStep: 65407, ssrcChange: false, payload: [0] }, { kind: 'rtp', side: 0, pt: 8, seqStep: 1, ssrcChange: true, payload: [] }], 1],
        ],
      },
    );
  } finally {
    await js.close();
    await native.close();
  }
});

test('native relay: silence fires once after the timeout; setSilenceTimeout(0) disables it', { skip }, async () => {
  const base = await freeUdpBase(20);
  const host = startNative({ base, span: 20 });
  try {
    const events: RelayEvent[] = [];
    const r = await host.createAnchor({ silenceTimeoutMs: 150, onEvent: (e) => events.push(e) });
    assert.ok(r.ok);
    await until(() => events.some((e) => e.kind === 'silence'));
    await sleep(200);
    const silences = events.filter((e) => e.kind === 'silence');
    assert.equal(silences.length, 1);
    assert.ok(silences[0]?.kind === 'silence' && silences[0].silentMs >= 150);
    const r2 = await host.createAnchor({ silenceTimeoutMs: 100, onEvent: (e) => events.push(e) });
    assert.ok(r2.ok);
    r2.value.setSilenceTimeout(0);
    await sleep(250);
    assert.equal(events.filter((e) => e.kind === 'silence').length, 1);
    r.value.close();
    r2.value.close();
  } finally {
    await host.close();
  }
});

test('native relay: closed anchors keep their ports for the quarantine and drop what arrives; at the budget the oldest gives them up early', { skip }, async () => {
  const base = await freeUdpBase(40);
  const host = startNative({ base, span: 40, maxBoundPairs: 6, quarantineMs: 300 });
  const [a, b] = [await udp(), await udp()];
  try {
    const r1 = await host.createAnchor({ silenceTimeoutMs: 0 });
    const r2 = await host.createAnchor({ silenceTimeoutMs: 0 });
    assert.ok(r1.ok && r2.ok);
    const anchor = r1.value;
    anchor.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: b.port });
    anchor.close();
    assert.equal(anchor.closed, true);
    await assert.rejects(anchor.stats());
    a.s.send(rtp(0, 1, 1, 1, Uint8Array.of(1)), anchor.aPort, '127.0.0.1');
    assert.equal(await canBind(anchor.aPort), false, 'still bound in quarantine');
    assert.equal(host.counters().openPairs, 4);
    await sleep(100);
    assert.equal(b.got.length, 0, 'a closed anchor relays nothing');
    await until(() => host.counters().openPairs === 2, 2000, 'quarantine over');
    assert.equal(await canBind(anchor.aPort), true, 'released after the quarantine');
    // The budget (6 pairs = 3 anchors) is full with r2, r3, r4: no anchor in quarantine, so the call fails.
    const r3 = await host.createAnchor({ silenceTimeoutMs: 0 });
    const r4 = await host.createAnchor({ silenceTimeoutMs: 0 });
    assert.ok(r3.ok && r4.ok);
    const r5 = await host.createAnchor({ silenceTimeoutMs: 0 });
    assert.equal(r5.ok, false);
    if (!r5.ok) assert.equal(r5.error.code, 'RTP_PORTS_EXHAUSTED');
    // With r3 in quarantine, the next anchor takes its place at once: r3's ports close early.
    r3.value.close();
    const r6 = await host.createAnchor({ silenceTimeoutMs: 0 });
    assert.ok(r6.ok, 'the quarantined anchor gave its ports up');
    assert.equal(host.counters().reclaimedEarly, 1);
    assert.equal(host.counters().openPairs, 6);
    assert.equal(await canBind(r3.value.bPort), r6.value.aPort !== r3.value.bPort && r6.value.bPort !== r3.value.bPort, 'r3 closed early');
    for (const r of [r2, r4, r6]) if (r.ok) r.value.close();
  } finally {
    a.s.close();
    b.s.close();
    await host.close();
  }
});

test('native relay: the threads keep pairs bound ahead of need; anchors take them, stray datagrams on them are dropped, the reserve refills', { skip }, async () => {
  const base = await freeUdpBase(80);
  // 40 pairs in the range: the reserve is a quarter of it (10), within an eighth of the budget (1000 / 8).
  const host = startNative({ base, span: 80, maxBoundPairs: 1000 });
  const [a, b, stray] = [await udp(), await udp(), await udp()];
  try {
    await until(() => host.counters().reserved === 10, 2000, 'reserve filled');
    assert.equal(host.counters().openPairs, 10);
    // A datagram sent to every port of the range before any call: reserved sockets hold some of them.
    // The test's own sockets have ephemeral ports, which can fall inside the range: they get no stray,
    // or b would count it as the relayed packet (the flake this test once had).
    const own = new Set([a.port, b.port, stray.port]);
    for (let p = base; p < base + 80; p++) if (!own.has(p)) stray.s.send(rtp(0, 1, 1, 0x5555, Uint8Array.of(7)), p, '127.0.0.1');
    await sleep(50);
    const r = await host.createAnchor({ silenceTimeoutMs: 0 });
    assert.ok(r.ok);
    const an = r.value;
    assert.ok(an.aPort >= base && an.aPort < base + 80 && an.bPort >= base && an.bPort < base + 80);
    assert.equal(host.counters().openPairs, 10, 'two pairs moved from the reserve to the anchor');
    an.setRemote('a', { remoteAddress: '127.0.0.1', remotePort: a.port });
    an.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: b.port });
    a.s.send(rtp(0, 9, 9, 0x1111, Uint8Array.of(1, 2)), an.aPort, '127.0.0.1');
    await until(() => b.got.length === 1, 2000, 'relayed');
    assert.equal(b.got[0]?.readUInt32BE(8), 0x1111, 'the phone\'s packet, not the stray');
    const st = await an.stats();
    assert.equal(st.a.remotePort, a.port, 'latched to the phone, not to the stray datagram');
    assert.equal(st.a.packetsReceived, 1);
    await until(() => host.counters().reserved === 10, 2000, 'reserve refilled');
    an.close();
  } finally {
    for (const u of [a, b, stray]) u.s.close();
    await host.close();
  }
});

test('native relay: anchors spread over threads; garbage on every port never stops the relay; close frees every port', { skip }, async () => {
  const base = await freeUdpBase(40);
  const host = startNative({ base, span: 40, threads: 2 });
  const anchors: AnchorHandle[] = [];
  const junk = await udp();
  const [a, b] = [await udp(), await udp()];
  try {
    for (let i = 0; i < 4; i++) {
      const r = await host.createAnchor({ silenceTimeoutMs: 0 });
      assert.ok(r.ok);
      anchors.push(r.value);
    }
    assert.deepEqual(host.counters().anchorsPerThread, [2, 2]);
    const x = anchors[3] as AnchorHandle;
    x.setRemote('a', { remoteAddress: '127.0.0.1', remotePort: a.port });
    x.setRemote('b', { remoteAddress: '127.0.0.1', remotePort: b.port });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 3 }), (bytes, k) => {
        const an = anchors[k] as AnchorHandle;
        for (const p of [an.aPort, an.aPort + 1, an.bPort, an.bPort + 1]) junk.s.send(bytes, p, '127.0.0.1');
      }),
      { numRuns: 200 },
    );
    await sleep(100);
    a.s.send(rtp(0, 5, 5, 5, Uint8Array.of(9, 9)), x.aPort, '127.0.0.1');
    b.s.send(rtp(0, 6, 6, 6, Uint8Array.of(8, 8)), x.bPort, '127.0.0.1');
    await until(() => b.got.length >= 1 && a.got.length >= 1);
    const ports = anchors.flatMap((an) => [an.aPort, an.bPort]);
    await host.close();
    assert.equal(anchors.every((an) => an.closed), true);
    for (const p of ports) assert.equal(await canBind(p), true, `port ${p} closed with the host`);
    const after = await host.createAnchor({ silenceTimeoutMs: 0 });
    assert.equal(after.ok, false);
  } finally {
    for (const u of [junk, a, b]) u.s.close();
    await host.close();
  }
});
