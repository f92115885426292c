/**
 * Call detail records in SQLite: one `cdr_calls` summary row per call and
 * one `cdr_legs` row per leg (pbx-anchors §3.4: users want "one line per
 * call", fidelity wants legs). Column names follow Asterisk's CDR where one
 * exists; docs/cdr.md maps every column to Asterisk and FreeSWITCH.
 *
 * Life of a call: `openCall` at start writes an "open" marker row; `writeCall`
 * at the end replaces it with the final row and the legs in one
 * transaction; `closeInterrupted(now)`, run once at start-up, closes calls
 * left open by a process that died, as INTERRUPTED, ending at `now` (an
 * upper bound: the real end is unknown).
 *
 * Write cost (issue 3: the switch writes a call every few hundred µs under
 * load): statements are prepared once and bound by position, not from an
 * object of named parameters (better-sqlite3 looks each name up as a
 * property); ISO times come from iso-time.ts instead of toISOString.
 * Leaves out: CSV export, retention/pruning, per-tenant partitioning.
 */
import type { Db, Stmt } from './db.ts';
import type { CdrBatchResult, CdrCall, CdrCallRecord, CdrCallStart, CdrDirection, CdrDisposition, CdrLeg, CdrLegRecord, CdrQuery, HangupSide, LegRole, CdrOp } from './cdr-types.ts';
import { StoreError } from './errors.ts';
import { isoUtc as iso } from './iso-time.ts';

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : iso(ms));
const secs = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

interface CallRow {
  call_id: string;
  state: 'open' | 'closed';
  direction: CdrDirection;
  src: string;
  src_name: string | null;
  dst: string;
  dst_name: string | null;
  dst_final: string | null;
  trunk: string | null;
  accountcode: string | null;
  route_node: string | null;
  sip_call_id: string | null;
  start_iso: string;
  start_ms: number;
  answer_iso: string | null;
  answer_ms: number | null;
  end_iso: string | null;
  end_ms: number | null;
  duration: number | null;
  billsec: number | null;
  duration_ms: number | null;
  disposition: CdrDisposition | null;
  sip_code: number | null;
  q850_cause: number | null;
  hangup_side: HangupSide | null;
  recording_path: string | null;
  userfield: string | null;
  extra: string | null;
}

interface LegRow {
  leg_id: string;
  call_id: string;
  seq: number;
  role: LegRole;
  endpoint: string;
  src: string | null;
  dst: string | null;
  sip_call_id: string | null;
  remote_address: string | null;
  user_agent: string | null;
  start_iso: string;
  start_ms: number;
  answer_iso: string | null;
  answer_ms: number | null;
  end_iso: string;
  end_ms: number;
  duration: number;
  billsec: number;
  disposition: CdrDisposition;
  sip_code: number | null;
  q850_cause: number | null;
  hangup_side: HangupSide | null;
  pdd_ms: number | null;
  codec: string | null;
  rtp_packets_in: number | null;
  rtp_packets_out: number | null;
  rtp_lost_in: number | null;
  jitter_ms: number | null;
  mos: number | null;
  recording_path: string | null;
}

