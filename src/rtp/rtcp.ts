/**
 * Minimal RTCP (RFC 3550 §6): parse compound packets (SR, RR, SDES, BYE;
 * other types are reported by number), build SR/RR report blocks from
 * receive statistics (§6.4.1, Appendix A.3 and A.8, LSR/DLSR), and serialize
 * SR/RR + SDES CNAME compounds (§6.1: every compound starts with SR or RR and
 * carries a CNAME) for the legs belfry terminates.
 *
 * Common header of every RTCP packet (§6.4.1):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|    RC   |   PT=SR=200   |             length            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  length = size in 32-bit words minus one.
 * Report block (24 octets): SSRC | fraction lost (8) + cumulative lost (24,
 * signed) | extended highest seq | jitter | LSR | DLSR.
 *
 * Leaves out: APP, feedback messages (RFC 4585), XR (RFC 3611), SRTCP, and
 * the §6.2 transmission-interval algorithm (the caller sends every 5 s, the
 * §6.2 minimum, which is right for a two-party session).
 */
import { err, ok, type Result } from '../common/index.ts';
import type { RtcpParseCode } from './errors.ts';
import type { RtpStreamStats } from './stats.ts';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

export interface ReportBlock {
  readonly ssrc: number;
  /** 8-bit fixed point: lost/expected × 256. */
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  readonly extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
  readonly lastSr: number;
  /** Delay since last SR, in 1/65536 s. */
  readonly delaySinceLastSr: number;
}

export interface SenderInfo {
  readonly ntpMsw: number;
  readonly ntpLsw: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
}

export type RtcpPacket =
  | { readonly kind: 'sr'; readonly ssrc: number; readonly sender: SenderInfo; readonly reports: readonly ReportBlock[] }
  | { readonly kind: 'rr'; readonly ssrc: number; readonly reports: readonly ReportBlock[] }
  | { readonly kind: 'sdes'; readonly chunks: readonly { readonly ssrc: number; readonly cname?: string }[] }
  | { readonly kind: 'bye'; readonly ssrcs: readonly number[]; readonly reason?: string }
  | { readonly kind: 'other'; readonly packetType: number };

export interface RtcpParseError {
  readonly code: RtcpParseCode;
  readonly offset: number;
}

function readBlock(buf: Buffer, o: number): ReportBlock {
  const w = buf.readUInt32BE(o + 4);
  // Cumulative lost is a 24-bit two's complement number.
  const cum = w & 0xffffff;
  return {
    ssrc: buf.readUInt32BE(o),
    fractionLost: w >>> 24,
    cumulativeLost: cum & 0x800000 ? cum - 0x1000000 : cum,
    extendedHighestSeq: buf.readUInt32BE(o + 8),
    jitter: buf.readUInt32BE(o + 12),
    lastSr: buf.readUInt32BE(o + 16),
    delaySinceLastSr: buf.readUInt32BE(o + 20),
  };
}

function readBlocks(buf: Buffer, start: number, end: number, count: number): ReportBlock[] | undefined {
  if (start + count * 24 > end) return undefined;
  const out: ReportBlock[] = [];
  for (let i = 0; i < count; i++) out.push(readBlock(buf, start + i * 24));
  return out;
}

