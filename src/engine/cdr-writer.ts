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
 *
 * A call that starts and ends within one interval needs no marker: its final
 * row commits in the same transaction the marker would, so the marker could
 * never be what a crash leaves behind. It is dropped from the queue (a third
 * of the rows of a short call), and written after all if the final row fails,
 * so a call whose record cannot be written still leaves a trace.
 */
import type { Clock, Logger, TimerHandle } from '../common/index.ts';
import type { CdrStore } from '../store/index.ts';
import type { CallRecord, CdrSink, LegRecord } from './cdr-types.ts';

type CallStart = Parameters<CdrSink['callStarted']>[0];

/** A queued write; `marker` on an end is the start whose open marker was dropped for it. */
type Pending =
  | { readonly kind: 'open'; readonly start: CallStart; dropped: boolean }
  | { readonly kind: 'end'; readonly call: CallRecord; readonly legs: readonly LegRecord[]; readonly marker: CallStart | undefined };

export class CdrWriter implements CdrSink {
  readonly #store: CdrStore;
  readonly #log: Logger;
  readonly #clock: Clock | undefined;
  readonly #flushMs: number;
  #queue: Pending[] = [];
  /** Open markers in #queue by call-id, so an end in the same interval can drop its marker. */
  readonly #queuedOpen = new Map<string, Pending & { kind: 'open' }>();
  #timer: TimerHandle | undefined;

  /** Without a clock every record is written at once (tests, tools). */
  constructor(store: CdrStore, log: Logger, opts: { clock?: Clock; flushMs?: number } = {}) {
    this.#store = store;
    this.#log = log;
    this.#clock = opts.clock;
    this.#flushMs = opts.flushMs ?? 10;
  }

  #enqueue(p: Pending): void {
    if (this.#clock === undefined) {
      this.#apply(p);
      return;
    }
    this.#queue.push(p);
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
    this.#queuedOpen.clear();
    try {
      this.#store.batch(() => {
        for (const p of q) this.#apply(p);
      });
    } catch (e) {
      // The commit itself failed (disk full, I/O error): every row of the interval is lost.
      const callIds = q.flatMap((p) => (p.kind === 'open' ? (p.dropped ? [] : [p.start.callId]) : [p.call.callId]));
      this.#log.error({ err: e, rows: q.length, callIds }, 'CDR batch failed');
    }
  }

  /** One queued write; a failure is logged with its call-id and does not stop the others. */
  #apply(p: Pending): void {
    if (p.kind === 'open') {
      if (!p.dropped) this.#open(p.start);
      return;
    }
    try {
      this.#write(p.call, p.legs);
    } catch (e) {
      this.#log.error({ err: e, callId: p.call.callId }, 'CDR write failed');
      if (p.marker !== undefined) this.#open(p.marker);
    }
  }

  #open(c: CallStart): void {
    try {
      this.#store.openCall({ callId: c.callId, direction: c.direction, src: c.src, dst: c.dst, sipCallId: c.callId, startMs: c.start });
    } catch (e) {
      this.#log.error({ err: e, callId: c.callId }, 'CDR open marker write failed');
    }
  }

  callStarted(c: CallStart): void {
    const p: Pending = { kind: 'open', start: c, dropped: false };
    if (this.#clock !== undefined) this.#queuedOpen.set(c.callId, p);
    this.#enqueue(p);
  }

  callEnded(call: CallRecord, legs: readonly LegRecord[]): void {
    const open = this.#queuedOpen.get(call.callId);
    if (open !== undefined) {
      open.dropped = true;
      this.#queuedOpen.delete(call.callId);
    }
    this.#enqueue({ kind: 'end', call, legs, marker: open?.start });
  }

  #write(call: CallRecord, legs: readonly LegRecord[]): void {
    const answeredLeg = legs.find((l) => l.role === 'b' && l.answer !== undefined);
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
