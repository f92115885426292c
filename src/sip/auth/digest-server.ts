/**
 * Server side of SIP digest authentication (RFC 3261 §22.1–§22.4,
 * RFC 7616 §3.3–§3.5, RFC 8760 for SHA-256 in SIP).
 *
 * Pure apart from a bounded nonce-count table: time comes in as `now`
 * (wall-clock ms) and randomness through the injected `random` (STYLE G3).
 *
 * Decisions (see docs/auth.md):
 * - Challenges offer SHA-256 first, then MD5 (RFC 8760 §2.4), qop="auth".
 * - RFC 2069 responses (no qop) are accepted when `allowNoQop` is set, as
 *   RFC 3261 §22.4 asks for compatibility with RFC 2069 clients; such a
 *   response has no nonce-count, so each nonce is good for one request:
 *   a second use answers stale=true and the phone fetches a new nonce.
 * - An expired but authentic nonce with a correct digest → `stale`
 *   (RFC 7616 §3.3: stale only when the digest itself was valid).
 * - Unknown user and wrong password run the same code on a dummy HA1 and
 *   return the same code, so neither the answer nor its timing tells them
 *   apart (RFC 7616 §5.x, user enumeration).
 * - The nonce-count is recorded only after the digest verifies, so a
 *   forged request cannot burn a victim's counter.
 *
 * Leaves out: auth-int, -sess algorithms on the server, userhash,
 * Authentication-Info (RFC 7616 §3.5, optional), opaque checking (the
 * opaque value is echoed in challenges but not verified: nonces are
 * already authenticated).
 */
import { parseDigestParams, formatDigestParams } from './challenge-params.ts';
import { computeHa1, computeResponse, constantTimeEqual, hashOf, parseAlgorithm, type DigestAlgorithm } from './digest.ts';
import { AuthConfigError, type AuthFailCode } from './errors.ts';
import { NonceCountTable, NonceIssuer } from './nonce.ts';

/** The algorithms a server offers; -sess is client-only. */
export type ServerAlgorithm = 'SHA-256' | 'MD5';

export interface DigestServerConfig {
  /** HMAC key for nonces, at least 32 bytes; share it between nodes that share a realm. */
  readonly secret: Buffer;
  /** How long a nonce is fresh; after that it is answered with stale=true. */
  readonly nonceLifetimeMs: number;
  /** Bound on the nonce-count table (memory ≈ 150 bytes per entry). */
  readonly maxTrackedNonces: number;
  /** Source of random bytes (salts and the dummy HA1). */
  readonly random: (n: number) => Buffer;
  /** Accept RFC 2069 responses without qop (default true). */
  readonly allowNoQop?: boolean;
}

/** What the verifier may know about a user: a password, or pre-computed HA1 values in hex. */
export interface DigestCredentials {
  readonly password?: string;
  readonly ha1Md5?: string;
  readonly ha1Sha256?: string;
}

export interface ChallengeOptions {
  readonly realm: string;
  /** Algorithms to offer, in any order; challenges come out SHA-256 first. Default both. */
  readonly algorithms?: readonly ServerAlgorithm[];
  readonly stale?: boolean;
  readonly opaque?: string;
  /** Wall-clock ms. */
  readonly now: number;
}

export interface VerifyRequest {
  readonly method: string;
  /** The Request-URI as on the wire; the digest-uri must match it. */
  readonly requestUri: string;
  /** Value of the Authorization or Proxy-Authorization header. */
  readonly authorizationValue: string;
  readonly realm: string;
  readonly lookup: (username: string) => DigestCredentials | undefined;
  /** Wall-clock ms. */
  readonly now: number;
}

export type VerifyResult =
  | { readonly kind: 'ok'; readonly username: string; readonly algorithm: ServerAlgorithm }
  /** Digest right, nonce too old or used up: send a new challenge with stale=true. */
  | { readonly kind: 'stale'; readonly username: string; readonly algorithm: ServerAlgorithm }
  | { readonly kind: 'fail'; readonly code: AuthFailCode; readonly detail: string };

