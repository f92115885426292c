import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
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
