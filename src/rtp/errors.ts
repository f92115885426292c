/**
 * Stable error codes of the rtp module (STYLE G6). Parse codes are plain
 * string constants so the hot path can return them without allocating;
 * operational failures (port exhaustion, bind errors) use RtpError.
 * docs/media.md lists every code.
 */
import { BelfryError } from '../common/index.ts';

/** Result codes of the RTP header view (packet.ts). */
export type RtpParseCode =
  | 'ok'
  | 'RTP_TOO_SHORT'
  | 'RTP_BAD_VERSION'
  | 'RTP_CSRC_OVERRUN'
  | 'RTP_EXTENSION_OVERRUN'
  | 'RTP_BAD_PADDING';

/** Result codes of the RTCP parser (rtcp.ts). */
export type RtcpParseCode =
  | 'RTCP_TOO_SHORT'
  | 'RTCP_BAD_VERSION'
  | 'RTCP_LENGTH_OVERRUN'
  | 'RTCP_BAD_REPORT_COUNT'
  | 'RTCP_BAD_SDES'
  | 'RTCP_BAD_PADDING';

/** Result codes of the RFC 4733 payload decoder (telephone-event.ts). */
export type TelephoneEventParseCode = 'RTP_EVENT_TOO_SHORT';

export type RtpOperationalCode = 'RTP_PORTS_EXHAUSTED' | 'RTP_BIND_FAILED' | 'RTP_POOL_BAD_RANGE' | 'RTP_SESSION_CLOSED';

export const RTP_ERROR_CODES = [
  'RTP_TOO_SHORT',
  'RTP_BAD_VERSION',
  'RTP_CSRC_OVERRUN',
  'RTP_EXTENSION_OVERRUN',
  'RTP_BAD_PADDING',
  'RTCP_TOO_SHORT',
  'RTCP_BAD_VERSION',
  'RTCP_LENGTH_OVERRUN',
  'RTCP_BAD_REPORT_COUNT',
  'RTCP_BAD_SDES',
  'RTCP_BAD_PADDING',
  'RTP_EVENT_TOO_SHORT',
  'RTP_PORTS_EXHAUSTED',
  'RTP_BIND_FAILED',
  'RTP_POOL_BAD_RANGE',
  'RTP_SESSION_CLOSED',
] as const;

/** An operational failure of the media plane (no SIP status of its own: the engine maps it, usually to 503). */
export class RtpError extends BelfryError {
  declare readonly code: RtpOperationalCode;
  constructor(code: RtpOperationalCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
