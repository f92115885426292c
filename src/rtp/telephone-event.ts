/**
 * RFC 4733 telephone-event payload (§2.3) encode/decode and a tracker that
 * reports each DTMF event once (§2.5.1: an event is identified by its RTP
 * timestamp; the sender repeats updates and sends the end packet three times,
 * §2.5.1.4; packets may be reordered or lost).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     event     |E|R| volume    |          duration             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Leaves out: multiple events in one packet (redundancy, RFC 2198) and the
 * segmentation of events longer than the 16-bit duration (§2.5.1.3): each
 * segment has a new timestamp and would be reported again; a DTMF key is never
 * held that long in practice.
 */
import { err, ok, type Result } from '../common/index.ts';
import type { TelephoneEventParseCode } from './errors.ts';
import { tsLessThan } from './sequence.ts';

export const TELEPHONE_EVENT_PAYLOAD_LENGTH = 4;

export interface TelephoneEvent {
  /** 0–9, 10 = '*', 11 = '#', 12–15 = A–D, 16 = flash (RFC 4733 §3.2). */
  readonly event: number;
  readonly end: boolean;
  /** Power level in −dBm0, 0–63. */
  readonly volume: number;
  /** Duration in timestamp units. */
  readonly duration: number;
}

const DIGITS = '0123456789*#ABCD';

/** The DTMF character for an event code, or undefined for non-DTMF events. */
export function eventToDigit(event: number): string | undefined {
  return event >= 0 && event < 16 ? DIGITS[event] : event === 16 ? '!' : undefined;
}

export function digitToEvent(digit: string): number | undefined {
  if (digit === '!') return 16;
  const i = DIGITS.indexOf(digit.toUpperCase());
  return i < 0 || digit.length !== 1 ? undefined : i;
}

export function decodeTelephoneEvent(buf: Buffer, offset: number, length: number): Result<TelephoneEvent, TelephoneEventParseCode> {
  if (length < TELEPHONE_EVENT_PAYLOAD_LENGTH || offset + TELEPHONE_EVENT_PAYLOAD_LENGTH > buf.length) return err('RTP_EVENT_TOO_SHORT');
  const b1 = buf[offset + 1] ?? 0;
  return ok({ event: buf[offset] ?? 0, end: (b1 & 0x80) !== 0, volume: b1 & 0x3f, duration: buf.readUInt16BE(offset + 2) });
}

/** Write a 4-byte payload at offset; returns the offset after it. The R bit is sent as 0 (§2.3). */
export function encodeTelephoneEvent(buf: Buffer, offset: number, e: TelephoneEvent): number {
  buf[offset] = e.event & 0xff;
  buf[offset + 1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  buf.writeUInt16BE(Math.max(0, Math.min(0xffff, e.duration)), offset + 2);
  return offset + TELEPHONE_EVENT_PAYLOAD_LENGTH;
}

/**
 * Reports an event once, on the first packet seen for it (so a lost start
 * packet still yields the digit from an update or end packet). Later packets
 * with the same RTP timestamp — updates and the three end retransmissions —
 * and late packets of older events are ignored.
 */
export class TelephoneEventTracker {
  #hasLast = false;
  #lastTimestamp = 0;

  /**
   * Feed one packet's RTP timestamp and payload. Returns the event code when
   * a new event starts, or -1 (no allocation on the hot path).
   */
  push(timestamp: number, buf: Buffer, offset: number, length: number): number {
    if (length < TELEPHONE_EVENT_PAYLOAD_LENGTH || offset + TELEPHONE_EVENT_PAYLOAD_LENGTH > buf.length) return -1;
    if (this.#hasLast && (timestamp === this.#lastTimestamp || tsLessThan(timestamp, this.#lastTimestamp))) return -1;
    this.#hasLast = true;
    this.#lastTimestamp = timestamp >>> 0;
    return buf[offset] ?? -1;
  }

  reset(): void {
    this.#hasLast = false;
  }
}