function parseExtra(s: string | null): Readonly<Record<string, unknown>> | null {
  if (s === null) return null;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function callFromRow(r: CallRow): CdrCallRecord {
  return {
    callId: r.call_id, state: r.state, direction: r.direction, src: r.src, srcName: r.src_name, dst: r.dst, dstName: r.dst_name,
    dstFinal: r.dst_final, trunk: r.trunk, accountcode: r.accountcode, routeNode: r.route_node, sipCallId: r.sip_call_id,
    startIso: r.start_iso, startMs: r.start_ms, answerIso: r.answer_iso, answerMs: r.answer_ms, endIso: r.end_iso, endMs: r.end_ms,
    duration: r.duration, billsec: r.billsec, durationMs: r.duration_ms, disposition: r.disposition, sipCode: r.sip_code,
    q850Cause: r.q850_cause, hangupSide: r.hangup_side, recordingPath: r.recording_path, userfield: r.userfield, extra: parseExtra(r.extra),
  };
}

function legFromRow(r: LegRow): CdrLegRecord {
  return {
    legId: r.leg_id, callId: r.call_id, seq: r.seq, role: r.role, endpoint: r.endpoint, src: r.src, dst: r.dst, sipCallId: r.sip_call_id,
    remoteAddress: r.remote_address, userAgent: r.user_agent, startIso: r.start_iso, startMs: r.start_ms, answerIso: r.answer_iso,
    answerMs: r.answer_ms, endIso: r.end_iso, endMs: r.end_ms, duration: r.duration, billsec: r.billsec, disposition: r.disposition,
    sipCode: r.sip_code, q850Cause: r.q850_cause, hangupSide: r.hangup_side, pddMs: r.pdd_ms, codec: r.codec,
    rtpPacketsIn: r.rtp_packets_in, rtpPacketsOut: r.rtp_packets_out, rtpLostIn: r.rtp_lost_in, jitterMs: r.jitter_ms, mos: r.mos,
    recordingPath: r.recording_path,
  };
}

function checkTimes(what: string, start: number, answer: number | undefined, end: number): void {
  // Programmer errors: the engine must hand over consistent times.
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) throw new StoreError('STORE_BAD_ROW', `${what}: end ${end} before start ${start}`);
  if (answer !== undefined && (answer < start || answer > end)) throw new StoreError('STORE_BAD_ROW', `${what}: answer ${answer} outside start..end`);
}

const CALL_COLUMNS = [
  'call_id', 'state', 'direction', 'src', 'src_name', 'dst', 'dst_name', 'dst_final', 'trunk', 'accountcode', 'route_node', 'sip_call_id',
  'start_iso', 'start_ms', 'answer_iso', 'answer_ms', 'end_iso', 'end_ms', 'duration', 'billsec', 'duration_ms', 'disposition',
  'sip_code', 'q850_cause', 'hangup_side', 'recording_path', 'userfield', 'extra',
] as const;

const LEG_COLUMNS = [
  'leg_id', 'call_id', 'seq', 'role', 'endpoint', 'src', 'dst', 'sip_call_id', 'remote_address', 'user_agent', 'start_iso', 'start_ms',
  'answer_iso', 'answer_ms', 'end_iso', 'end_ms', 'duration', 'billsec', 'disposition', 'sip_code', 'q850_cause', 'hangup_side',
  'pdd_ms', 'codec', 'rtp_packets_in', 'rtp_packets_out', 'rtp_lost_in', 'jitter_ms', 'mos', 'recording_path',
] as const;

export class CdrStore {
  readonly #db: Db;
  readonly #open: Stmt;
  readonly #upsertCall: Stmt;
  readonly #deleteLegs: Stmt;
  readonly #insertLeg: Stmt;
  readonly #closeOpen: Stmt;
  readonly #answered: Stmt;
  readonly #getCall: Stmt;
  readonly #getLegs: Stmt;
  readonly #write: (call: CdrCall, legs: readonly CdrLeg[]) => void;
  readonly #batch: (work: () => void) => void;
  readonly #writeMany: (batch: ReadonlyArray<{ readonly call: CdrCall; readonly legs: readonly CdrLeg[] }>) => void;

