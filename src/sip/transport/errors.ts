/**
 * Stable error codes of the SIP transport sub-layer and the stateless edge
 * (STYLE G6). Transport failures are *operational* (the transaction layer
 * turns them into 503, RFC 3261 §8.1.3.1); SIP_EDGE_* codes are *protocol*
 * errors that become stateless responses or drops (sanity.ts); framing codes
 * live with the framer (message/framer.ts, SIP_FRAME_*).
 */
import { BelfryError } from '../../common/index.ts';

export const SIP_TRANSPORT_ERROR_CODES = [
  'SIP_TRANSPORT_SEND_FAILED',
  'SIP_TRANSPORT_CONNECT_FAILED',
  'SIP_TRANSPORT_NO_CONNECTION',
  'SIP_TRANSPORT_NO_LISTENER',
  'SIP_TRANSPORT_CLOSED',
  'SIP_TRANSPORT_BIND_FAILED',
  'SIP_TRANSPORT_TLS_CONFIG',
  'SIP_EDGE_UNKNOWN_METHOD',
  'SIP_EDGE_METHOD_NOT_ALLOWED',
  'SIP_EDGE_CSEQ_MISMATCH',
  'SIP_EDGE_BAD_BRANCH',
  'SIP_EDGE_BAD_MAX_FORWARDS',
  'SIP_EDGE_URI_SCHEME',
  'SIP_EDGE_MERGED',
  'SIP_EDGE_LOOP',
  'SIP_EDGE_BAD_EXTENSION',
  'SIP_EDGE_TOO_MANY_HOPS',
  'SIP_EDGE_UNSUPPORTED_MEDIA',
  'SIP_EDGE_NOT_ACCEPTABLE',
  'SIP_EDGE_DRAINING',
  'SIP_EDGE_HANDLER_FAILED',
] as const;

export type SipTransportErrorCode = (typeof SIP_TRANSPORT_ERROR_CODES)[number];

/** Thrown at start-up only (bind failures, unreadable TLS files): never on network input. */
export class SipTransportError extends BelfryError {
  constructor(code: SipTransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
