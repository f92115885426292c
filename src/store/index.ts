/** Public face of the store: SQLite opening and migrations, bindings, CDRs. */
export { openDatabase, runMigrations, loadMigrations } from './db.ts';
export type { Db, OpenOptions, Migration } from './db.ts';
export { SqliteBindingStore } from './binding-store.ts';
export type { StoredBinding, StoredFlow, StoredProtocol } from './binding-types.ts';
export { CdrStore } from './cdr-store.ts';
export type { CdrCall, CdrCallStart, CdrLeg, CdrCallRecord, CdrLegRecord, CdrQuery, CdrDirection, CdrDisposition, HangupSide, LegRole, CdrOp, CdrBatchResult } from './cdr-types.ts';
export { StoreError, STORE_ERROR_CODES } from './errors.ts';
export type { StoreErrorCode } from './errors.ts';
export { CachedBindingStore } from './binding-cache.ts';
export type { BindingWriter } from './binding-cache.ts';
export { StoreWriteThread } from './write-thread.ts';
export type { WriteThreadOptions } from './write-thread.ts';
