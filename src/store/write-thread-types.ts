/** Messages between the main thread and the store's write thread (write-thread.ts). */
import type { StoredBinding } from './binding-types.ts';
import type { CdrBatchResult, CdrOp } from './cdr-types.ts';

export interface WriteThreadInit {
  readonly file: string;
  readonly busyTimeoutMs: number;
}

export interface BindingOp {
  readonly aor: string;
  readonly upsert: readonly StoredBinding[];
  readonly removeKeys: readonly string[];
}

export type WriteRequest =
  | { readonly op: 'bindings'; readonly id: number; readonly ops: readonly BindingOp[] }
  | { readonly op: 'purge'; readonly id: number; readonly now: number }
  | { readonly op: 'cdr'; readonly id: number; readonly ops: readonly CdrOp[] }
  | { readonly op: 'close'; readonly id: number };

export type WriteReply =
  | { readonly op: 'ready' }
  | { readonly op: 'failed'; readonly error: string }
  | { readonly op: 'done'; readonly id: number }
  | { readonly op: 'cdr-done'; readonly id: number; readonly result: CdrBatchResult }
  | { readonly op: 'closed'; readonly id: number }
  | { readonly op: 'log'; readonly level: 'error' | 'warn'; readonly msg: string; readonly error: string; readonly pending?: number; readonly dropped?: number };
