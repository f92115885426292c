/**
 * Client side of digest authentication, for trunks that challenge our
 * REGISTER and INVITE (RFC 3261 §22.2–§22.3, RFC 7616 §3.4, RFC 8760).
 *
 * Pure: the caller supplies cnonce (from the injected Ids source) and the
 * nonce-count it keeps per nonce. Supports MD5, SHA-256 and their -sess
 * variants with qop=auth, and RFC 2069 (no qop) when the challenge offers
 * no qop. Leaves out auth-int, userhash and SHA-512-256.
 */
import { err, ok, type Result } from '../../common/index.ts';
import { formatDigestParams, parseDigestParams } from './challenge-params.ts';
import { computeHa1, computeResponse, hashOf, parseAlgorithm } from './digest.ts';
import type { AuthClientCode } from './errors.ts';

export interface AnswerChallengeInput {
  /** One WWW-Authenticate or Proxy-Authenticate value. */
  readonly challengeValue: string;
  readonly method: string;
  /** The Request-URI of the request being retried. */
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  readonly cnonce: string;
  /** Nonce-count for this nonce, starting at 1. */
  readonly nc: number;
}

export interface AuthClientError {
  readonly code: AuthClientCode;
  readonly detail: string;
}

/** The Authorization / Proxy-Authorization value answering the challenge. */
export function answerChallenge(i: AnswerChallengeInput): Result<string, AuthClientError> {
  const parsed = parseDigestParams(i.challengeValue);
  if (!parsed.ok) return err({ code: 'AUTH_CHALLENGE_MALFORMED', detail: parsed.error });
  const p = parsed.value.params;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined) return err({ code: 'AUTH_CHALLENGE_MALFORMED', detail: 'challenge lacks realm or nonce' });
  const algorithm = parseAlgorithm(p.get('algorithm'));
  if (algorithm === undefined) return err({ code: 'AUTH_CHALLENGE_UNSUPPORTED', detail: `algorithm ${p.get('algorithm') ?? ''}` });
  const qopOffer = p.get('qop');
  let useQop = false;
  if (qopOffer !== undefined) {
    // RFC 7616 §3.3: qop is a quoted, comma-separated list of options.
    const options = qopOffer.split(',').map((s) => s.trim().toLowerCase());
    if (!options.includes('auth')) return err({ code: 'AUTH_CHALLENGE_UNSUPPORTED', detail: `qop ${qopOffer}` });
    useQop = true;
  }
  if (!Number.isInteger(i.nc) || i.nc < 1 || i.nc > 0xffffffff) return err({ code: 'AUTH_CHALLENGE_UNSUPPORTED', detail: 'nc out of range' });
  const nc = i.nc.toString(16).padStart(8, '0');
  const ha1 = computeHa1(hashOf(algorithm), i.username, realm, i.password);
  const response = computeResponse({
    algorithm,
    ha1,
    method: i.method,
    uri: i.uri,
    nonce,
    cnonce: i.cnonce,
    ...(useQop ? { qop: { nc, cnonce: i.cnonce } } : {}),
  });
  const parts: Array<readonly [string, string, boolean]> = [
    ['username', i.username, true],
    ['realm', realm, true],
    ['nonce', nonce, true],
    ['uri', i.uri, true],
    ['response', response, true],
    ['algorithm', algorithm, false],
  ];
  if (useQop || (algorithm !== 'MD5' && algorithm !== 'SHA-256')) parts.push(['cnonce', i.cnonce, true]);
  if (useQop) parts.push(['qop', 'auth', false], ['nc', nc, false]);
  const opaque = p.get('opaque');
  // RFC 7616 §3.4: opaque MUST be returned unchanged.
  if (opaque !== undefined) parts.push(['opaque', opaque, true]);
  return ok(formatDigestParams(parts));
}


/**
 * Pick the strongest challenge we can answer from several header values
 * (RFC 8760 §2.4: a client uses the first supported one in its preference).
 */
export function pickChallenge(values: readonly string[]): string | undefined {
  const rank = (v: string): number => {
    const p = parseDigestParams(v);
    if (!p.ok) return -1;
    const a = parseAlgorithm(p.value.params.get('algorithm'));
    if (a === undefined) return -1;
    return hashOf(a) === 'sha256' ? 2 : 1;
  };
  let best: string | undefined;
  let bestRank = 0;
  for (const v of values) {
    const r = rank(v);
    if (r > bestRank) {
      best = v;
      bestRank = r;
    }
  }
  return best;
}
