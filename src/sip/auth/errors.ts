/**
 * Stable codes for digest authentication (STYLE G6).
 *
 * Verification failures are *protocol* outcomes, not exceptions: the
 * verifier returns one of these codes and the SIP driver maps it to a
 * response. `sipStatus` says which: 400 for a request that cannot be
 * authenticated at all (RFC 2617 §3.2.2.5 asks for 400 when the digest-uri
 * does not match the Request-URI), otherwise a fresh 401/407 challenge.
 * The one thrown error here is for programmer mistakes in configuration.
 */
import { BelfryError } from '../../common/index.ts';

export const AUTH_FAIL_CODES = {
  /** The Authorization value could not be parsed or lacks a required parameter. */
  AUTH_MALFORMED: 400,
  /** The digest-uri parameter does not match the Request-URI. */
  AUTH_URI_MISMATCH: 400,
  /** The realm parameter is not the realm we challenged with. */
  AUTH_REALM_MISMATCH: 401,
  /** The algorithm is not one we offer (MD5, SHA-256). */
  AUTH_UNSUPPORTED_ALGORITHM: 401,
  /** qop is something other than auth (auth-int is not offered), or no-qop is disabled. */
  AUTH_UNSUPPORTED_QOP: 401,
  /** The nonce was not issued by us for this realm (bad MAC, bad encoding, future time). */
  AUTH_BAD_NONCE: 401,
  /** Wrong password, or no such user: deliberately the same code. */
  AUTH_BAD_CREDENTIALS: 401,
  /** nonce-count not higher than one already accepted for this nonce. */
  AUTH_NC_REPLAY: 401,
} as const;

export type AuthFailCode = keyof typeof AUTH_FAIL_CODES;

/** Client side: the challenge cannot be answered. */
export const AUTH_CLIENT_CODES = ['AUTH_CHALLENGE_MALFORMED', 'AUTH_CHALLENGE_UNSUPPORTED'] as const;
export type AuthClientCode = (typeof AUTH_CLIENT_CODES)[number];

/** Programmer error: the authenticator was configured wrongly. */
export class AuthConfigError extends BelfryError {
  constructor(message: string) {
    super('AUTH_BAD_CONFIG', message);
  }
}

export const AUTH_ERROR_CODES = [
  ...(Object.keys(AUTH_FAIL_CODES) as AuthFailCode[]),
  ...AUTH_CLIENT_CODES,
  'AUTH_BAD_CONFIG',
] as const;
