/**
 * Stable error codes of the media module (STYLE G6). SDP validation and
 * offer/answer failures are protocol errors: the engine answers the INVITE
 * with the SIP status given here (RFC 3261 §21.4.26 488 Not Acceptable Here
 * for media we cannot use, 400 for a body that is not SDP at all).
 * docs/media.md lists every code.
 */
import { BelfryError } from '../common/index.ts';

export type SdpErrorCode =
  | 'SDP_TOO_LARGE'
  | 'SDP_BAD_LINE'
  | 'SDP_MISSING_VERSION'
  | 'SDP_BAD_VERSION'
  | 'SDP_MISSING_ORIGIN'
  | 'SDP_BAD_ORIGIN'
  | 'SDP_MISSING_SESSION_NAME'
  | 'SDP_BAD_CONNECTION'
  | 'SDP_MISSING_CONNECTION'
  | 'SDP_BAD_MEDIA'
  | 'SDP_MISSING_RTPMAP'
  | 'SDP_BAD_ATTRIBUTE'
  | 'SDP_PARSER_FAILED'
  | 'SDP_NO_AUDIO'
  | 'SDP_NO_COMMON_CODEC';

export const MEDIA_ERROR_CODES: readonly SdpErrorCode[] = [
  'SDP_TOO_LARGE',
  'SDP_BAD_LINE',
  'SDP_MISSING_VERSION',
  'SDP_BAD_VERSION',
  'SDP_MISSING_ORIGIN',
  'SDP_BAD_ORIGIN',
  'SDP_MISSING_SESSION_NAME',
  'SDP_BAD_CONNECTION',
  'SDP_MISSING_CONNECTION',
  'SDP_BAD_MEDIA',
  'SDP_MISSING_RTPMAP',
  'SDP_BAD_ATTRIBUTE',
  'SDP_PARSER_FAILED',
  'SDP_NO_AUDIO',
  'SDP_NO_COMMON_CODEC',
];

/** The SIP status an INVITE carrying this SDP problem should get. */
export function sdpErrorStatus(code: SdpErrorCode): 400 | 488 {
  return code === 'SDP_NO_AUDIO' || code === 'SDP_NO_COMMON_CODEC' ? 488 : 400;
}

/** A problem with an SDP body: code, human detail, and the 1-based line when known. */
export interface SdpError {
  readonly code: SdpErrorCode;
  readonly detail: string;
  readonly line?: number;
}

export function sdpError(code: SdpErrorCode, detail: string, line?: number): SdpError {
  return line === undefined ? { code, detail } : { code, detail, line };
}

/** Thrown form, for callers that must throw (never used on the parse path). */
export class MediaError extends BelfryError {
  readonly line: number | undefined;
  constructor(e: SdpError) {
    super(e.code, e.detail);
    this.line = e.line;
  }
}
