/**
 * RTP header view over a received Buffer (RFC 3550 §5.1, §5.3.1). Owns
 * validation of the fixed header, CSRC list, header extension and padding
 * against the datagram length (STYLE G4), and in-place reads and writes of
 * the fields the relay touches (STYLE G12: one view object is reused for
 * every packet, nothing is allocated per packet).
 *
 * Leaves out: header-extension element parsing (RFC 8285) and SRTP. RTCP
 * multiplexed on the RTP port (RFC 5761) is not detected here; the relay
 * uses separate RTCP ports.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           timestamp                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           synchronization source (SSRC) identifier            |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |            contributing source (CSRC) identifiers             |
 *  |                             ....                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      defined by profile       |           length              |  (X=1, §5.3.1)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        header extension                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                payload  ...  | padding | pad count (P=1)      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import type { RtpParseCode } from './errors.ts';

export const RTP_FIXED_HEADER_LENGTH = 12;

/**
 * A reusable view. `reset(buf, len)` validates and, on 'ok', sets
 * payloadOffset/payloadLength; the field accessors read and write `buf`
 * directly. Accessors must only be used after a successful reset.
 */
export class RtpView {
  buf: Buffer = Buffer.alloc(0);
  length = 0;
  payloadOffset = 0;
  payloadLength = 0;
  paddingLength = 0;

  /** Validate `buf[0, len)` as one RTP packet. Never throws. */
  reset(buf: Buffer, len: number = buf.length): RtpParseCode {
    if (len > buf.length) len = buf.length;
    this.buf = buf;
    this.length = len;
    this.payloadOffset = 0;
    this.payloadLength = 0;
    this.paddingLength = 0;
    if (len < RTP_FIXED_HEADER_LENGTH) return 'RTP_TOO_SHORT';
    const b0 = buf[0] ?? 0;
    if (b0 >> 6 !== 2) return 'RTP_BAD_VERSION';
    let off = RTP_FIXED_HEADER_LENGTH + (b0 & 0x0f) * 4;
    if (off > len) return 'RTP_CSRC_OVERRUN';
    if ((b0 & 0x10) !== 0) {
      // §5.3.1: 16-bit profile field, 16-bit length in 32-bit words, then the words.
      if (off + 4 > len) return 'RTP_EXTENSION_OVERRUN';
      off += 4 + buf.readUInt16BE(off + 2) * 4;
      if (off > len) return 'RTP_EXTENSION_OVERRUN';
    }
    let pad = 0;
    if ((b0 & 0x20) !== 0) {
      // §5.1: the last octet counts the padding octets including itself.
      pad = buf[len - 1] ?? 0;
      if (pad === 0 || off + pad > len) return 'RTP_BAD_PADDING';
    }
    this.payloadOffset = off;
    this.paddingLength = pad;
    this.payloadLength = len - off - pad;
    return 'ok';
  }

  get csrcCount(): number {
    return (this.buf[0] ?? 0) & 0x0f;
  }
  get marker(): boolean {
    return ((this.buf[1] ?? 0) & 0x80) !== 0;
  }
  set marker(m: boolean) {
    const b1 = this.buf[1] ?? 0;
    this.buf[1] = m ? b1 | 0x80 : b1 & 0x7f;
  }
  get payloadType(): number {
    return (this.buf[1] ?? 0) & 0x7f;
  }
  set payloadType(pt: number) {
    this.buf[1] = ((this.buf[1] ?? 0) & 0x80) | (pt & 0x7f);
  }
  get sequenceNumber(): number {
    return this.buf.readUInt16BE(2);
  }
  set sequenceNumber(s: number) {
    this.buf.writeUInt16BE(s & 0xffff, 2);
  }
  get timestamp(): number {
    return this.buf.readUInt32BE(4);
  }
  set timestamp(t: number) {
    this.buf.writeUInt32BE(t >>> 0, 4);
  }
  get ssrc(): number {
    return this.buf.readUInt32BE(8);
  }
  set ssrc(s: number) {
    this.buf.writeUInt32BE(s >>> 0, 8);
  }
}

export interface RtpHeaderFields {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker?: boolean;
}

/**
 * Write a 12-byte fixed header (no CSRC, no extension, no padding) at
 * `offset`; returns the offset after it. For generators and endpoints that
 * reuse one output buffer.
 */
export function writeRtpHeader(buf: Buffer, offset: number, h: RtpHeaderFields): number {
  buf[offset] = 0x80;
  buf[offset + 1] = (h.marker === true ? 0x80 : 0) | (h.payloadType & 0x7f);
  buf.writeUInt16BE(h.sequenceNumber & 0xffff, offset + 2);
  buf.writeUInt32BE(h.timestamp >>> 0, offset + 4);
  buf.writeUInt32BE(h.ssrc >>> 0, offset + 8);
  return offset + RTP_FIXED_HEADER_LENGTH;
}
