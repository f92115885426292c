/**
 * Outbound registration of belfry to a carrier (a trunk with `register:
 * true`): the pure client machine (STYLE G1/G2). The engine's TrunkManager
 * is its driver: it builds and sends the REGISTERs, runs the one timer and
 * feeds responses back.
 *
 * RFC 3261 §10.2: one Call-ID for all refreshes (§10.2.4), CSeq + 1 for each
 * REGISTER; the granted expiry is the expires param of our Contact in the
 * 200, else its Expires header, else what we asked (§10.2.4, §10.3 step 8).
 * §22.2: a 401/407 is answered once per attempt with digest credentials.
 * §10.2.8 / §21.4.17: 423 Interval Too Brief is retried once with its
 * Min-Expires. Refresh at half the granted expiry; failures back off
 * exponentially (retryMinMs doubling up to retryMaxMs). Stopping sends
 * Expires: 0 (§10.2.2) when we may hold a binding.
 *
 *   unregistered ──start──► registering ──2xx──► registered ──timer(½ exp)──┐
 *        ▲                    │  ▲  └─401/407─► (same, with credentials)    │
 *        │                    │  └────────── timer(backoff) ◄── failed ◄────┤ non-2xx
 *        └── 2xx / any / stop ◄── unregistering ◄──────── stop ─────────────┘
 *
 * Leaves out: RFC 5626 outbound (reg-id, keep-alives), several contacts,
 * pre-emptive credentials (each attempt is challenged afresh), Path and
 * Service-Route (RFC 3327/3608).
 */
import { IllegalTransitionError } from '../../common/index.ts';
import { answerChallenge, pickChallenge } from '../auth/index.ts';
import { contacts, headerValue, headerValues } from '../message/index.ts';
import type { SipResponse } from '../message/message-types.ts';

/** Stable codes for `lastError` (STYLE G6): operational outcomes, never thrown. */
export const TRUNK_REGISTRATION_ERROR_CODES = {
  /** The carrier answered a final non-2xx other than a challenge (detail names the status). */
  TRUNK_REG_REJECTED: 'registration rejected',
  /** Our credentials were challenged again: wrong username or password. */
  TRUNK_REG_AUTH_FAILED: 'credentials rejected',
  /** A challenge we cannot answer (unknown algorithm, qop, malformed). */
  TRUNK_REG_CHALLENGE_UNSUPPORTED: 'challenge not answerable',
  /** No answer (Timer F: 408), the transport failed or the registrar is unavailable (503). */
  TRUNK_REG_UNAVAILABLE: 'registrar unreachable or unavailable',
  /** 423 with a Min-Expires we cannot meet, or a second 423. */
  TRUNK_REG_INTERVAL: 'expiry interval refused',
} as const;
export type TrunkRegistrationErrorCode = keyof typeof TRUNK_REGISTRATION_ERROR_CODES;

export type TrunkRegistrationPhase = 'unregistered' | 'registering' | 'registered' | 'failed' | 'unregistering';

export interface TrunkRegistrationConfig {
  readonly username: string;
  readonly password: string;
  /** Expires we ask for (seconds). */
  readonly expiresS: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** Our Contact URI as sent (to find its expires param in the 200). */
  readonly contactUri: string;
  /** Request-URI of the REGISTER (digest uri). */
  readonly registrarUri: string;
}

export interface TrunkRegistrationState {
  readonly phase: TrunkRegistrationPhase;
  /** CSeq of the REGISTER in flight (or last sent). */
  readonly cseq: number;
  /** Whether the REGISTER in flight already carries credentials. */
  readonly authTried: boolean;
  readonly intervalRetried: boolean;
  /** Expires of the REGISTER in flight (the requested value, raised by 423). */
  readonly requestedS: number;
  /** Granted by the last 2xx. */
  readonly grantedS: number | undefined;
  /** Consecutive failed attempts (drives the backoff). */
  readonly failures: number;
  readonly lastError: { readonly code: TrunkRegistrationErrorCode; readonly detail: string } | undefined;
  /** Monotonic time the timer fires (refresh or retry). */
  readonly nextAttemptAt: number | undefined;
  /** A binding may exist at the carrier (a 2xx seen and not yet removed). */
  readonly mayHoldBinding: boolean;
}

