/**
 * Stable error codes of the transaction layer (STYLE G6). Operational errors
 * map to the status §8.1.3.1 prescribes (timeout → 408, transport → 503);
 * programmer errors are thrown and never caught silently.
 */
import { BelfryError } from '../../common/index.ts';

export const TRANSACTION_ERROR_CODES = [
  'SIP_TRANSACTION_TIMEOUT',
  'SIP_TRANSACTION_TRANSPORT',
  'SIP_TRANSACTION_TABLE_FULL',
  'SIP_TRANSACTION_ALREADY_FINAL',
  'SIP_TRANSACTION_BAD_RESPONSE',
] as const;

export type TransactionErrorCode = (typeof TRANSACTION_ERROR_CODES)[number];

export class TransactionError extends BelfryError {
  /** SIP status this error becomes, when it becomes one. */
  readonly status: number | undefined;
  constructor(code: TransactionErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}
