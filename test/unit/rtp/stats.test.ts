import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMos, RtpStreamStats } from '../../../src/rtp/index.ts';

test('stats A.3: no loss gives expected = received and fraction 0', () => {
  const s = new RtpStreamStats();
  for (let i = 0; i < 50; i++) s.update(1, (65500 + i) & 0xffff, i * 160, i * 160, 172);
  assert.equal(s.packets, 50);
  assert.equal(s.bytes, 50 * 172);
  assert.equal(s.expected, 50);
  assert.equal(s.cumulativeLost, 0);
  assert.equal(s.takeFractionLost(), 0);
  assert.equal(s.cycles, 65536, 'one wrap counted');
  assert.equal(s.extendedMaxSeq, 65536 + ((65500 + 49) & 0xffff));
});

test('stats A.3: every 4th packet lost gives fraction 64/256 and cumulative lost', () => {
  const s = new RtpStreamStats();
  for (let i = 0; i < 100; i++) if (i % 4 !== 3) s.update(9, i, i * 160, i * 160, 172);
  assert.equal(s.expected, 99);
  assert.equal(s.cumulativeLost, 24);
  assert.equal(s.takeFractionLost(), Math.floor((24 * 256) / 99));
  // The next interval starts empty.
  assert.equal(s.takeFractionLost(), 0);
});

test('stats A.8: constant transit gives zero jitter, alternating ±80 converges towards 80', () => {
  const s = new RtpStreamStats();
  for (let i = 0; i < 100; i++) s.update(1, i, i * 160, 1000 + i * 160, 172);
  assert.equal(s.jitter, 0);
  const t = new RtpStreamStats();
  for (let i = 0; i < 400; i++) t.update(1, i, i * 160, i * 160 + (i % 2 === 0 ? 0 : 80), 172);
  assert.ok(Math.abs(t.jitter - 80) < 1, `jitter ${t.jitter}`);
});

test('stats A.1: a new SSRC restarts the stream', () => {
  const s = new RtpStreamStats();
  for (let i = 0; i < 10; i++) s.update(1, 100 + i, 0, 0, 10);
  s.update(2, 5000, 0, 0, 10);
  assert.equal(s.ssrc, 2);
  assert.equal(s.expected, 1);
});

test('stats A.1: a single huge jump is not trusted until the next packet confirms it', () => {
  const s = new RtpStreamStats();
  s.update(1, 10, 0, 0, 10);
  s.update(1, 11, 0, 0, 10);
  s.update(1, 30000, 0, 0, 10);
  assert.equal(s.invalid, 1);
  assert.equal(s.maxSeq, 11);
  s.update(1, 30001, 0, 0, 10);
  assert.equal(s.maxSeq, 30001);
  assert.equal(s.expected, 1);
});

test('MOS: perfect network is about 4.4, loss and delay lower it monotonically', () => {
  const best = estimateMos(0, 0, 0);
  assert.ok(best > 4.3 && best < 4.5, String(best));
  assert.ok(estimateMos(0.05, 0, 0) < best);
  assert.ok(estimateMos(0.2, 0, 0) < estimateMos(0.05, 0, 0));
  assert.ok(estimateMos(0, 0, 400) < estimateMos(0, 0, 100));
  assert.ok(estimateMos(0, 50, 0) < best);
  assert.equal(estimateMos(1, 500, 2000), 1);
});
