import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { startSipTarget, type SipTarget } from './sip-target.ts';
import { UdpPeer, options } from './sip-peer.ts';
import { floodDatagram, prng } from './flood-input.ts';

const DATAGRAMS = 20_000;
let target: SipTarget;

before(async () => {
  target = await startSipTarget();
});
after(async () => {
  await target.stop();
});

test('G5: a bounded flood of malformed datagrams leaves belfry alive, answering, with throttled logs', async () => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  s.on('message', () => {}); // answers to the flood (400s, 404s) are not inspected
  const rand = prng(0xbe11f12);
  const logsBefore = target.logs.filter((l) => l.includes('sip bad input')).length;
  const counts = { random: 0, mutated: 0, truncated: 0 };
  try {
    for (let i = 0; i < DATAGRAMS; i++) {
      const d = floodDatagram(rand, i);
      counts[d.kind]++;
      s.send(d.bytes, target.udpPort, '127.0.0.1');
      // Bounded pacing: yield every 200 datagrams so the receiver gets the loop (in-process) and the socket buffer drains.
      if (i % 200 === 199) await new Promise((r) => setImmediate(r));
    }
  } finally {
    await new Promise((r) => setTimeout(r, 300));
    await new Promise<void>((r) => s.close(() => r()));
  }
  assert.ok(target.alive(), 'belfry died during the flood');
  const peer = await UdpPeer.open();
  try {
    // UDP: a probe sent while the kernel buffer is still full of flood is lost, so retry (bounded: 10 × 1 s).
    let answered = false;
    for (let k = 0; k < 10 && !answered; k++) {
      await peer.send(target.udpPort, options({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port}`, callId: `after-flood-${k}` }));
      answered = (await peer.waitFor((m) => m.startsWith('SIP/2.0 200') && m.includes(`after-flood-${k}`), 1000)) !== undefined;
    }
    assert.ok(answered, 'OPTIONS not answered after the flood');
  } finally {
    await peer.close();
  }
  const badLines = target.logs.filter((l) => l.includes('sip bad input')).slice(logsBefore);
  // One line per (peer, error code) per 10 s interval: a handful of codes, never one per datagram.
  assert.ok(badLines.length > 0, 'no bad-input log line at all');
  assert.ok(badLines.length <= 60, `${badLines.length} bad-input log lines for ${DATAGRAMS} datagrams`);
  for (const l of badLines) {
    const j = JSON.parse(l) as { peer?: string; code?: string; excerpt?: string };
    assert.ok(j.peer !== undefined && j.code !== undefined && j.excerpt !== undefined);
    assert.ok(j.excerpt.length <= 80, 'excerpt longer than 80 chars');
  }
  console.log(`flood: ${JSON.stringify(counts)}; ${badLines.length} bad-input log lines`);
});
