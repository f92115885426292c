import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/common/index.ts';
import { buildRtcpReport, parseRtcp, RtcpReporter, RtpStreamStats, type RtcpPacket } from '../../../src/rtp/index.ts';

function setup(sentPackets: { n: number }) {
  const clock = new ManualClock();
  const out: RtcpPacket[][] = [];
  const stats = new RtpStreamStats();
  const rep = new RtcpReporter({
    clock,
    ssrc: 77,
    cname: 'belfry',
    send: (b) => {
      const r = parseRtcp(b);
      assert.ok(r.ok, 'reporter output parses');
      out.push(r.value);
    },
    received: () => stats,
    sent: () => ({ packetCount: sentPackets.n, octetCount: sentPackets.n * 160, rtpTimestamp: sentPackets.n * 160 }),
    random: () => 0.5,
  });
  return { clock, out, stats, rep };
}

test('RTCP reporter §6.4: SR with a report block while we send, every 5 s, then RR when we stop sending', () => {
  const sent = { n: 0 };
  const { clock, out, stats, rep } = setup(sent);
  for (let i = 0; i < 10; i++) stats.update(9, i, i * 160, i * 160, 172);
  rep.start();
  sent.n = 250;
  clock.advance(4999);
  assert.equal(out.length, 0);
  clock.advance(1);
  assert.equal(out.length, 1);
  assert.equal(out[0]?.[0]?.kind, 'sr');
  const sr = out[0]?.[0];
  assert.ok(sr?.kind === 'sr');
  assert.equal(sr.sender.packetCount, 250);
  assert.equal(sr.reports[0]?.ssrc, 9);
  assert.equal(out[0]?.[1]?.kind, 'sdes');
  clock.advance(5000);
  assert.equal(out[1]?.[0]?.kind, 'rr', 'nothing sent since the last report');
});

test('RTCP reporter: LSR/DLSR come from the SR the peer sent; stop sends BYE once', () => {
  const { clock, out, stats, rep } = setup({ n: 0 });
  stats.update(9, 1, 0, 0, 172);
  rep.onRtcp(buildRtcpReport({ ssrc: 9, cname: 'p', sender: { ntpMsw: 0x00010002, ntpLsw: 0x00030000, rtpTimestamp: 0, packetCount: 1, octetCount: 1 }, reports: [] }));
  clock.advance(1000);
  const r = parseRtcp(rep.buildReport());
  assert.ok(r.ok);
  const rr = r.value[0];
  assert.ok(rr?.kind === 'rr');
  assert.equal(rr.reports[0]?.lastSr, 0x00020003);
  assert.equal(rr.reports[0]?.delaySinceLastSr, 65536);
  rep.stop();
  rep.stop();
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]?.map((p) => p.kind), ['rr', 'sdes', 'bye']);
  assert.equal(clock.pending, 0);
});

test('RTCP reporter: garbage RTCP input is ignored', () => {
  const { rep } = setup({ n: 0 });
  assert.deepEqual(rep.onRtcp(Buffer.from([1, 2, 3])), []);
});
