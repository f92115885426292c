/**
 * The engine's CdrSink on top of the SQLite CdrStore: maps the engine's
 * call and leg records to the store's rows (Asterisk-style names). Writes are
 * queued and committed together every `flushMs` (one transaction, one WAL
 * append) so the call path never waits for the disk; a failed write is
 * logged with the call-id and never breaks the call path. `flush()` runs at
 * shutdown. The batch goes to a `CdrBatchSink`: the CdrStore (written on
 * this thread) or the store's write thread, which answers with the rows
 * that failed once it has committed (store/write-thread.ts). The open
 * marker of a call (what lets the next start close it as INTERRUPTED after
 * a crash) goes through the same queue: a crash loses the
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
import type { CdrBatchResult, CdrCall, CdrCallStart, CdrLeg, CdrOp } from '../store/index.ts';
import type { CallRecord, CdrSink, LegRecord } from './cdr-types.ts';

type CallStart = Parameters<CdrSink['callStarted']>[0];

/**
 * Where the batches go: the CdrStore itself (writes on this thread), or the
 * store's write thread (store/write-thread.ts), which answers later.
 */
export interface CdrBatchSink {
  applyCdrBatch(ops: readonly CdrOp[]): CdrBatchResult | Promise<CdrBatchResult>;
}

/** A queued write; `marker` on an end is the start whose open marker was dropped for it. */
type Pending =
  | { readonly kind: 'open'; readonly start: CallStart; dropped: boolean }
  | { readonly kind: 'end'; readonly call: CallRecord; readonly legs: readonly LegRecord[]; readonly marker: CallStart | undefined };

export class CdrWriter implements CdrSink {
  readonly #sink: CdrBatchSink;
  readonly #log: Logger;
  readonly #clock: Clock | undefined;
  readonly #flushMs: number;
  #queue: Pending[] = [];
  /** Open markers in #queue by call-id, so an end in the same interval can drop its marker. */
  readonly #queuedOpen = new Map<string, Pending & { kind: 'open' }>();
  #timer: TimerHandle | undefined;
  /** Batches handed to an asynchronous sink and not answered yet (shutdown waits for them). */
  readonly #inFlight = new Set<Promise<void>>();

  /** Without a clock every record is written at once (tests, tools). */
  constructor(sink: CdrBatchSink, log: Logger, opts: { clock?: Clock; flushMs?: number } = {}) {
    this.#sink = sink;
    this.#log = log;
    this.#clock = opts.clock;
    this.#flushMs = opts.flushMs ?? 10;
  }

  #enqueue(p: Pending): void {
    if (this.#clock === undefined) {
      this.#hand([p]);
      return;
    }
    this.#queue.push(p);
    if (this.#queue.length >= 500) this.flush();
    else this.#timer ??= this.#clock.setTimer(this.#flushMs, () => this.flush());
  }

  /** Hand everything queued to the sink as one batch (one transaction). */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const q = this.#queue;
    if (q.length === 0) return;
    this.#queue = [];
    this.#queuedOpen.clear();
    this.#hand(q);
  }

  /** Resolves when every batch handed over so far has been answered. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #hand(q: readonly Pending[]): void {
    const ops: CdrOp[] = [];
    for (const p of q) {
      if (p.kind === 'open') {
        if (!p.dropped) ops.push({ kind: 'open', start: toStart(p.start) });
      } else {
        ops.push({ kind: 'final', ...toRows(p.call, p.legs), marker: p.marker === undefined ? undefined : toStart(p.marker) });
      }
    }
    if (ops.length === 0) return;
    let r: CdrBatchResult | Promise<CdrBatchResult>;
    try {
      r = this.#sink.applyCdrBatch(ops);
    } catch (e) {
      // A sink must answer with a result; this is its bug, logged like a failed commit.
      r = { failed: [], commitError: { error: e instanceof Error ? e.message : String(e), callIds: ops.map(opCallId) } };
    }
    if (!(r instanceof Promise)) {
      this.#report(r, ops.length);
      return;
    }
    const done = r.then(
      (res) => this.#report(res, ops.length),
      (e: unknown) => this.#report({ failed: [], commitError: { error: e instanceof Error ? e.message : String(e), callIds: ops.map(opCallId) } }, ops.length),
    );
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
  }

  /** Each failure logged once with its call-id; writing goes on. */
  #report(r: CdrBatchResult, rows: number): void {
    if (r.commitError !== undefined) this.#log.error({ err: r.commitError.error, rows, callIds: r.commitError.callIds }, 'CDR batch failed');
    for (const f of r.failed) this.#log.error({ err: f.error, callId: f.callId }, f.what === 'open' ? 'CDR open marker write failed' : 'CDR write failed');
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

}

function toStart(c: CallStart): CdrCallStart {
  return { callId: c.callId, direction: c.direction, src: c.src, dst: c.dst, sipCallId: c.callId, startMs: c.start };
}

function opCallId(op: CdrOp): string {
  return op.kind === 'open' ? op.start.callId : op.call.callId;
}

/** The engine's records as the store's rows (Asterisk-style names; docs/cdr.md). */
function toRows(call: CallRecord, legs: readonly LegRecord[]): { call: CdrCall; legs: CdrLeg[] } {
  const answeredLeg = legs.find((l) => l.role === 'b' && l.answer !== undefined);
  return {
    call: {
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
    legs: legs.map((l, seq) => ({
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
  };
}
