/**
 * Stable codes for the store (STYLE G6). All are operational or programmer
 * errors: a failing database is reported, never turned into a SIP answer
 * here (the registrar driver maps a failed commit to 500, RFC 3261 §10.3
 * step 7). Errors thrown by better-sqlite3 are wrapped at this boundary
 * with the original as `cause`.
 */
import { BelfryError } from '../common/index.ts';

export const STORE_ERROR_CODES = [
  'STORE_OPEN_FAILED',
  'STORE_BAD_MIGRATIONS',
  'STORE_MIGRATION_MISMATCH',
  'STORE_SCHEMA_TOO_NEW',
  'STORE_MIGRATION_FAILED',
  'STORE_WRITE_FAILED',
  'STORE_BAD_ROW',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends BelfryError {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
