/**
 * The store's write thread: SQLite writes off the signalling thread.
 *
 * Why (issue 3): at 1,000 calls/s the CDR inserts (binding each column,
 * SQLite's B-tree work, the commit) were 7 % of the main thread's samples,
 * and the write-behind binding flush 7 % of a REGISTER's. better-sqlite3 is
 * synchronous, so that time was taken from parsing and routing. Here a
 * worker thread owns a second connection (WAL lets the main thread's
 * connection keep reading: the admin API, start-up loads) and the main
 * thread only posts batches: one structured clone per flush interval.
 *
 * Semantics kept from the in-thread writers: one transaction per batch, in
 * the order posted; a CDR row that fails is logged with its call-id by the
 * engine's CdrWriter when the answer comes back; a binding batch that fails
 * is retried by the thread. A crash loses what the thread had not committed,
 * as before it lost the last flush interval (a few ms more now).
 *
 * Bounded: at most `maxInFlightOps` rows posted and not yet committed. Past
 * that (a disk that stalls for seconds), new batches are not queued but
 * dropped and logged with their call-ids: memory must not grow with a stuck
 * disk. If the thread dies, writes go to the main thread's connection, as
 * with `store.write_thread: false`.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker, type Logger } from '../common/index.ts';
import type { SqliteBindingStore } from './binding-store.ts';
import type { CdrStore } from './cdr-store.ts';
import type { CdrBatchResult, CdrOp } from './cdr-types.ts';
import { StoreError } from './errors.ts';
import type { BindingOp, WriteReply, WriteRequest, WriteThreadInit } from './write-thread-types.ts';

export interface WriteThreadOptions {
  readonly file: string;
  readonly log: Logger;
  /** Used when the thread is gone: the main thread's own stores. */
  readonly fallback: { readonly bindings: SqliteBindingStore; readonly cdrs: CdrStore };
  readonly busyTimeoutMs?: number;
  /** How long start() and close() wait for the thread (default 10 s). */
  readonly timeoutMs?: number;
  /** Rows posted and not yet committed, at most (default 50,000). */
  readonly maxInFlightOps?: number;
}

const opCallId = (op: CdrOp): string => (op.kind === 'open' ? op.start.callId : op.call.callId);

export class StoreWriteThread {
  readonly #worker: Worker;
  readonly #opts: WriteThreadOptions;
  readonly #maxInFlight: number;
  /** request id → rows in it, and the CDR answer's resolver. */
  readonly #pending = new Map<number, { rows: number; resolve?: (r: CdrBatchResult) => void; ops?: readonly CdrOp[] }>();
  #inFlightOps = 0;
  #nextId = 1;
  #dead: string | undefined;
  #closing: { id: number; resolve: () => void } | undefined;
  #overflowLogged = false;

  private constructor(worker: Worker, opts: WriteThreadOptions) {
    this.#worker = worker;
    this.#opts = opts;
    this.#maxInFlight = opts.maxInFlightOps ?? 50_000;
  }