export type TrunkRegistrationEvent =
  | { readonly kind: 'start'; readonly now: number }
  | { readonly kind: 'timer'; readonly now: number }
  | { readonly kind: 'response'; readonly now: number; readonly cseq: number; readonly response: SipResponse; readonly cnonce: string }
  | { readonly kind: 'stop'; readonly now: number };

export type TrunkRegistrationEffect =
  | { readonly kind: 'send-register'; readonly cseq: number; readonly expiresS: number; readonly authorization?: { readonly name: 'authorization' | 'proxy-authorization'; readonly value: string } }
  | { readonly kind: 'set-timer'; readonly ms: number }
  | { readonly kind: 'cancel-timer' }
  /** Stopping is over (unregistered at the carrier, or nothing to remove). */
  | { readonly kind: 'stopped' };

export interface TrunkRegistrationStep {
  readonly state: TrunkRegistrationState;
  readonly effects: readonly TrunkRegistrationEffect[];
}

export function initialTrunkRegistration(config: TrunkRegistrationConfig): TrunkRegistrationState {
  return { phase: 'unregistered', cseq: 0, authTried: false, intervalRetried: false, requestedS: config.expiresS, grantedS: undefined, failures: 0, lastError: undefined, nextAttemptAt: undefined, mayHoldBinding: false };
}

/** Backoff after `failures` consecutive failures: min · 2^(failures−1), capped. */
export function registrationBackoffMs(config: Pick<TrunkRegistrationConfig, 'retryMinMs' | 'retryMaxMs'>, failures: number): number {
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(config.retryMaxMs, config.retryMinMs * 2 ** exp);
}

/** The user@host[:port] identity of a SIP URI, for comparing our Contact with the 200's. */
function uriIdentity(uri: string): string {
  const m = /^sips?:(?:([^@;?>]*)@)?([^;?>]+)/i.exec(uri.trim().replace(/^<|>$/g, ''));
  return m ? `${(m[1] ?? '').toLowerCase()}@${(m[2] ?? '').toLowerCase()}` : uri;
}

/** §10.2.4: expires of our binding in a 2xx: our Contact's param, else Expires, else what we asked. */
export function grantedExpires(response: SipResponse, contactUri: string, requestedS: number): number {
  const list = contacts(response);
  if (list !== null && list.kind === 'list') {
    const mine = uriIdentity(contactUri);
    for (const c of list.contacts) {
      const raw = 'raw' in c.uri ? c.uri.raw : '';
      if (uriIdentity(raw) !== mine) continue;
      const p = c.params.get('expires');
      if (typeof p === 'string' && /^\d{1,10}$/.test(p)) return Number(p);
    }
  }
  const e = headerValue(response, 'expires');
  if (e !== undefined && /^\s*\d{1,10}\s*$/.test(e)) return Number(e.trim());
  return requestedS;
}

function send(s: TrunkRegistrationState, expiresS: number, authorization?: { name: 'authorization' | 'proxy-authorization'; value: string }): TrunkRegistrationStep {
  const cseq = s.cseq + 1;
  return {
    state: { ...s, cseq, requestedS: expiresS },
    effects: [{ kind: 'cancel-timer' }, { kind: 'send-register', cseq, expiresS, ...(authorization ? { authorization } : {}) }],
  };
}

function fail(c: TrunkRegistrationConfig, s: TrunkRegistrationState, now: number, code: TrunkRegistrationErrorCode, detail: string): TrunkRegistrationStep {
  if (s.phase === 'unregistering') return { state: { ...s, phase: 'unregistered', mayHoldBinding: false, nextAttemptAt: undefined, lastError: { code, detail } }, effects: [{ kind: 'stopped' }] };
  const failures = s.failures + 1;
  const ms = registrationBackoffMs(c, failures);
  return {
    state: { ...s, phase: 'failed', failures, lastError: { code, detail }, nextAttemptAt: now + ms },
    effects: [{ kind: 'set-timer', ms }],
  };
}

