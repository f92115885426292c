import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtcpReport, ntpFromWallMs, ntpMiddle, parseRtcp, ReportBlockBuilder, RtpStreamStats } from '../../../src/rtp/index.ts';

test('RTCP: an SR + SDES compound we build parses back field for field (§6.4.1, §6.5)', () => {
  const ntp = ntpFromWallMs(Date.UTC(2026, 0, 1));
  const buf = buildRtcpReport({
    ssrc: 0xabcdef01,
    cname: 'belfry@example',
    sender: { ntpMsw: ntp.msw, ntpLsw: ntp.lsw, rtpTimestamp: 1234, packetCount: 50, octetCount: 8000 },
    reports: [{ ssrc: 42, fractionLost: 25, cumulativeLost: -3, extendedHighestSeq: 70000, jitter: 12, lastSr: 0x11223344, delaySinceLastSr: 65536 }],
  });
  assert.equal(buf.length % 4, 0);
  const r = parseRtcp(buf);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.length, 2);
  const sr = r.value[0];
  assert.ok(sr !== undefined && sr.kind === 'sr');
  assert.equal(sr.ssrc, 0xabcdef01);
  assert.equal(sr.sender.packetCount, 50);
  assert.equal(sr.sender.ntpMsw, ntp.msw);
  assert.deepEqual(sr.reports[0], { ssrc: 42, fractionLost: 25, cumulativeLost: -3, extendedHighestSeq: 70000, jitter: 12, lastSr: 0x11223344, delaySinceLastSr: 65536 });
  const sdes = r.value[1];
  assert.ok(sdes !== undefined && sdes.kind === 'sdes');
  assert.deepEqual(sdes.chunks, [{ ssrc: 0xabcdef01, cname: 'belfry@example' }]);
});

test('RTCP: an RR without sender info parses as rr', () => {
  const r = parseRtcp(buildRtcpReport({ ssrc: 1, cname: 'x', reports: [] }));
  assert.ok(r.ok);
  assert.equal(r.value[0]?.kind, 'rr');
});

test('RTCP: BYE with a reason (§6.6)', () => {
  const b = Buffer.from([0x81, 203, 0, 3, 0, 0, 0, 7, 3, 0x62, 0x79, 0x65, 0, 0, 0, 0].slice(0, 16));
  b.writeUInt16BE(3, 2);
  const r = parseRtcp(b);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value[0], { kind: 'bye', ssrcs: [7], reason: 'bye' });
});

test('RTCP: malformed input returns codes, never throws', () => {
  const cases: [number[], string][] = [
    [[0x80, 200], 'RTCP_TOO_SHORT'],
    [[0x40, 200, 0, 0], 'RTCP_BAD_VERSION'],
    [[0x80, 201, 0, 9, 0, 0, 0, 1], 'RTCP_LENGTH_OVERRUN'],
    [[0x81, 201, 0, 1, 0, 0, 0, 1], 'RTCP_BAD_REPORT_COUNT'],
    [[0xa0, 201, 0, 1, 0, 0, 0, 0], 'RTCP_BAD_PADDING'],
    [[0x81, 202, 0, 1, 0, 0, 0, 1], 'RTCP_BAD_SDES'],
  ];
  for (const [bytes, code] of cases) {
    const r = parseRtcp(Buffer.from(bytes));
    assert.equal(r.ok, false, code);
    if (!r.ok) assert.equal(r.error.code, code);
  }
});

test('RTCP: unknown packet types are reported by number', () => {
  const r = parseRtcp(Buffer.from([0x80, 205, 0, 0]));
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ kind: 'other', packetType: 205 }]);
});

test('report block: LSR is the middle 32 bits of the last SR, DLSR in 1/65536 s (§6.4.1)', () => {
  const stats = new RtpStreamStats();
  for (let i = 0; i < 10; i++) if (i !== 4) stats.update(5, i, i * 160, i * 160, 172);
  const b = new ReportBlockBuilder();
  const none = b.build(stats, 0);
  assert.equal(none.lastSr, 0);
  assert.equal(none.delaySinceLastSr, 0);
  b.onSenderReport({ ntpMsw: 0x12345678, ntpLsw: 0x9abcdef0, rtpTimestamp: 0, packetCount: 0, octetCount: 0 }, 1000);
  const blk = b.build(stats, 1500);
  assert.equal(blk.lastSr, ntpMiddle(0x12345678, 0x9abcdef0));
  assert.equal(blk.lastSr, 0x56789abc);
  assert.equal(blk.delaySinceLastSr, 32768);
  assert.equal(blk.ssrc, 5);
  assert.equal(blk.cumulativeLost, 1);
  assert.equal(blk.extendedHighestSeq, 9);
});
