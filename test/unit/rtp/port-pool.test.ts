import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { ManualClock } from '../../../src/common/index.ts';
import { PortPool } from '../../../src/rtp/index.ts';

/** A free even port base found by binding port 0 (bounded attempts). */
async function freeBase(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
    s.close();
    const base = port & ~1;
    if (base >= 20000 && base + 10 < 65535) return base;
  }
  return 41000;
}

test('port pool: pairs are even RTP + odd RTCP, exhaustion is an error result, release frees', async () => {
  const base = await freeBase();
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 3 });
  assert.equal(pool.capacity, 2);
  const a = await pool.allocate();
  const b = await pool.allocate();
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.rtpPort % 2, 0);
  assert.equal(a.value.rtcpPort, a.value.rtpPort + 1);
  assert.equal(a.value.rtp.address().port, a.value.rtpPort);
  assert.equal(a.value.rtcp.address().port, a.value.rtcpPort);
  const c = await pool.allocate();
  assert.equal(c.ok, false);
  if (!c.ok) assert.equal(c.error.code, 'RTP_PORTS_EXHAUSTED');
  a.value.release();
  a.value.release();
  assert.equal(pool.inUse, 1);
  const d = await pool.allocate();
  assert.ok(d.ok);
  d.value.release();
  b.value.release();
  assert.equal(pool.inUse, 0);
});

test('port pool: a port held by someone else is skipped', async () => {
  const base = await freeBase();
  const squatter = createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(base, '127.0.0.1', () => resolve()));
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 3 });
  const a = await pool.allocate();
  assert.ok(a.ok);
  assert.equal(a.value.rtpPort, base + 2);
  a.value.release();
  squatter.close();
});

test('port pool: ranges are checked', () => {
  assert.equal(PortPool.check({ address: '127.0.0.1', minPort: 10000, maxPort: 10001 }).ok, true);
  const bad = PortPool.check({ address: '127.0.0.1', minPort: 10001, maxPort: 10002 });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.error.code, 'RTP_POOL_BAD_RANGE');
  assert.equal(PortPool.check({ address: '127.0.0.1', minPort: 80, maxPort: 90 }).ok, false);
});

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

async function bindable(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  const ok = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => resolve(true));
  });
  s.close();
  return ok;
}

test('port pool: a released pair is handed out again only after the quarantine, without the old listeners', async () => {
  const base = await freeBase();
  const clock = new ManualClock(0);
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 9, clock, warmPairs: 0, reuseAfterMs: 5000 });
  try {
    const a = await pool.allocate();
    assert.ok(a.ok);
    let heard = 0;
    a.value.rtp.on('message', () => heard++);
    const { rtp, rtpPort } = a.value;
    a.value.release();
    assert.deepEqual(pool.ready, { warm: 0, idle: 1 });
    assert.equal(rtp.listenerCount('message'), 0);
    clock.advance(4999);
    const early = await pool.allocate();
    assert.ok(early.ok);
    assert.notEqual(early.value.rtpPort, rtpPort, 'still in quarantine: a fresh pair');
    clock.advance(1);
    const again = await pool.allocate();
    assert.ok(again.ok);
    assert.equal(again.value.rtpPort, rtpPort);
    assert.equal(again.value.rtp, rtp, 'the same bound socket, no new bind');
    assert.equal(heard, 0);
    assert.equal(pool.inUse, 2);
    early.value.release();
    again.value.release();
  } finally {
    pool.close();
  }
});

test('port pool: the warm reserve fills up off the call path, bounded, and serves the next allocations', async () => {
  const base = await freeBase();
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 19, warmPairs: 3, reuseAfterMs: 0 });
  try {
    const a = await pool.allocate();
    assert.ok(a.ok);
    assert.equal(pool.ready.warm, 0, 'nothing bound for the reserve before the allocation returned');
    await turns(20);
    assert.equal(pool.ready.warm, 3);
    const b = await pool.allocate();
    assert.ok(b.ok);
    assert.equal(pool.ready.warm, 2);
    await turns(20);
    assert.equal(pool.ready.warm, 3, 'refilled to the bound, not beyond');
    a.value.release();
    b.value.release();
  } finally {
    pool.close();
  }
});