function onResponse(c: TrunkRegistrationConfig, s: TrunkRegistrationState, e: Extract<TrunkRegistrationEvent, { kind: 'response' }>): TrunkRegistrationStep {
  const r = e.response;
  // A late answer to an earlier REGISTER, or a provisional: nothing to do.
  if (e.cseq !== s.cseq || r.status < 200 || (s.phase !== 'registering' && s.phase !== 'registered' && s.phase !== 'unregistering')) return { state: s, effects: [] };
  if (r.status < 300) {
    if (s.phase === 'unregistering') return { state: { ...s, phase: 'unregistered', mayHoldBinding: false, nextAttemptAt: undefined }, effects: [{ kind: 'stopped' }] };
    const granted = grantedExpires(r, c.contactUri, s.requestedS);
    if (granted <= 0) return fail(c, s, e.now, 'TRUNK_REG_REJECTED', '2xx without our binding (expires 0)');
    // Refresh at half the granted time (at least 1 s, so a tiny grant cannot spin).
    const ms = Math.max(1000, Math.floor((granted * 1000) / 2));
    return {
      state: { ...s, phase: 'registered', grantedS: granted, failures: 0, lastError: undefined, nextAttemptAt: e.now + ms, mayHoldBinding: true, authTried: false, intervalRetried: false },
      effects: [{ kind: 'set-timer', ms }],
    };
  }
  if (r.status === 401 || r.status === 407) {
    if (s.authTried) return fail(c, s, e.now, 'TRUNK_REG_AUTH_FAILED', `${r.status} again after credentials (check username/password)`);
    const proxy = r.status === 407;
    const challenge = pickChallenge(headerValues(r, proxy ? 'proxy-authenticate' : 'www-authenticate'));
    if (challenge === undefined) return fail(c, s, e.now, 'TRUNK_REG_CHALLENGE_UNSUPPORTED', `${r.status} without a Digest challenge we support`);
    const answer = answerChallenge({ challengeValue: challenge, method: 'REGISTER', uri: c.registrarUri, username: c.username, password: c.password, cnonce: e.cnonce, nc: 1 });
    if (!answer.ok) return fail(c, s, e.now, 'TRUNK_REG_CHALLENGE_UNSUPPORTED', `${answer.error.code}: ${answer.error.detail}`);
    const next = send({ ...s, authTried: true }, s.requestedS, { name: proxy ? 'proxy-authorization' : 'authorization', value: answer.value });
    return next;
  }
  if (r.status === 423 && s.phase !== 'unregistering') {
    const min = Number(headerValue(r, 'min-expires')?.trim() ?? '');
    if (s.intervalRetried || !Number.isInteger(min) || min <= s.requestedS || min > 86_400) {
      return fail(c, s, e.now, 'TRUNK_REG_INTERVAL', `423 with Min-Expires ${headerValue(r, 'min-expires') ?? '(none)'}`);
    }
    return send({ ...s, intervalRetried: true, authTried: false }, min);
  }
  if (r.status === 408 || r.status === 503) return fail(c, s, e.now, 'TRUNK_REG_UNAVAILABLE', `${r.status} ${r.reason}`);
  return fail(c, s, e.now, 'TRUNK_REG_REJECTED', `${r.status} ${r.reason}`);
}

export function stepTrunkRegistration(c: TrunkRegistrationConfig, s: TrunkRegistrationState, e: TrunkRegistrationEvent): TrunkRegistrationStep {
  switch (e.kind) {
    case 'start':
      if (s.phase !== 'unregistered') throw new IllegalTransitionError('trunk-registration', s.phase, e.kind);
      return send({ ...s, phase: 'registering', authTried: false, intervalRetried: false, nextAttemptAt: undefined }, c.expiresS);
    case 'timer':
      // Refresh (from registered) or retry (from failed); stale timers elsewhere are ignored.
      if (s.phase !== 'registered' && s.phase !== 'failed') return { state: s, effects: [] };
      return send({ ...s, phase: s.phase === 'failed' ? 'registering' : 'registered', authTried: false, intervalRetried: false, nextAttemptAt: undefined }, c.expiresS);
    case 'response':
      return onResponse(c, s, e);
    case 'stop':
      if (s.phase === 'unregistering' || s.phase === 'unregistered') return { state: s, effects: [] };
      if (!s.mayHoldBinding) return { state: { ...s, phase: 'unregistered', nextAttemptAt: undefined }, effects: [{ kind: 'cancel-timer' }, { kind: 'stopped' }] };
      // §10.2.2: Expires: 0 removes our binding.
      return send({ ...s, phase: 'unregistering', authTried: false, nextAttemptAt: undefined }, 0);
    default:
      return assertNever(e);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected event ${JSON.stringify(x)}`);
}