  /** Starts the thread and waits until its connection is open. */
  static async start(opts: WriteThreadOptions): Promise<StoreWriteThread> {
    const init: WriteThreadInit = { file: opts.file, busyTimeoutMs: opts.busyTimeoutMs ?? 5000 };
    const worker = startModuleWorker(new URL('./write-thread-worker.ts', import.meta.url), { workerData: init });
    const t = new StoreWriteThread(worker, opts);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new StoreError('STORE_OPEN_FAILED', `store write thread did not start within ${opts.timeoutMs ?? 10_000} ms`));
      }, opts.timeoutMs ?? 10_000);
      worker.on('message', (m: WriteReply) => {
        if (m.op === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.op === 'failed') {
          clearTimeout(timer);
          void worker.terminate();
          reject(new StoreError('STORE_OPEN_FAILED', `store write thread: ${m.error}`));
        } else {
          t.#onReply(m);
        }
      });
      worker.on('error', (e) => {
        clearTimeout(timer);
        reject(new StoreError('STORE_OPEN_FAILED', `store write thread: ${e.message}`));
        t.#onDeath(e.message);
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        reject(new StoreError('STORE_OPEN_FAILED', `store write thread exited with code ${code}`));
        t.#onDeath(`exited with code ${code}`);
      });
    });
    // Idle, it never keeps the process alive; with rows in flight it does (#id, #onReply).
    worker.unref();
    return t;
  }

  /** Rows posted and not yet committed. */
  get backlog(): number {
    return this.#inFlightOps;
  }

  /** The write-behind binding cache's flush (CachedBindingStore's `writer`). */
  applyBatch(ops: readonly BindingOp[]): void {
    if (this.#dead !== undefined) {
      this.#opts.fallback.bindings.applyBatch(ops);
      return;
    }
    if (!this.#admit(ops.length, () => ({ aors: ops.length }))) return;
    this.#post({ op: 'bindings', id: this.#id(ops.length), ops });
  }

  purgeExpired(now: number): void {
    if (this.#dead !== undefined) {
      this.#opts.fallback.bindings.purgeExpired(now);
      return;
    }
    this.#post({ op: 'purge', id: this.#id(0), now });
  }

  /** The engine's CdrWriter sink: answered when the thread has committed (or failed) the batch. */
  applyCdrBatch(ops: readonly CdrOp[]): CdrBatchResult | Promise<CdrBatchResult> {
    if (this.#dead !== undefined) return this.#opts.fallback.cdrs.applyCdrBatch(ops);
    if (ops.length + this.#inFlightOps > this.#maxInFlight) {
      return { failed: [], commitError: { error: `store write thread backlog full (${this.#inFlightOps} rows waiting); rows dropped`, callIds: ops.map(opCallId) } };
    }
    return new Promise<CdrBatchResult>((resolve) => {
      const id = this.#id(ops.length);
      const p = this.#pending.get(id);
      if (p !== undefined) ((p.resolve = resolve), (p.ops = ops));
      this.#post({ op: 'cdr', id, ops });
    });
  }

  /** Commits what was posted, closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.#dead !== undefined) return;
    const id = this.#nextId++;
    const done = new Promise<void>((resolve) => {
      this.#closing = { id, resolve };
    });
    this.#worker.ref();
    this.#worker.postMessage({ op: 'close', id } satisfies WriteRequest);
    const timeoutMs = this.#opts.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
      timer.unref();
    });
    const late = await Promise.race([done.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) this.#opts.log.error({ backlog: this.#inFlightOps, timeoutMs }, 'store write thread did not close in time; its uncommitted rows are lost');
    this.#dead ??= 'closed';
    await this.#worker.terminate();
  }

  /** Ends the thread at once (what a crash of the thread looks like; for tests). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #admit(rows: number, what: () => Record<string, unknown>): boolean {
    if (rows + this.#inFlightOps <= this.#maxInFlight) {
      this.#overflowLogged = false;
      return true;
    }
    if (!this.#overflowLogged) {
      this.#overflowLogged = true;
      this.#opts.log.error({ backlog: this.#inFlightOps, ...what() }, 'store write thread backlog full; binding changes dropped (phones repeat them at their next refresh)');
    }
    return false;
  }

  #id(rows: number): number {
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    this.#pending.set(id, { rows });
    this.#inFlightOps += rows;
    return id;
  }

  #post(m: WriteRequest): void {
    this.#worker.postMessage(m);
  }

  #onReply(m: WriteReply): void {
    switch (m.op) {
      case 'done':
      case 'cdr-done': {
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
        this.#pending.delete(m.id);
        this.#inFlightOps -= p.rows;
        if (this.#pending.size === 0 && this.#closing === undefined) this.#worker.unref();
        if (m.op === 'cdr-done') p.resolve?.(m.result);
        return;
      }
      case 'closed':
        if (this.#closing?.id === m.id) this.#closing.resolve();
        return;
      case 'log':
        this.#opts.log[m.level]({ err: m.error, ...(m.pending !== undefined ? { pending: m.pending, dropped: m.dropped } : {}) }, m.msg);
        return;
      case 'ready':
      case 'failed':
        return;
    }
  }

  #onDeath(why: string): void {
    if (this.#dead !== undefined) return;
    this.#dead = why;
    this.#closing?.resolve();
    if (this.#pending.size > 0 || why !== 'exited with code 0') this.#opts.log.error({ reason: why, lostRows: this.#inFlightOps }, 'store write thread ended; writing on the main thread');
    // What it had not committed is lost: say which calls.
    for (const p of this.#pending.values()) p.resolve?.({ failed: [], commitError: { error: `store write thread ended: ${why}`, callIds: (p.ops ?? []).map(opCallId) } });
    this.#pending.clear();
    this.#inFlightOps = 0;
  }
}
