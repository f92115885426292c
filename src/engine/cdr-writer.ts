/**
 * The engine's CdrSink on top of the SQLite CdrStore: maps the engine's
 * call and leg records to the store's rows (Asterisk-style names). Writes are
 * queued and committed together every `flushMs` (one transaction, one WAL
 * append) so the call path never waits for the disk; a failed write is
 * logged with the call-id and never breaks the call path. `flush()` runs at
 * shutdown. The open marker of a call (what lets the next start close it as
 * INTERRUPTED after a crash) goes through the same queue: a crash loses the
 * rows of the last interval only (10 ms by default), i.e. calls that started
 * in those milliseconds leave no row, and final rows not yet written leave
 * their calls as INTERRUPTED. One transaction per interval instead of two per
 * call is what lets the switch set up calls at a high rate.
 */
import type { Clock, Logger, TimerHandle } from '../common/index.ts';
import type { CdrStore } from '../store/index.ts';
import type { CallRecord, CdrSink, LegRecord } from './cdr-types.ts';

export class CdrWriter implements CdrSink {
  readonly #store: CdrStore;
  readonly #log: Logger;
  readonly #clock: Clock | undefined;
  readonly #flushMs: number;
  #queue: Array<() => void> = [];
  #timer: TimerHandle | undefined;

  /** Without a clock every record is written at once (tests, tools). */
  constructor(store: CdrStore, log: Logger, opts: { clock?: Clock; flushMs?: number } = {}) {
    this.#store = store;
    this.#log = log;
    this.#clock = opts.clock;
    this.#flushMs = opts.flushMs ?? 10;
  }

  #enqueue(write: () => void): void {
    if (this.#clock === undefined) {
      write();
      return;
    }
    this.#queue.push(write);
    if (this.#queue.length >= 500) this.flush();
    else this.#timer ??= this.#clock.setTimer(this.#flushMs, () => this.flush());
  }

  /** Commit everything queued in one transaction. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const q = this.#queue;
    if (q.length === 0) return;
    this.#queue = [];
    try {
      this.#store.batch(() => {
        for (const w of q) {
          try {
            w();
          } catch (e) {
            this.#log.error({ err: e }, 'CDR write failed');
          }
        }
      });
    } catch (e) {
      this.#log.error({ err: e, rows: q.length }, 'CDR batch failed');
    }
  }

  callStarted(c: { callId: string; linkedId: string; start: number; src: string; dst: string; direction: CallRecord['direction'] }): void {
    this.#enqueue(() => this.#store.openCall({ callId: c.callId, direction: c.direction, src: c.src, dst: c.dst, sipCallId: c.callId, startMs: c.start }));
  }

  callEnded(call: CallRecord, legs: readonly LegRecord[]): void {
    const answeredLeg = legs.find((l) => l.role === 'b' && l.answer !== undefined);
    this.#enqueue(() => this.#write(call, legs, answeredLeg));
  }

  #write(call: CallRecord, legs: readonly LegRecord[], answeredLeg: LegRecord | undefined): void {
    this.#store.writeCall(
      {
        callId: call.callId,
        direction: call.direction,
        src: call.src,
        srcName: call.srcName,
        dst: call.dst,
        dstName: call.dstName,
        dstFinal: answeredLeg?.target,
        trunk: call.trunk,
        sipCallId: call.callId,
        startMs: call.start,
        answerMs: call.answer,
        endMs: call.end,
        disposition: call.disposition,
        sipCode: call.sipCode,
        q850Cause: call.q850,
        hangupSide: call.hangupSide,
        recordingPath: call.recordingPath,
        extra: { linkedId: call.linkedId, hangupReason: call.hangupReason, codecA: call.codecA, codecB: call.codecB, transcoded: call.transcoded },
      },
      legs.map((l, seq) => ({
        legId: l.legId,
        seq,
        role: l.role === 'a' ? 'caller' : 'callee',
        endpoint: l.trunk !== undefined ? `trunk/${l.trunk}` : `user/${l.target}`,
        src: l.role === 'a' ? call.src : undefined,
        dst: l.role === 'b' ? l.target : call.dst,
        sipCallId: l.callId,
        remoteAddress: l.peer,
        startMs: l.start,
        answerMs: l.answer,
        endMs: l.end,
        disposition: l.answer !== undefined ? 'ANSWERED' : l.sipCode === 486 || l.sipCode === 600 ? 'BUSY' : l.sipCode === 487 ? 'CANCELLED' : l.sipCode === 408 || l.sipCode === 480 ? 'NO ANSWER' : 'FAILED',
        sipCode: l.sipCode,
        hangupSide: l.role === 'a' ? (call.hangupSide === 'caller' ? 'caller' : undefined) : call.hangupSide === 'callee' && l.answer !== undefined ? 'callee' : undefined,
        codec: l.codec,
        rtpPacketsIn: l.rtp?.packetsIn,
        rtpPacketsOut: l.rtp?.packetsOut,
        rtpLostIn: l.rtp?.lost,
        jitterMs: l.rtp?.jitterMs,
        mos: l.rtp?.mos,
      })),
    );
  }
}
