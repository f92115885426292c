/**
 * Stable error codes of the SIP message sub-layer (STYLE G6).
 *
 * Parse errors are *protocol* errors: the stateless edge (transport/sanity.ts)
 * turns a respondable one into a 400/414/505 and drops the rest (STYLE G5).
 * SipBuildError is a *programmer* error: builders are given data by our own
 * code, so an unparseable core header there is a bug and is thrown.
 */
import { BelfryError } from '../../common/index.ts';

export const SIP_MESSAGE_ERROR_CODES = [
  'SIP_PARSE_EMPTY',
  'SIP_PARSE_TOO_LARGE',
  'SIP_PARSE_NUL',
  'SIP_PARSE_BAD_START_LINE',
  'SIP_PARSE_BAD_VERSION',
  'SIP_PARSE_BAD_STATUS',
  'SIP_PARSE_BAD_METHOD',
  'SIP_PARSE_BAD_URI',
  'SIP_PARSE_URI_TOO_LONG',
  'SIP_PARSE_LINE_TOO_LONG',
  'SIP_PARSE_TOO_MANY_HEADERS',
  'SIP_PARSE_NO_HEADER_END',
  'SIP_PARSE_BAD_HEADER',
  'SIP_PARSE_MISSING_HEADER',
  'SIP_PARSE_DUPLICATE_HEADER',
  'SIP_PARSE_CSEQ_MISMATCH',
  'SIP_PARSE_CONTENT_LENGTH',
  'SIP_PARSE_BODY_SHORT',
  'SIP_BUILD_BAD_HEADER',
] as const;

export type SipMessageErrorCode = (typeof SIP_MESSAGE_ERROR_CODES)[number];
export type SipParseErrorCode = Exclude<SipMessageErrorCode, 'SIP_BUILD_BAD_HEADER'>;

/**
 * The status a respondable parse error maps to at the edge. Everything not
 * listed here answers 400 (RFC 3261 §21.4.1) when respondable.
 */
export const SIP_PARSE_ERROR_STATUS: Readonly<Partial<Record<SipParseErrorCode, number>>> = Object.freeze({
  SIP_PARSE_BAD_VERSION: 505,
  SIP_PARSE_URI_TOO_LONG: 414,
  SIP_PARSE_TOO_LARGE: 513,
});

/** Thrown by build.ts when our own code hands it a header that does not parse. */
export class SipBuildError extends BelfryError {
  constructor(detail: string) {
    super('SIP_BUILD_BAD_HEADER', detail);
  }
}
