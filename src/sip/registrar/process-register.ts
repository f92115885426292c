/**
 * The pure core of REGISTER processing, RFC 3261 §10.3 steps 5–8 (with
 * RFC 5626 §6 instance/reg-id keys). Steps 1–4 (Request-URI domain, Require,
 * authentication, To → AOR) belong to the driver, which also parses the
 * headers into `RegisterFacts` and applies the outcome to a BindingStore.
 *
 * No I/O, no clock: `now` is an input; the result lists the bindings to
 * upsert and the keys to remove, plus the response to send. Either the whole
 * request succeeds or nothing changes (§10.3 step 7: "The binding updates
 * MUST be committed ... if and only if all binding updates and additions
 * succeed").
 *
 * Decisions (docs/registrar.md):
 * - malformed expires values count as absent (the default applies);
 * - same Call-ID with CSeq not above the binding's → 400, nothing changes;
 * - more contacts than maxContacts: oldest bindings (by first
 *   registration) not named in the request are replaced; a single REGISTER
 *   carrying more than maxContacts contacts → 403;
 * - 423 only when 0 < expiry < Min-Expires and expiry < 3600 s, as §10.3
 *   step 6 allows; expiry above maxExpires is shortened.
 * Leaves out: Path (RFC 3327), GRUU (RFC 5627), outbound flow tokens.
 */
import type { HeaderField } from '../message/message-types.ts';
import type { Flow } from '../transport/transport-types.ts';
import type { Binding } from './binding-types.ts';
import { bindingKey } from './contact-key.ts';
import { REGISTRAR_REJECT_CODES, RegistrarPolicyError, type RegistrarRejectCode } from './errors.ts';

/** One Contact value of the REGISTER, as parsed by the driver; raw parameter strings. */
export interface ContactFact {
  /** The addr-spec inside the Contact. */
  readonly uri: string;
  readonly expires?: string | undefined;
  readonly q?: string | undefined;
  /** `+sip.instance` with its `<…>` removed. */
  readonly instanceId?: string | undefined;
  readonly regId?: string | undefined;
}

export interface RegisterFacts {
  readonly aor: string;
  /** The Contact values in order; the wildcard `Contact: *` is the string '*'. Empty = query. */
  readonly contacts: ReadonlyArray<ContactFact | '*'>;
  /** Raw Expires header value, undefined when absent. */
  readonly expiresHeader: string | undefined;
  readonly callId: string;
  readonly cseq: number;
  readonly flow: Flow;
  readonly userAgent: string | undefined;
  /** Wall-clock ms. */
  readonly now: number;
}

export interface RegistrarPolicy {
  /** Seconds; shorter non-zero requests get 423 (unless ≥ 3600). */
  readonly minExpires: number;
  /** Seconds; longer requests are shortened to this. */
  readonly maxExpires: number;
  /** Seconds, when neither the contact nor the request names an expiry. */
  readonly defaultExpires: number;
  readonly maxContacts: number;
}

export interface RegisterResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly HeaderField[];
  /** Set on rejections: why, as a stable code. */
  readonly code?: RegistrarRejectCode;
}

export interface RegisterOutcome {
  readonly upsert: readonly Binding[];
  /** Keys of bindings to delete (explicit removals, replaced-oldest, expired leftovers). */
  readonly remove: readonly string[];
  /** Bindings dropped only to make room under maxContacts (subset of remove; for logs). */
  readonly replaced: readonly Binding[];
  /** The AOR's bindings once the outcome is applied (what the 200 lists). */
  readonly bindings: readonly Binding[];
  readonly response: RegisterResponse;
}

/** RFC 3261 §20.19 delta-seconds: up to 2^32−1. */
const MAX_DELTA = 4_294_967_295;

function parseDelta(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n > MAX_DELTA ? MAX_DELTA : n;
}

