/**
 * Periodic SR/RR for a leg belfry terminates (an endpoint playing or
 * recording media, not the relay, which passes the phones' RTCP through).
 * RFC 3550 §6.4: an SR when we sent RTP since the previous report, an RR
 * otherwise, each followed by SDES CNAME (§6.1). The interval is the §6.2
 * minimum of 5 s, randomised to [0.5, 1.5] × T (§6.3.1) with injected
 * randomness (STYLE G3); a two-party session never needs the bandwidth-scaled
 * interval. BYE on stop (§6.3.7).
 *
 * Leaves out: the reconsideration algorithm (§6.3.6) and multiple sources.
 */
import type { Clock, TimerHandle } from '../common/index.ts';
import { buildRtcpReport, ntpFromWallMs, parseRtcp, RTCP_BYE, ReportBlockBuilder, type RtcpPacket } from './rtcp.ts';
import type { RtpStreamStats } from './stats.ts';

export interface SenderCounters {
  readonly packetCount: number;
  readonly octetCount: number;
  /** RTP timestamp corresponding to "now" on our media clock. */
  readonly rtpTimestamp: number;
}

export interface RtcpReporterOptions {
  readonly clock: Clock;
  readonly ssrc: number;
  readonly cname: string;
  readonly send: (packet: Buffer) => void;
  /** The stream we receive (undefined until one arrives). */
  readonly received: () => RtpStreamStats | undefined;
  /** What we sent so far (undefined when we never send, e.g. a recorder). */
  readonly sent?: () => SenderCounters | undefined;
  readonly intervalMs?: number;
  readonly random?: () => number;
}

export class RtcpReporter {
  readonly #o: RtcpReporterOptions;
  readonly #blocks = new ReportBlockBuilder();
  #timer: TimerHandle | undefined;
  #lastSentPackets = -1;
  #stopped = false;

  constructor(opts: RtcpReporterOptions) {
    this.#o = opts;
  }

  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#schedule();
  }

  #schedule(): void {
    const t = this.#o.intervalMs ?? 5000;
    const r = (this.#o.random ?? Math.random)();
    this.#timer = this.#o.clock.setTimer(t * (0.5 + r), () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.#o.send(this.buildReport());
      this.#schedule();
    });
  }

  /** The compound report for now (exposed for tests and for an immediate report). */
  buildReport(): Buffer {
    const now = this.#o.clock.now();
    const stats = this.#o.received();
    const reports = stats !== undefined && stats.started ? [this.#blocks.build(stats, now)] : [];
    const sent = this.#o.sent?.();
    const isSender = sent !== undefined && sent.packetCount !== this.#lastSentPackets && sent.packetCount > 0;
    if (sent !== undefined) this.#lastSentPackets = sent.packetCount;
    if (isSender) {
      const ntp = ntpFromWallMs(this.#o.clock.wallNow());
      return buildRtcpReport({
        ssrc: this.#o.ssrc,
        cname: this.#o.cname,
        sender: { ntpMsw: ntp.msw, ntpLsw: ntp.lsw, rtpTimestamp: sent.rtpTimestamp, packetCount: sent.packetCount, octetCount: sent.octetCount },
        reports,
      });
    }
    return buildRtcpReport({ ssrc: this.#o.ssrc, cname: this.#o.cname, reports });
  }

  /** Feed received RTCP: remembers the peer's SR for LSR/DLSR. Returns the parsed packets (empty on bad input). */
  onRtcp(buf: Buffer): readonly RtcpPacket[] {
    const r = parseRtcp(buf);
    if (!r.ok) return [];
    for (const p of r.value) if (p.kind === 'sr') this.#blocks.onSenderReport(p.sender, this.#o.clock.now());
    return r.value;
  }

  /** Stop reporting and send BYE (RR + SDES + BYE). Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    const report = buildRtcpReport({ ssrc: this.#o.ssrc, cname: this.#o.cname, reports: [] });
    const bye = Buffer.alloc(8);
    bye[0] = 0x81;
    bye[1] = RTCP_BYE;
    bye.writeUInt16BE(1, 2);
    bye.writeUInt32BE(this.#o.ssrc >>> 0, 4);
    this.#o.send(Buffer.concat([report, bye]));
  }
}
