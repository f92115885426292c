/**
 * Digest authentication at the door for requests from phones (RFC 3261
 * §22): REGISTER is challenged with 401/WWW-Authenticate, everything else
 * with 407/Proxy-Authenticate. Wrong credentials get 403 whether the user
 * exists or not (the DigestServer hashes a dummy password for unknown
 * users, so timing does not tell either), and every failure counts towards
 * the per-IP block in the Door. Nothing about a user is looked at before the
 * digest verifies.
 */
import type { Clock, Logger } from '../common/index.ts';
import { AUTH_FAIL_CODES, createResponse, headerValues, reasonPhrase, statelessReplyBytes, type SipRequest, type SipResponse } from '../sip/index.ts';
import type { DigestServer, ServerTransactionHandle } from '../sip/index.ts';
import type { Door } from './door.ts';
import type { UserDirectory } from './user-directory.ts';

export type AuthOutcome = { readonly kind: 'ok'; readonly user: string } | { readonly kind: 'answered' };

export interface AuthGateOptions {
  readonly digest: DigestServer;
  readonly realm: string;
  readonly users: () => UserDirectory;
  readonly door: Door;
  readonly clock: Clock;
  readonly log: Logger;
  /** Offered in this order (RFC 8760: strongest first). */
  readonly algorithms: readonly ('SHA-256' | 'MD5')[];
}

export class AuthGate {
  readonly #o: AuthGateOptions;
  readonly #realmRe: RegExp;

  constructor(o: AuthGateOptions) {
    this.#o = o;
    this.#realmRe = new RegExp(`realm\\s*=\\s*"?${o.realm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`, 'i');
  }

  /** The request's Digest credentials for our realm (several may be present, one per realm, §22.3). */
  #credentials(req: SipRequest): string | undefined {
    const values = headerValues(req, req.method === 'REGISTER' ? 'authorization' : 'proxy-authorization');
    return values.find((v) => /^\s*digest\s/i.test(v) && this.#realmRe.test(v));
  }

  /**
   * For the stack's stateless hook: the 401/407 challenge for a request that
   * carries no credentials for our realm, sent without a transaction (RFC
   * 3261 §8.2.7), or undefined when the request must go through a transaction.
   */
  statelessChallenge(req: SipRequest): Buffer | undefined {
    if (this.#credentials(req) !== undefined) return undefined;
    const isRegister = req.method === 'REGISTER';
    const status = isRegister ? 401 : 407;
    const name = isRegister ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    return statelessReplyBytes(req, status, reasonPhrase(status), tagFor(req), this.#challenges(false).map((value) => ({ name, value })));
  }

  /** Verifies the request's credentials, or answers it (401/407 challenge, 403) and returns 'answered'. */
  check(tx: ServerTransactionHandle): AuthOutcome {
    const req = tx.request;
    const now = this.#o.clock.wallNow();
    const mine = this.#credentials(req);
    if (mine === undefined) {
      this.#challenge(tx, false);
      return { kind: 'answered' };
    }
    const users = this.#o.users();
    const result = this.#o.digest.verifyAuthorization({
      method: req.method,
      requestUri: req.uri,
      authorizationValue: mine,
      realm: this.#o.realm,
      lookup: (username) => users.credentials(username),
      now,
    });
    const peer = tx.flow.remoteAddress;
    switch (result.kind) {
      case 'ok': {
        const user = users.get(result.username);
        if (user === undefined) {
          tx.respond(createResponse(req, 403));
          return { kind: 'answered' };
        }
        if (!users.sourceAllowed(result.username, peer)) {
          this.#o.log.warn({ peer, user: result.username, method: req.method }, 'authenticated user outside its allowed networks');
          this.#o.door.authFailed(peer, this.#o.clock.now());
          tx.respond(createResponse(req, 403));
          return { kind: 'answered' };
        }
        this.#o.door.authSucceeded(peer);
        return { kind: 'ok', user: result.username };
      }
      case 'stale':
        this.#challenge(tx, true);
        return { kind: 'answered' };
      case 'fail':
        if (result.code === 'AUTH_BAD_CREDENTIALS') {
          // Wrong password or unknown user: one answer for both (issue 3 §3).
          this.#o.log.info({ peer, method: req.method, code: result.code }, 'authentication failed');
          this.#o.door.authFailed(peer, this.#o.clock.now());
          tx.respond(createResponse(req, 403));
        } else if (AUTH_FAIL_CODES[result.code] === 400) {
          // RFC 2617 §3.2.2.5: a digest-uri that does not match gets 400.
          this.#o.door.authFailed(peer, this.#o.clock.now());
          tx.respond(createResponse(req, 400, result.code === 'AUTH_URI_MISMATCH' ? 'Bad Request (digest uri mismatch)' : 'Bad Request (malformed credentials)'));
        } else {
          // A nonce we no longer accept (restart, replayed nc, other realm): ask again.
          this.#challenge(tx, false);
        }
        return { kind: 'answered' };
    }
  }

  #challenge(tx: ServerTransactionHandle, stale: boolean): void {
    tx.respond(this.#challengeResponse(tx.request, stale));
  }

  #challengeResponse(req: SipRequest, stale: boolean): SipResponse {
    const isRegister = req.method === 'REGISTER';
    const name = isRegister ? 'www-authenticate' : 'proxy-authenticate';
    return createResponse(req, isRegister ? 401 : 407, undefined, { toTag: tagFor(req), headers: this.#challenges(stale).map((value) => ({ name, value })) });
  }

  #challenges(stale: boolean): readonly string[] {
    return this.#o.digest.createChallenge({ realm: this.#o.realm, stale, now: this.#o.clock.wallNow(), algorithms: this.#o.algorithms });
  }
}

/** A stable To tag for challenges (§8.2.6.2 requires one on non-100 responses). */
function tagFor(req: SipRequest): string {
  let h = 0;
  for (let i = 0; i < req.callId.length; i++) h = (h * 31 + req.callId.charCodeAt(i)) >>> 0;
  return `ch${h.toString(36)}`;
}