/** Parse a compound RTCP packet. Never throws; the first bad sub-packet fails the whole compound (§6.1 validity checks). */
export function parseRtcp(buf: Buffer, len: number = buf.length): Result<RtcpPacket[], RtcpParseError> {
  if (len > buf.length) len = buf.length;
  const out: RtcpPacket[] = [];
  let off = 0;
  if (len < 4) return err({ code: 'RTCP_TOO_SHORT', offset: 0 });
  while (off < len) {
    if (off + 4 > len) return err({ code: 'RTCP_TOO_SHORT', offset: off });
    const b0 = buf[off] ?? 0;
    if (b0 >> 6 !== 2) return err({ code: 'RTCP_BAD_VERSION', offset: off });
    const count = b0 & 0x1f;
    const pt = buf[off + 1] ?? 0;
    const end = off + (buf.readUInt16BE(off + 2) + 1) * 4;
    if (end > len) return err({ code: 'RTCP_LENGTH_OVERRUN', offset: off });
    let bodyEnd = end;
    if ((b0 & 0x20) !== 0) {
      // §6.4.1: padding only on the last packet of a compound; last octet counts it.
      const pad = buf[end - 1] ?? 0;
      if (end !== len || pad === 0 || off + 4 + pad > end) return err({ code: 'RTCP_BAD_PADDING', offset: off });
      bodyEnd = end - pad;
    }
    const body = off + 4;
    switch (pt) {
      case RTCP_SR: {
        if (body + 24 > bodyEnd) return err({ code: 'RTCP_TOO_SHORT', offset: off });
        const reports = readBlocks(buf, body + 24, bodyEnd, count);
        if (reports === undefined) return err({ code: 'RTCP_BAD_REPORT_COUNT', offset: off });
        out.push({
          kind: 'sr',
          ssrc: buf.readUInt32BE(body),
          sender: {
            ntpMsw: buf.readUInt32BE(body + 4),
            ntpLsw: buf.readUInt32BE(body + 8),
            rtpTimestamp: buf.readUInt32BE(body + 12),
            packetCount: buf.readUInt32BE(body + 16),
            octetCount: buf.readUInt32BE(body + 20),
          },
          reports,
        });
        break;
      }
      case RTCP_RR: {
        if (body + 4 > bodyEnd) return err({ code: 'RTCP_TOO_SHORT', offset: off });
        const reports = readBlocks(buf, body + 4, bodyEnd, count);
        if (reports === undefined) return err({ code: 'RTCP_BAD_REPORT_COUNT', offset: off });
        out.push({ kind: 'rr', ssrc: buf.readUInt32BE(body), reports });
        break;
      }
      case RTCP_SDES: {
        const chunks = parseSdesChunks(buf, body, bodyEnd, count);
        if (chunks === undefined) return err({ code: 'RTCP_BAD_SDES', offset: off });
        out.push({ kind: 'sdes', chunks });
        break;
      }
      case RTCP_BYE: {
        if (body + count * 4 > bodyEnd) return err({ code: 'RTCP_TOO_SHORT', offset: off });
        const ssrcs: number[] = [];
        for (let i = 0; i < count; i++) ssrcs.push(buf.readUInt32BE(body + i * 4));
        const r = body + count * 4;
        if (r < bodyEnd) {
          const rl = buf[r] ?? 0;
          if (r + 1 + rl > bodyEnd) return err({ code: 'RTCP_TOO_SHORT', offset: off });
          out.push({ kind: 'bye', ssrcs, reason: buf.toString('utf8', r + 1, r + 1 + rl) });
        } else {
          out.push({ kind: 'bye', ssrcs });
        }
        break;
      }
      default:
        out.push({ kind: 'other', packetType: pt });
    }
    off = end;
  }
  return ok(out);
}

function parseSdesChunks(buf: Buffer, start: number, end: number, count: number): { ssrc: number; cname?: string }[] | undefined {
  const chunks: { ssrc: number; cname?: string }[] = [];
  let o = start;
  for (let i = 0; i < count; i++) {
    if (o + 4 > end) return undefined;
    const chunk: { ssrc: number; cname?: string } = { ssrc: buf.readUInt32BE(o) };
    o += 4;
    // Items until a null type octet; then pad to the next 32-bit boundary (§6.5).
    for (;;) {
      if (o >= end) return undefined;
      const type = buf[o] ?? 0;
      if (type === 0) break;
      if (o + 2 > end) return undefined;
      const l = buf[o + 1] ?? 0;
      if (o + 2 + l > end) return undefined;
      if (type === 1) chunk.cname = buf.toString('utf8', o + 2, o + 2 + l);
      o += 2 + l;
    }
    o = (o + 4) & ~3;
    chunks.push(chunk);
  }
  return chunks;
}

/** Wall-clock milliseconds → 64-bit NTP timestamp as two 32-bit words (§4). */
export function ntpFromWallMs(ms: number): { msw: number; lsw: number } {
  const secs = Math.floor(ms / 1000);
  return { msw: (secs + 2208988800) >>> 0, lsw: Math.floor(((ms - secs * 1000) / 1000) * 0x100000000) >>> 0 };
}

