/**
 * Stable diagnostic codes of the dialplan compiler (STYLE G6) and the one
 * thrown error type. Owns: the code registry and the Diagnostic shape.
 * Leaves out: formatting (diagnostic-format.ts) and SIP mapping of decisions.
 * Every code here is listed in docs/dialplan.md.
 */
import { BelfryError } from '../common/index.ts';

export const DIALPLAN_ERROR_CODES = [
  'DIALPLAN_YAML_SYNTAX',
  'DIALPLAN_DUPLICATE_KEY',
  'DIALPLAN_DUPLICATE_SECTION',
  'DIALPLAN_UNKNOWN_SECTION',
  'DIALPLAN_UNKNOWN_KEY',
  'DIALPLAN_MISSING_FIELD',
  'DIALPLAN_INVALID_VALUE',
  'DIALPLAN_BAD_DESTINATION',
  'DIALPLAN_UNKNOWN_MEMBER',
  'DIALPLAN_UNKNOWN_DESTINATION',
  'DIALPLAN_UNKNOWN_TRUNK',
  'DIALPLAN_UNKNOWN_SCHEDULE',
  'DIALPLAN_UNKNOWN_HOLIDAYS',
  'DIALPLAN_UNKNOWN_DEPARTMENT',
  'DIALPLAN_UNKNOWN_MENU',
  'DIALPLAN_UNKNOWN_VOICEMAIL',
  'DIALPLAN_FORWARDING_LOOP',
  'DIALPLAN_MENU_KEY_NO_DESTINATION',
  'DIALPLAN_HOLIDAY_OVERLAP',
  'DIALPLAN_DUPLICATE_EXTENSION',
  'DIALPLAN_DUPLICATE_NUMBER',
  'DIALPLAN_BAD_TIME_ZONE',
  'DIALPLAN_BAD_TIME_RANGE',
  'DIALPLAN_BAD_DATE',
  'DIALPLAN_BAD_E164',
  'DIALPLAN_BAD_COUNTRY',
  'DIALPLAN_BAD_CIDR',
  'DIALPLAN_DUPLICATE_FEATURE_CODE',
  'DIALPLAN_MISSING_CREDENTIALS',
  'DIALPLAN_UNREACHABLE',
  'DIALPLAN_NO_DOCUMENTS',
] as const;

export type DialplanErrorCode = (typeof DIALPLAN_ERROR_CODES)[number];

export type Severity = 'error' | 'warning';

/** One finding of the compiler, placed at the YAML node it is about. */
export type Diagnostic = {
  readonly severity: Severity;
  readonly code: DialplanErrorCode;
  readonly file: string;
  /** 1-based line and column of the offending node (0 when there is no node). */
  readonly line: number;
  readonly col: number;
  /** YAML path, e.g. `ring_groups.sales.members[2]`. */
  readonly path: string;
  /** Says what is wrong and how to fix it. */
  readonly message: string;
};

/** Thrown only for programmer errors (a plan that was not compiled by us). */
export class DialplanError extends BelfryError {
  constructor(code: DialplanErrorCode, message: string) {
    super(code, message);
  }
}
