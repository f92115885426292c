/**
 * Per-stream receive statistics as plain numbers (STYLE G12): sequence
 * tracking per RFC 3550 Appendix A.1, expected/lost per A.3, interarrival
 * jitter per §6.4.1 / A.8, and an estimated MOS from a simplified ITU-T G.107
 * E-model. One RtpStreamStats per received stream; `update` allocates nothing.
 *
 * Leaves out: per-SSRC tables (a new SSRC resets the stream, which is what a
 * relay leg needs), RTT from RTCP (the caller passes a delay estimate).
 */
import { seqForward } from './sequence.ts';

const RTP_SEQ_MOD = 0x10000;
/** A.1 constants: accept a jump of up to MAX_DROPOUT, reorder of up to MAX_MISORDER. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export class RtpStreamStats {
  ssrc = 0;
  packets = 0;
  bytes = 0;
  /** A.1 state. */
  maxSeq = 0;
  cycles = 0;
  baseSeq = 0;
  badSeq = RTP_SEQ_MOD + 1;
  received = 0;
  expectedPrior = 0;
  receivedPrior = 0;
  /** Interarrival jitter in timestamp units, as a float (A.8 keeps it scaled by 16; we keep it unscaled). */
  jitter = 0;
  transitPrior = 0;
  hasTransit = false;
  started = false;
  /** Packets A.1 judged invalid (big jumps not confirmed yet). */
  invalid = 0;

  /**
   * Count one packet. `arrival` is the arrival time in the stream's timestamp
   * units (clock rate × seconds), as §6.4.1 requires for the jitter formula.
   */
  update(ssrc: number, seq: number, timestamp: number, arrival: number, bytes: number): void {
    this.packets++;
    this.bytes += bytes;
    if (!this.started || ssrc !== this.ssrc) {
      // A new source: A.1 init_seq, and the first packet counts as received.
      this.#initSeq(seq);
      this.ssrc = ssrc;
      this.started = true;
      this.received = 1;
      this.hasTransit = false;
    } else if (!this.#updateSeq(seq)) {
      this.invalid++;
      return;
    }
    // §6.4.1: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16.
    const transit = (arrival - timestamp) | 0;
    if (this.hasTransit) {
      let d = (transit - this.transitPrior) | 0;
      if (d < 0) d = -d;
      this.jitter += (d - this.jitter) / 16;
    }
    this.transitPrior = transit;
    this.hasTransit = true;
  }

  #initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /** RFC 3550 A.1 update_seq, without the probation of new sources (signalling tells us the source). */
  #updateSeq(seq: number): boolean {
    const udelta = seqForward(this.maxSeq, seq);
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: accept only if the next packet confirms it (the peer restarted).
      if (seq === this.badSeq) {
        this.#initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: duplicate or reordered packet; counted as received.
    this.received++;
    return true;
  }

  get extendedMaxSeq(): number {
    return this.cycles + this.maxSeq;
  }

  /** A.3: expected = extended max - base + 1. */
  get expected(): number {
    return this.started ? this.extendedMaxSeq - this.baseSeq + 1 : 0;
  }

  /** A.3 cumulative lost, clamped to the 24-bit signed field of a report block. */
  get cumulativeLost(): number {
    const lost = this.expected - this.received;
    return Math.max(-0x800000, Math.min(0x7fffff, lost));
  }

  /**
   * A.3 fraction lost since the previous call, as the 8-bit fixed-point value
   * of a report block; advances the interval.
   */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval === 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }

  /** Loss ratio over the whole stream, 0..1. */
  get lossRatio(): number {
    const e = this.expected;
    return e <= 0 ? 0 : Math.max(0, this.expected - this.received) / e;
  }
}

/**
 * Estimated MOS (1..4.5) from a simplified ITU-T G.107 E-model for G.711:
 *
 *   d    = oneWayDelayMs + 2 × jitterMs + 10          (jitter buffer + codec)
 *   Id   = 0.024 d + 0.11 (d − 177.3) H(d − 177.3)     (Cole & Rosenbluth fit of G.107 Idd)
 *   Ie,e = Ie + (95 − Ie) × Ppl / (Ppl + Bpl)          (G.107 §7.5, random loss)
 *          with Ie = 0, Bpl = 25.1 for G.711 with PLC (G.113 Appendix I)
 *   R    = 93.2 − Id − Ie,e
 *   MOS  = 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R)      for 0 < R < 100
 *
 * `lossRatio` is 0..1; Ppl is its percentage.
 */
export function estimateMos(lossRatio: number, jitterMs: number, oneWayDelayMs: number): number {
  const d = Math.max(0, oneWayDelayMs) + 2 * Math.max(0, jitterMs) + 10;
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ppl = Math.min(100, Math.max(0, lossRatio * 100));
  const ie = 0;
  const bpl = 25.1;
  const ieEff = ie + ((95 - ie) * ppl) / (ppl + bpl);
  const r = 93.2 - id - ieEff;
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}