/** The middle 32 bits of an NTP timestamp, as carried in LSR (§6.4.1). */
export function ntpMiddle(msw: number, lsw: number): number {
  return (((msw & 0xffff) << 16) | (lsw >>> 16)) >>> 0;
}

/**
 * Receive-side bookkeeping for one stream's report block: remembers the last
 * SR from the peer so LSR/DLSR can be filled in.
 */
export class ReportBlockBuilder {
  #lastSr = 0;
  #lastSrAt = -1;

  /** Record an SR received from the peer at monotonic time nowMs. */
  onSenderReport(sender: SenderInfo, nowMs: number): void {
    this.#lastSr = ntpMiddle(sender.ntpMsw, sender.ntpLsw);
    this.#lastSrAt = nowMs;
  }

  /** Build the block for `stats` at monotonic time nowMs (advances the fraction-lost interval). */
  build(stats: RtpStreamStats, nowMs: number): ReportBlock {
    return {
      ssrc: stats.ssrc,
      fractionLost: stats.takeFractionLost(),
      cumulativeLost: stats.cumulativeLost,
      extendedHighestSeq: stats.extendedMaxSeq >>> 0,
      jitter: Math.floor(stats.jitter) >>> 0,
      lastSr: this.#lastSrAt < 0 ? 0 : this.#lastSr,
      delaySinceLastSr: this.#lastSrAt < 0 ? 0 : Math.floor(((nowMs - this.#lastSrAt) / 1000) * 65536) >>> 0,
    };
  }
}

export interface ReportOptions {
  readonly ssrc: number;
  readonly cname: string;
  /** Present for an SR (we sent RTP since the last report), absent for an RR. */
  readonly sender?: SenderInfo;
  readonly reports: readonly ReportBlock[];
}

/** Serialize SR or RR followed by SDES CNAME (a valid compound per §6.1). At most 31 report blocks. */
export function buildRtcpReport(o: ReportOptions): Buffer {
  const blocks = o.reports.slice(0, 31);
  const head = o.sender ? 28 : 8;
  const rlen = head + blocks.length * 24;
  const cname = Buffer.from(o.cname.slice(0, 255), 'utf8').subarray(0, 255);
  // SDES: header 4 + SSRC 4 + item (2 + n) + null terminator, padded to 4.
  const sdesLen = (4 + 4 + 2 + cname.length + 1 + 3) & ~3;
  const buf = Buffer.alloc(rlen + sdesLen);
  buf[0] = 0x80 | blocks.length;
  buf[1] = o.sender ? RTCP_SR : RTCP_RR;
  buf.writeUInt16BE(rlen / 4 - 1, 2);
  buf.writeUInt32BE(o.ssrc >>> 0, 4);
  if (o.sender) {
    buf.writeUInt32BE(o.sender.ntpMsw >>> 0, 8);
    buf.writeUInt32BE(o.sender.ntpLsw >>> 0, 12);
    buf.writeUInt32BE(o.sender.rtpTimestamp >>> 0, 16);
    buf.writeUInt32BE(o.sender.packetCount >>> 0, 20);
    buf.writeUInt32BE(o.sender.octetCount >>> 0, 24);
  }
  let p = head;
  for (const b of blocks) {
    buf.writeUInt32BE(b.ssrc >>> 0, p);
    buf.writeUInt32BE((((b.fractionLost & 0xff) << 24) | (b.cumulativeLost & 0xffffff)) >>> 0, p + 4);
    buf.writeUInt32BE(b.extendedHighestSeq >>> 0, p + 8);
    buf.writeUInt32BE(b.jitter >>> 0, p + 12);
    buf.writeUInt32BE(b.lastSr >>> 0, p + 16);
    buf.writeUInt32BE(b.delaySinceLastSr >>> 0, p + 20);
    p += 24;
  }
  buf[p] = 0x81;
  buf[p + 1] = RTCP_SDES;
  buf.writeUInt16BE(sdesLen / 4 - 1, p + 2);
  buf.writeUInt32BE(o.ssrc >>> 0, p + 4);
  buf[p + 8] = 1;
  buf[p + 9] = cname.length;
  cname.copy(buf, p + 10);
  return buf;
}
