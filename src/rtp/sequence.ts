/**
 * Wrap-safe 16- and 32-bit arithmetic for RTP sequence numbers and
 * timestamps (STYLE G12). Every comparison of a sequence number or RTP
 * timestamp in belfry goes through this file; it has its own property tests
 * (test/property/rtp-sequence.property.test.ts).
 *
 * RFC 3550 §5.1: sequence numbers are 16 bits and timestamps 32 bits, both
 * wrapping. "Less than" uses serial number arithmetic (RFC 1982): a < b when
 * the forward distance from a to b is in (0, 2^(n-1)). The exact half-way
 * point is undefined in RFC 1982; we define it as "not less" both ways.
 */

export function uint16(x: number): number {
  return x & 0xffff;
}

export function uint32(x: number): number {
  return x >>> 0;
}

export function seqAdd(a: number, delta: number): number {
  return (a + delta) & 0xffff;
}

/** Forward distance from a to b, in [0, 65535]. */
export function seqForward(a: number, b: number): number {
  return (b - a) & 0xffff;
}

/** Signed distance from a to b in [-32768, 32767]: positive when b is after a. */
export function seqDistance(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** a is before b (RFC 1982 serial arithmetic on 16 bits). */
export function seqLessThan(a: number, b: number): boolean {
  const d = (b - a) & 0xffff;
  return d !== 0 && d < 0x8000;
}

export function tsAdd(a: number, delta: number): number {
  return (a + delta) >>> 0;
}

/** Signed distance from a to b on 32 bits, in [-2^31, 2^31 - 1]. */
export function tsDistance(a: number, b: number): number {
  return (b - a) | 0;
}

/** a is before b (RFC 1982 serial arithmetic on 32 bits). */
export function tsLessThan(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x80000000;
}
