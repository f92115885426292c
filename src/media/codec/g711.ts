/**
 * ITU-T G.711 μ-law and A-law, written from the Recommendation's segment
 * definitions (Tables 1a/1b and 2a/2b): 16-bit linear PCM in, 8-bit codes out,
 * with 256-entry decode tables and segment-search encoders, plus direct
 * 256-byte μ→A and A→μ transcoding tables for the relay (one byte per sample
 * both ways, so conversion is in place).
 *
 * DEVIATION from G.711: the transcoding tables go through linear PCM
 * (decode, then encode the value) instead of copying Tables 3 and 4 of the
 * Recommendation; they have not been compared code by code with those
 * tables. Round trips are not exact for 16 codes each way (μ→A→μ at the
 * lowest amplitudes, A→μ→A near some segment edges); the property tests
 * bound the error to one quantisation step and check that a second round
 * trip changes nothing.
 *
 * Linear values use the 16-bit scale (μ-law peak ±32124, A-law ±32256).
 * Leaves out: G.711 Appendix I/II (PLC, VAD/CNG).
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawDecodeOne(code: number): number {
  // Codes are sent inverted (G.711 §3: "all bits inverted" for μ-law).
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return (u & 0x80) !== 0 ? -magnitude : magnitude;
}

function alawDecodeOne(code: number): number {
  // Even bits are inverted on the line (G.711 §2: "the even bits ... inverted").
  const a = code ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return (a & 0x80) !== 0 ? t : -t;
}

/** 256-entry decode tables: code → 16-bit linear sample. */
export const ULAW_TO_LINEAR: Int16Array = Int16Array.from({ length: 256 }, (_, c) => ulawDecodeOne(c));
export const ALAW_TO_LINEAR: Int16Array = Int16Array.from({ length: 256 }, (_, c) => alawDecodeOne(c));

/** Encode one 16-bit linear sample to μ-law. */
export function linearToUlaw(sample: number): number {
  let s = sample | 0;
  let sign = 0;
  if (s < 0) {
    s = -s;
    sign = 0x80;
  }
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  // Segment = position of the highest set bit above bit 7 (0..7).
  const exponent = 31 - Math.clz32(s) - 7;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Encode one 16-bit linear sample to A-law. */
export function linearToAlaw(sample: number): number {
  // A-law works on 13 bits; the sign is positive-high on the line.
  let s = (sample | 0) >> 3;
  let mask: number;
  if (s >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  if (s > 0xfff) return 0x7f ^ mask;
  // Segment: 0 for s < 32, else position of the highest bit minus 4.
  const segment = s < 32 ? 0 : 31 - Math.clz32(s) - 4;
  const quant = segment < 2 ? (s >> 1) & 0x0f : (s >> segment) & 0x0f;
  return ((segment << 4) | quant) ^ mask;
}

export function ulawToLinear(code: number): number {
  return ULAW_TO_LINEAR[code & 0xff] ?? 0;
}

export function alawToLinear(code: number): number {
  return ALAW_TO_LINEAR[code & 0xff] ?? 0;
}

/** Direct transcoding tables (through linear PCM). */
export const ULAW_TO_ALAW: Uint8Array = Uint8Array.from({ length: 256 }, (_, c) => linearToAlaw(ulawDecodeOne(c)));
export const ALAW_TO_ULAW: Uint8Array = Uint8Array.from({ length: 256 }, (_, c) => linearToUlaw(alawDecodeOne(c)));

/** Decode `src` codes into `dst` samples (dst.length ≥ src.length); no allocation. */
export function decodeUlawInto(src: Uint8Array, dst: Int16Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = ULAW_TO_LINEAR[src[i] ?? 0xff] ?? 0;
}

export function decodeAlawInto(src: Uint8Array, dst: Int16Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = ALAW_TO_LINEAR[src[i] ?? 0xd5] ?? 0;
}

export function encodeUlawInto(src: Int16Array, dst: Uint8Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = linearToUlaw(src[i] ?? 0);
}

export function encodeAlawInto(src: Int16Array, dst: Uint8Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = linearToAlaw(src[i] ?? 0);
}

/** Convert a payload in place through a 256-entry table. */
export function transcodeInPlace(buf: Uint8Array, offset: number, length: number, table: Uint8Array): void {
  const end = Math.min(buf.length, offset + length);
  for (let i = offset; i < end; i++) buf[i] = table[buf[i] ?? 0] ?? 0;
}