test('port pool: with the range full, a pair still in quarantine is reused rather than failing', async () => {
  const base = await freeBase();
  const clock = new ManualClock(0);
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 3, clock, warmPairs: 0, reuseAfterMs: 5000 });
  try {
    const a = await pool.allocate();
    const b = await pool.allocate();
    assert.ok(a.ok && b.ok);
    a.value.release();
    const c = await pool.allocate();
    assert.ok(c.ok, 'no RTP_PORTS_EXHAUSTED while an idle pair exists');
    assert.equal(c.value.rtpPort, a.value.rtpPort);
    const d = await pool.allocate();
    assert.equal(d.ok, false);
    if (!d.ok) assert.equal(d.error.code, 'RTP_PORTS_EXHAUSTED');
    b.value.release();
    c.value.release();
  } finally {
    pool.close();
  }
});

test('port pool: idle pairs beyond maxIdlePairs, and every pair with reuseAfterMs 0, are closed at release', async () => {
  const base = await freeBase();
  const capped = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 5, warmPairs: 0, reuseAfterMs: 5000, maxIdlePairs: 1 });
  const x = await capped.allocate();
  const y = await capped.allocate();
  assert.ok(x.ok && y.ok);
  x.value.release();
  y.value.release();
  assert.equal(capped.ready.idle, 1);
  assert.equal(await bindable(x.value.rtpPort), false, 'kept for reuse');
  assert.equal(await bindable(y.value.rtpPort), true, 'over the cap: closed');
  capped.close();
  assert.equal(await bindable(x.value.rtpPort), true, 'close() closes idle pairs');
  const later = await capped.allocate();
  assert.equal(later.ok, false);
  if (!later.ok) assert.equal(later.error.code, 'RTP_SESSION_CLOSED');

  const plain = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 5, warmPairs: 0, reuseAfterMs: 0 });
  const z = await plain.allocate();
  assert.ok(z.ok);
  z.value.release();
  assert.equal(plain.ready.idle, 0);
  assert.equal(await bindable(z.value.rtpPort), true);
  plain.close();
});

test('port pool: sockets send to an IP literal in the same tick (no dns.lookup round trip); a closed pair is not reused', async () => {
  // With dgram's default lookup the datagram would wait for a process.nextTick,
  // and closing the socket right after send() would drop it.
  const base = await freeBase();
  const clock = new ManualClock(0);
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 3, warmPairs: 0, reuseAfterMs: 5000, clock });
  const sink = createSocket('udp4');
  const port = await new Promise<number>((resolve) => sink.bind(0, '127.0.0.1', () => resolve(sink.address().port)));
  const got = new Promise<Buffer>((resolve) => sink.once('message', resolve));
  try {
    const p = await pool.allocate();
    assert.ok(p.ok);
    p.value.rtp.send(Buffer.from('now'), port, '127.0.0.1');
    p.value.rtp.close();
    p.value.release();
    const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, 2000));
    const msg = await Promise.race([got, timeout]);
    assert.equal(msg?.toString(), 'now');
    clock.advance(5000);
    const next = await pool.allocate();
    assert.ok(next.ok);
    assert.notEqual(next.value.rtp, p.value.rtp, 'a pair whose socket was closed is never handed out again');
    next.value.release();
  } finally {
    sink.close();
    pool.close();
  }
});

test('port pool: maxBoundPairs caps the pairs bound at once below the range (file descriptor budget)', async () => {
  const base = await freeBase();
  const clock = new ManualClock(0);
  const pool = new PortPool({ address: '127.0.0.1', minPort: base, maxPort: base + 9, clock, warmPairs: 2, reuseAfterMs: 5000, maxBoundPairs: 2 });
  try {
    assert.equal(pool.capacity, 5);
    const a = await pool.allocate();
    const b = await pool.allocate();
    assert.ok(a.ok && b.ok);
    await new Promise((r) => setImmediate(r));
    assert.equal(pool.ready.warm, 0, 'no warm pair beyond the budget');
    const c = await pool.allocate();
    assert.equal(c.ok, false);
    if (!c.ok) assert.equal(c.error.code, 'RTP_PORTS_EXHAUSTED');
    a.value.release();
    const d = await pool.allocate();
    assert.ok(d.ok, 'an idle pair in quarantine is reused within the budget');
    b.value.release();
    d.value.release();
  } finally {
    pool.close();
  }
});
