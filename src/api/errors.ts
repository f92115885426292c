/** Stable error codes of the admin API (STYLE G6). */
export const API_ERROR_CODES = {
  API_UNAUTHORIZED: 'missing or wrong bearer token (401)',
  API_BAD_FIELD: 'a query or body field is invalid; `field` names it (400)',
  API_NOT_FOUND: 'no such resource (404)',
  API_RELOAD_FAILED: 'the dialplan did not compile; the running plan is kept (422)',
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly field?: string };
}

export function apiError(code: ApiErrorCode, message: string, field?: string): ApiErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}