const fail = (code: AuthFailCode, detail: string): VerifyResult => ({ kind: 'fail', code, detail });

const HEX32 = /^[0-9a-fA-F]{32}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Digest-uri vs Request-URI: exact, or equal ignoring case of scheme and host (RFC 3261 §19.1.4 is looser; phones echo the URI verbatim). */
function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  const split = (u: string) => {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:([^@]*)@)?([^;?]*)(.*)$/.exec(u);
    return m === null ? undefined : { scheme: (m[1] ?? '').toLowerCase(), user: m[2] ?? '', host: (m[3] ?? '').toLowerCase(), rest: m[4] ?? '' };
  };
  const x = split(a);
  const y = split(b);
  return x !== undefined && y !== undefined && x.scheme === y.scheme && x.user === y.user && x.host === y.host && x.rest === y.rest;
}

export class DigestServer {
  readonly #nonces: NonceIssuer;
  readonly #counts: NonceCountTable;
  readonly #allowNoQop: boolean;
  /** Secret stand-in password for unknown users, so their path hashes as much as a real one. */
  readonly #dummyPassword: string;

  constructor(config: DigestServerConfig) {
    if (config.secret.length < 32) throw new AuthConfigError('digest nonce secret must be at least 32 bytes');
    if (!(config.nonceLifetimeMs > 0)) throw new AuthConfigError('nonceLifetimeMs must be positive');
    this.#nonces = new NonceIssuer(config.secret, config.nonceLifetimeMs, config.random);
    this.#counts = new NonceCountTable(config.maxTrackedNonces);
    this.#allowNoQop = config.allowNoQop ?? true;
    this.#dummyPassword = config.random(16).toString('hex');
  }

  /**
   * One header value per offered algorithm, in the caller's order of
   * preference (RFC 8760 §2.4; SHA-256 first by default): send each as its
   * own WWW-Authenticate / Proxy-Authenticate header. All values share one
   * nonce so a phone may pick either. The order is the caller's because
   * deployed UACs (SIPp 3.6 among them) answer only the first header and
   * fail on SHA-256, so a switch for such phones offers MD5 first.
   */
  createChallenge(o: ChallengeOptions): readonly string[] {
    const offered = o.algorithms ?? ['SHA-256', 'MD5'];
    const order: ServerAlgorithm[] = offered.filter((a, i) => (a === 'SHA-256' || a === 'MD5') && offered.indexOf(a) === i);
    if (order.length === 0) throw new AuthConfigError('createChallenge needs at least one algorithm');
    const nonce = this.#nonces.issue(o.realm, o.now);
    return order.map((alg) => {
      const parts: Array<readonly [string, string, boolean]> = [
        ['realm', o.realm, true],
        ['nonce', nonce, true],
        ['algorithm', alg, false],
        ['qop', 'auth', true],
      ];
      if (o.opaque !== undefined) parts.push(['opaque', o.opaque, true]);
      if (o.stale === true) parts.push(['stale', 'true', false]);
      return formatDigestParams(parts);
    });
  }

  verifyAuthorization(r: VerifyRequest): VerifyResult {
    const parsed = parseDigestParams(r.authorizationValue);
    if (!parsed.ok) return fail('AUTH_MALFORMED', parsed.error);
    const p = parsed.value.params;
    const username = p.get('username');
    const realm = p.get('realm');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return fail('AUTH_MALFORMED', 'missing username, realm, nonce, uri or response');
    }
    // RFC 2617 §3.2.2.5 / RFC 7616 §3.4.6: the uri must name the same resource.
    if (!sameUri(uri, r.requestUri)) return fail('AUTH_URI_MISMATCH', `digest uri ${uri} is not the Request-URI`);
    if (realm !== r.realm) return fail('AUTH_REALM_MISMATCH', `realm ${realm}`);