function parseQ(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  // RFC 3261 §25.1 qvalue: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ]
  if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

export function validatePolicy(p: RegistrarPolicy): void {
  const ints = [p.minExpires, p.maxExpires, p.defaultExpires, p.maxContacts];
  if (!ints.every((n) => Number.isInteger(n) && n >= 0)) throw new RegistrarPolicyError('registrar policy values must be non-negative integers');
  if (!(p.minExpires <= p.defaultExpires && p.defaultExpires <= p.maxExpires)) throw new RegistrarPolicyError('need minExpires ≤ defaultExpires ≤ maxExpires');
  if (p.maxContacts < 1) throw new RegistrarPolicyError('maxContacts must be at least 1');
}

/** RFC 3261 §20.17 Date uses the RFC 1123 form, always GMT. */
/** The Date value of the current second: formatting it costs ~1.2 µs, and a busy registrar answers many REGISTERs per second. */
let lastDate = { second: Number.NaN, value: '' };

function dateHeader(now: number): HeaderField {
  const second = Math.floor(now / 1000);
  if (second !== lastDate.second) lastDate = { second, value: new Date(second * 1000).toUTCString() };
  return { name: 'date', value: lastDate.value };
}

function contactHeader(b: Binding, now: number): HeaderField {
  const secs = Math.max(0, Math.ceil((b.expiresAt - now) / 1000));
  const q = b.q === undefined ? '' : `;q=${b.q}`;
  return { name: 'contact', value: `<${b.contact}>;expires=${secs}${q}` };
}

function reject(code: RegistrarRejectCode, reason: string, current: readonly Binding[], now: number, extra: HeaderField[] = []): RegisterOutcome {
  return {
    upsert: [],
    remove: [],
    replaced: [],
    bindings: current,
    response: { status: REGISTRAR_REJECT_CODES[code], reason, headers: [...extra, dateHeader(now)], code },
  };
}

/**
 * Decide one REGISTER. `state` is what the store holds for the AOR (expired
 * entries are tolerated and cleaned up).
 */
export function processRegister(state: readonly Binding[], facts: RegisterFacts, policy: RegistrarPolicy): RegisterOutcome {
  const now = facts.now;
  const expired = state.filter((b) => b.expiresAt <= now);
  const current = state.filter((b) => b.expiresAt > now);
  const expiredKeys = expired.map((b) => b.key);

  // A REGISTER without Contact is a query: list the bindings (§10.3 step 8).
  if (facts.contacts.length === 0) return success(current, [], expiredKeys, [], now);

  const headerExpires = parseDelta(facts.expiresHeader);

  // Step 6, wildcard: "*" only alone and only with Expires: 0, else 400.
  if (facts.contacts.includes('*')) {
    if (facts.contacts.length !== 1 || headerExpires !== 0) {
      return reject('REGISTRAR_BAD_WILDCARD', 'Invalid Wildcard Contact', current, now);
    }
    // Step 7 still applies per binding: same Call-ID needs a higher CSeq.
    for (const b of current) {
      if (b.callId === facts.callId && facts.cseq <= b.cseq) return reject('REGISTRAR_OUT_OF_ORDER', 'Out-of-order CSeq', current, now);
    }
    return success([], [], [...expiredKeys, ...current.map((b) => b.key)], [], now);
  }

  // Normalise each contact and its expiry; last one wins for duplicated keys.
  const wanted = new Map<string, { fact: ContactFact; key: string; expires: number }>();
  for (const c of facts.contacts) {
    if (c === '*') continue;
    const regId = parseDelta(c.regId);
    const key = bindingKey({ uri: c.uri, instanceId: c.instanceId, regId });
    if (key === undefined) return reject('REGISTRAR_BAD_CONTACT', 'Bad Contact URI', current, now);
    // Step 6: the contact's expires parameter, else the Expires header, else the default.
    let expires = parseDelta(c.expires) ?? headerExpires ?? policy.defaultExpires;
    if (expires > 0 && expires < policy.minExpires && expires < 3600) {
      return reject('REGISTRAR_INTERVAL_TOO_BRIEF', 'Interval Too Brief', current, now, [{ name: 'min-expires', value: String(policy.minExpires) }]);
    }
    if (expires > policy.maxExpires) expires = policy.maxExpires;
    wanted.delete(key);
    wanted.set(key, { fact: c, key, expires });
  }

  const byKey = new Map(current.map((b) => [b.key, b] as const));
  const upsert: Binding[] = [];
  const remove: string[] = [...expiredKeys];
  for (const w of wanted.values()) {
    const existing = byKey.get(w.key);
    // Step 7: same Call-ID must come with a higher CSeq, or the update is aborted.
    if (existing !== undefined && existing.callId === facts.callId && facts.cseq <= existing.cseq) {
      return reject('REGISTRAR_OUT_OF_ORDER', 'Out-of-order CSeq', current, now);
    }
    if (w.expires === 0) {
      if (existing !== undefined) remove.push(w.key);
      continue;
    }
    const regId = parseDelta(w.fact.regId);
    upsert.push({
      aor: facts.aor,
      key: w.key,
      contact: w.fact.uri.trim(),
      flow: facts.flow,
      expiresAt: now + w.expires * 1000,
      q: parseQ(w.fact.q),
      callId: facts.callId,
      cseq: facts.cseq,
      userAgent: facts.userAgent,
      instanceId: w.fact.instanceId,
      regId,
      registeredAt: existing?.registeredAt ?? now,
      updatedAt: now,
    });
  }

  // maxContacts: the request alone may not exceed it; otherwise make room by
  // replacing the oldest bindings the request did not mention.
  if (upsert.length > policy.maxContacts) return reject('REGISTRAR_TOO_MANY_CONTACTS', 'Too Many Contacts', current, now);
  const touched = new Set(wanted.keys());
  const kept = current.filter((b) => !touched.has(b.key));
  const overflow = kept.length + upsert.length - policy.maxContacts;
  const replaced: Binding[] = [];
  if (overflow > 0) {
    const oldest = [...kept].sort((a, b) => a.registeredAt - b.registeredAt || a.expiresAt - b.expiresAt || (a.key < b.key ? -1 : 1));
    replaced.push(...oldest.slice(0, overflow));
    remove.push(...replaced.map((b) => b.key));
  }
  const removed = new Set(remove);
  const after = [...current.filter((b) => !touched.has(b.key) && !removed.has(b.key)), ...upsert];
  return success(after, upsert, remove, replaced, now);
}

function success(after: readonly Binding[], upsert: readonly Binding[], remove: readonly string[], replaced: readonly Binding[], now: number): RegisterOutcome {
  // §10.3 step 8: the 200 lists every current binding with its own expires parameter.
  const headers: HeaderField[] = [...after].sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || a.registeredAt - b.registeredAt).map((b) => contactHeader(b, now));
  headers.push(dateHeader(now));
  return { upsert, remove, replaced, bindings: after, response: { status: 200, reason: 'OK', headers } };
}