  constructor(db: Db) {
    this.#db = db;
    this.#open = db.prepare(`INSERT INTO cdr_calls (call_id, state, direction, src, src_name, dst, trunk, sip_call_id, start_iso, start_ms)
      VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (call_id) DO NOTHING`);
    // Positional: the order of CALL_COLUMNS / LEG_COLUMNS is the order of the arguments in #write.
    this.#upsertCall = db.prepare(`INSERT INTO cdr_calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})
      ON CONFLICT (call_id) DO UPDATE SET ${CALL_COLUMNS.filter((c) => c !== 'call_id').map((c) => `${c} = excluded.${c}`).join(', ')}`);
    this.#deleteLegs = db.prepare('DELETE FROM cdr_legs WHERE call_id = ?');
    this.#insertLeg = db.prepare(`INSERT INTO cdr_legs (${LEG_COLUMNS.join(', ')}) VALUES (${LEG_COLUMNS.map(() => '?').join(', ')})`);
    // An interrupted call ends "now": duration is an upper bound; billsec counts only if it was answered.
    this.#closeOpen = db.prepare(`UPDATE cdr_calls SET state = 'closed', disposition = 'INTERRUPTED', hangup_side = 'system',
        end_ms = MAX(@now, start_ms), end_iso = @now_iso,
        duration_ms = MAX(@now, start_ms) - start_ms,
        duration = (MAX(@now, start_ms) - start_ms) / 1000,
        billsec = CASE WHEN answer_ms IS NULL THEN 0 ELSE MAX(0, (@now - answer_ms) / 1000) END
      WHERE state = 'open'`);
    this.#answered = db.prepare(`UPDATE cdr_calls SET answer_ms = @answer_ms, answer_iso = @answer_iso
      WHERE call_id = @call_id AND state = 'open' AND answer_ms IS NULL`);
    this.#getCall = db.prepare('SELECT * FROM cdr_calls WHERE call_id = ?');
    this.#getLegs = db.prepare('SELECT * FROM cdr_legs WHERE call_id = ? ORDER BY seq');
    this.#write = db.transaction((call: CdrCall, legs: readonly CdrLeg[]) => {
      runCall(this.#upsertCall, call);
      this.#deleteLegs.run(call.callId);
      for (const leg of legs) runLeg(this.#insertLeg, call.callId, leg);
    });
    this.#batch = db.transaction((work: () => void) => work());
    // Nested db.transaction calls become savepoints: one commit for the whole batch.
    this.#writeMany = db.transaction((batch: ReadonlyArray<{ readonly call: CdrCall; readonly legs: readonly CdrLeg[] }>) => {
      for (const e of batch) this.#write(e.call, e.legs);
    });
  }

  /**
   * Run several writes in one SQLite transaction (one commit): the engine's
   * CDR writer flushes its queue this way. Inner writes become savepoints.
   */
  batch(work: () => void): void {
    this.#batch(work);
  }

  /**
   * A writer's queue in one transaction (one commit). A row that fails is
   * reported with its call-id and does not stop the others; a final row that
   * fails writes its dropped open marker instead. Never throws.
   */
  applyCdrBatch(ops: readonly CdrOp[]): CdrBatchResult {
    const failed: Array<CdrBatchResult['failed'][number]> = [];
    const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
    const open = (start: CdrCallStart) => {
      try {
        this.openCall(start);
      } catch (e) {
        failed.push({ callId: start.callId, what: 'open', error: message(e) });
      }
    };
    try {
      this.#batch(() => {
        for (const op of ops) {
          if (op.kind === 'open') {
            open(op.start);
            continue;
          }
          try {
            this.writeCall(op.call, op.legs);
          } catch (e) {
            failed.push({ callId: op.call.callId, what: 'final', error: message(e) });
            if (op.marker !== undefined) open(op.marker);
          }
        }
      });
    } catch (e) {
      // The commit itself failed (disk full, I/O error): every row of the batch is lost.
      return { failed: [], commitError: { error: message(e), callIds: ops.map((op) => (op.kind === 'open' ? op.start.callId : op.call.callId)) } };
    }
    return { failed };
  }

  /** The "open call" marker; a second call for the same id is ignored. */
  openCall(start: CdrCallStart): void {
    this.#run('openCall', () =>
      this.#open.run(
        start.callId, start.direction, start.src, start.srcName ?? null, start.dst, start.trunk ?? null, start.sipCallId ?? null,
        iso(start.startMs), start.startMs,
      ),
    );
  }

  /** Note the answer time on the open marker, so an interrupted call still gets a billsec. */
  markAnswered(callId: string, answerMs: number): void {
    this.#run('markAnswered', () => this.#answered.run({ call_id: callId, answer_ms: answerMs, answer_iso: iso(answerMs) }));
  }

  /** The final record: call row plus all legs, in one transaction, replacing any marker. */
  writeCall(call: CdrCall, legs: readonly CdrLeg[]): void {
    checkTimes(`call ${call.callId}`, call.startMs, call.answerMs, call.endMs);
    for (const l of legs) checkTimes(`leg ${l.legId}`, l.startMs, l.answerMs, l.endMs);
    this.#run('writeCall', () => this.#write(call, legs));
  }

  /**
   * Several finished calls in one transaction (one commit, one WAL sync
   * point): for an engine that queues CDRs and flushes them every few ms
   * under load. All or nothing.
   */
  writeCalls(batch: ReadonlyArray<{ readonly call: CdrCall; readonly legs: readonly CdrLeg[] }>): void {
    for (const e of batch) {
      checkTimes(`call ${e.call.callId}`, e.call.startMs, e.call.answerMs, e.call.endMs);
      for (const l of e.legs) checkTimes(`leg ${l.legId}`, l.startMs, l.answerMs, l.endMs);
    }
    this.#run('writeCalls', () => this.#writeMany(batch));
  }

  /** Close every call still open (run at start-up); returns how many were closed. */
  closeInterrupted(now: number): number {
    return this.#run('closeInterrupted', () => this.#closeOpen.run({ now, now_iso: iso(now) }).changes);
  }

  listCalls(q: CdrQuery = {}): readonly CdrCallRecord[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (q.from !== undefined) (where.push('start_ms >= @from'), (params.from = q.from));
    if (q.to !== undefined) (where.push('start_ms < @to'), (params.to = q.to));
    if (q.direction !== undefined) (where.push('direction = @direction'), (params.direction = q.direction));
    if (q.src !== undefined) (where.push('src = @src'), (params.src = q.src));
    if (q.dst !== undefined) (where.push('dst = @dst'), (params.dst = q.dst));
    params.limit = Math.min(1000, Math.max(1, Math.floor(q.limit ?? 100)));
    params.offset = Math.max(0, Math.floor(q.offset ?? 0));
    const sql = `SELECT * FROM cdr_calls ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY start_ms DESC, call_id LIMIT @limit OFFSET @offset`;
    return (this.#db.prepare(sql).all(params) as CallRow[]).map(callFromRow);
  }

  getCall(callId: string): { readonly call: CdrCallRecord; readonly legs: readonly CdrLegRecord[] } | undefined {
    const row = this.#getCall.get(callId) as CallRow | undefined;
    if (row === undefined) return undefined;
    return { call: callFromRow(row), legs: (this.#getLegs.all(callId) as LegRow[]).map(legFromRow) };
  }

  #run<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('STORE_WRITE_FAILED', `cdr ${what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** Binds CALL_COLUMNS in order. */
function runCall(stmt: Stmt, c: CdrCall): void {
  stmt.run(
    c.callId, 'closed', c.direction, c.src, c.srcName ?? null, c.dst, c.dstName ?? null, c.dstFinal ?? null, c.trunk ?? null,
    c.accountcode ?? null, c.routeNode ?? null, c.sipCallId ?? null, iso(c.startMs), c.startMs, isoOrNull(c.answerMs), c.answerMs ?? null,
    iso(c.endMs), c.endMs, secs(c.endMs - c.startMs), c.answerMs === undefined ? 0 : secs(c.endMs - c.answerMs), c.endMs - c.startMs,
    c.disposition, c.sipCode ?? null, c.q850Cause ?? null, c.hangupSide ?? null, c.recordingPath ?? null, c.userfield ?? null,
    c.extra === undefined ? null : JSON.stringify(c.extra),
  );
}

/** Binds LEG_COLUMNS in order. */
function runLeg(stmt: Stmt, callId: string, l: CdrLeg): void {
  stmt.run(
    l.legId, callId, l.seq, l.role, l.endpoint, l.src ?? null, l.dst ?? null, l.sipCallId ?? null, l.remoteAddress ?? null, l.userAgent ?? null,
    iso(l.startMs), l.startMs, isoOrNull(l.answerMs), l.answerMs ?? null, iso(l.endMs), l.endMs, secs(l.endMs - l.startMs),
    l.answerMs === undefined ? 0 : secs(l.endMs - l.answerMs), l.disposition, l.sipCode ?? null, l.q850Cause ?? null, l.hangupSide ?? null,
    l.pddMs ?? null, l.codec ?? null, l.rtpPacketsIn ?? null, l.rtpPacketsOut ?? null, l.rtpLostIn ?? null, l.jitterMs ?? null, l.mos ?? null,
    l.recordingPath ?? null,
  );
}