    const alg = parseAlgorithm(p.get('algorithm'));
    if (alg !== 'MD5' && alg !== 'SHA-256') return fail('AUTH_UNSUPPORTED_ALGORITHM', `algorithm ${p.get('algorithm') ?? ''}`);
    const hash = hashOf(alg);
    if (!(hash === 'md5' ? HEX32 : HEX64).test(response)) return fail('AUTH_MALFORMED', 'response is not a hex digest of the algorithm');

    const qop = p.get('qop');
    let qopParts: { nc: string; cnonce: string } | undefined;
    let nc = 0;
    if (qop === undefined) {
      if (!this.#allowNoQop) return fail('AUTH_UNSUPPORTED_QOP', 'qop missing and RFC 2069 responses are disabled');
      if (p.has('nc') || p.has('cnonce')) return fail('AUTH_MALFORMED', 'nc/cnonce without qop');
    } else {
      if (qop.toLowerCase() !== 'auth') return fail('AUTH_UNSUPPORTED_QOP', `qop ${qop}`);
      const ncRaw = p.get('nc');
      const cnonce = p.get('cnonce');
      // RFC 7616 §3.4: nc is exactly 8 hex digits; cnonce is required with qop.
      if (ncRaw === undefined || cnonce === undefined || cnonce === '' || !/^[0-9a-fA-F]{8}$/.test(ncRaw)) {
        return fail('AUTH_MALFORMED', 'qop=auth needs nc (8 hex digits) and cnonce');
      }
      nc = parseInt(ncRaw, 16);
      if (nc === 0) return fail('AUTH_MALFORMED', 'nc must start at 1');
      qopParts = { nc: ncRaw, cnonce };
    }

    const nonceState = this.#nonces.check(nonce, r.realm, r.now);
    if (nonceState.kind === 'invalid') return fail('AUTH_BAD_NONCE', 'nonce not issued here');

    // Same work whether or not the user exists: a dummy HA1 stands in.
    const creds = r.lookup(username);
    const ha1 = this.#ha1For(creds, hash, username, r.realm);
    const expected = computeResponse({
      algorithm: alg,
      ha1: ha1 ?? computeHa1(hash, username, r.realm, this.#dummyPassword),
      method: r.method,
      uri,
      nonce,
      ...(qopParts === undefined ? {} : { qop: qopParts }),
    });
    const match = constantTimeEqual(expected, response.toLowerCase());
    if (!match || ha1 === undefined) return fail('AUTH_BAD_CREDENTIALS', 'digest does not match');

    if (nonceState.kind === 'expired') return { kind: 'stale', username, algorithm: alg };
    const seen = this.#counts.check(nonce, nonceState.issuedAt, nc);
    if (seen === 'evicted') return { kind: 'stale', username, algorithm: alg };
    if (seen === 'replay') {
      // Without qop there is no counter: the nonce was single-use, ask for a new one.
      if (qopParts === undefined) return { kind: 'stale', username, algorithm: alg };
      return fail('AUTH_NC_REPLAY', `nc ${nc} not above the last accepted for this nonce`);
    }
    this.#counts.record(nonce, nonceState.issuedAt, nc);
    return { kind: 'ok', username, algorithm: alg };
  }

  #ha1For(c: DigestCredentials | undefined, hash: 'md5' | 'sha256', username: string, realm: string): string | undefined {
    if (c === undefined) return undefined;
    if (c.password !== undefined) return computeHa1(hash, username, realm, c.password);
    const stored = hash === 'md5' ? c.ha1Md5 : c.ha1Sha256;
    if (stored === undefined || !(hash === 'md5' ? HEX32 : HEX64).test(stored)) return undefined;
    return stored.toLowerCase();
  }

  /** Entries in the nonce-count table (for metrics). */
  get trackedNonces(): number {
    return this.#counts.size;
  }
}
