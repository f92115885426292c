/**
 * The store's write thread (entry module; see write-thread.ts for why and
 * how). It opens its own connection to the database the main thread already
 * opened and migrated, and applies what the main thread posts: binding
 * batches, expired-binding purges and CDR batches, each in one transaction,
 * in the order they were posted. A binding batch that fails is kept and
 * retried every second (bounded, oldest dropped), as the in-thread cache did.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './db.ts';
import { SqliteBindingStore } from './binding-store.ts';
import { CdrStore } from './cdr-store.ts';
import type { BindingOp, WriteReply, WriteRequest, WriteThreadInit } from './write-thread-types.ts';

const MAX_RETRY_OPS = 100_000;

function main(port: NonNullable<typeof parentPort>, init: WriteThreadInit): void {
  const post = (m: WriteReply) => port.postMessage(m);
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(init.file, { busyTimeoutMs: init.busyTimeoutMs });
  } catch (e) {
    post({ op: 'failed', error: e instanceof Error ? e.message : String(e) });
    return;
  }
  // The main thread's SqliteBindingStore already forgot old connection ids; this one must not touch rows.
  const bindings = new SqliteBindingStore(db, { forgetConnections: false });
  const cdrs = new CdrStore(db);
  let retry: BindingOp[] = [];
  let retryTimer: NodeJS.Timeout | undefined;

  const applyBindings = (ops: readonly BindingOp[]): void => {
    const all = retry.length > 0 ? retry.concat(ops) : ops;
    retry = [];
    try {
      bindings.applyBatch(all);
    } catch (e) {
      const kept = all.length > MAX_RETRY_OPS ? all.slice(-MAX_RETRY_OPS) : all.slice();
      post({ op: 'log', level: 'error', msg: 'binding flush failed; retrying', error: e instanceof Error ? e.message : String(e), pending: kept.length, dropped: all.length - kept.length });
      retry = kept;
      retryTimer ??= setTimeout(() => {
        retryTimer = undefined;
        applyBindings([]);
      }, 1000);
    }
  };

  port.on('message', (m: WriteRequest) => {
    switch (m.op) {
      case 'bindings':
        applyBindings(m.ops);
        post({ op: 'done', id: m.id });
        return;
      case 'purge':
        try {
          bindings.purgeExpired(m.now);
        } catch (e) {
          post({ op: 'log', level: 'error', msg: 'binding purge failed', error: e instanceof Error ? e.message : String(e) });
        }
        post({ op: 'done', id: m.id });
        return;
      case 'cdr':
        post({ op: 'cdr-done', id: m.id, result: cdrs.applyCdrBatch(m.ops) });
        return;
      case 'close':
        if (retryTimer !== undefined) clearTimeout(retryTimer);
        if (retry.length > 0) applyBindings([]);
        if (retryTimer !== undefined) clearTimeout(retryTimer);
        db.close();
        post({ op: 'closed', id: m.id });
        port.close();
        return;
    }
  });
  post({ op: 'ready' });
}

if (parentPort !== null) main(parentPort, workerData as WriteThreadInit);
