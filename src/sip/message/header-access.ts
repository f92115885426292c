/**
 * Lazy header access (RFC 3261 §7.3, §20): look a header up by its canonical
 * name and parse it only when asked. Names may be given in any case or in
 * compact form (`m` = Contact).
 *
 * headerValues splits on top-level commas (§7.3.1) except for headers whose
 * grammar is not a comma list (dates, auth, free text), which are returned
 * whole. Leaves out: caching of parsed values (messages are cheap to re-read
 * and caching would need a mutable field on an immutable model).
 */
import type { NameAddr, SipMessage } from './message-types.ts';
import { canonicalHeaderName } from './header-names.ts';
import { isToken, splitTopLevel } from './header-text.ts';
import { parseNameAddr } from './name-addr.ts';
import { parseViaList } from './via.ts';
import type { Via } from './message-types.ts';
import { parseMaxForwards } from './core-fields.ts';

type HasHeaders = Pick<SipMessage, 'headers'>;

/** Headers that may contain commas but are not comma-separated lists. */
const NOT_A_LIST = new Set([
  'date', 'authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate',
  'subject', 'user-agent', 'server', 'organization', 'call-id', 'cseq', 'from', 'to',
  'content-length', 'content-type', 'timestamp', 'retry-after', 'reason-phrase', 'identity',
]);

/** Value of the first field with this name, or undefined. */
export function headerValue(msg: HasHeaders, name: string): string | undefined {
  const n = canonicalHeaderName(name);
  for (const h of msg.headers) if (h.name === n) return h.value;
  return undefined;
}

/** Every value of this header: all fields, each split on top-level commas (§7.3.1). */
export function headerValues(msg: HasHeaders, name: string): string[] {
  const n = canonicalHeaderName(name);
  const out: string[] = [];
  const split = !NOT_A_LIST.has(n);
  for (const h of msg.headers) {
    if (h.name !== n) continue;
    if (!split) {
      out.push(h.value);
      continue;
    }
    const parts = splitTopLevel(h.value) ?? [h.value];
    for (const p of parts) if (p.length > 0) out.push(p);
  }
  return out;
}

function nameAddrList(msg: HasHeaders, name: string): NameAddr[] | null {
  const out: NameAddr[] = [];
  for (const v of headerValues(msg, name)) {
    const na = parseNameAddr(v);
    if (na === null) return null;
    out.push(na);
  }
  return out;
}

export type ContactList = { readonly kind: 'star' } | { readonly kind: 'list'; readonly contacts: readonly NameAddr[] };

/** Contact header (§20.10): `*` (only valid alone, in REGISTER) or a list; null when malformed. */
export function contacts(msg: HasHeaders): ContactList | null {
  const values = headerValues(msg, 'contact');
  if (values.length === 1 && values[0] === '*') return { kind: 'star' };
  if (values.includes('*')) return null;
  const list = nameAddrList(msg, 'contact');
  return list === null ? null : { kind: 'list', contacts: list };
}

export function routes(msg: HasHeaders): NameAddr[] | null {
  return nameAddrList(msg, 'route');
}

export function recordRoutes(msg: HasHeaders): NameAddr[] | null {
  return nameAddrList(msg, 'record-route');
}

/** All Via values, top first. */
export function vias(msg: HasHeaders): Via[] | null {
  const out: Via[] = [];
  for (const h of msg.headers) {
    if (h.name !== 'via') continue;
    const l = parseViaList(h.value);
    if (l === null) return null;
    out.push(...l);
  }
  return out;
}

/** Max-Forwards (0–255); undefined when absent, null when malformed. */
export function maxForwards(msg: HasHeaders): number | null | undefined {
  const v = headerValue(msg, 'max-forwards');
  return v === undefined ? undefined : parseMaxForwards(v);
}

export interface ContentType {
  /** `type/subtype`, lower-cased. */
  readonly mediaType: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Content-Type (§20.15); undefined when absent, null when malformed. */
export function contentType(msg: HasHeaders): ContentType | null | undefined {
  const v = headerValue(msg, 'content-type');
  if (v === undefined) return undefined;
  const parts = v.split(';');
  const mt = (parts[0] ?? '').trim().toLowerCase();
  const slash = mt.indexOf('/');
  if (slash <= 0 || !isToken(mt.slice(0, slash).trim()) || !isToken(mt.slice(slash + 1).trim())) return null;
  const params = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq <= 0) return null;
    let val = p.slice(eq + 1).trim();
    if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
    params.set(p.slice(0, eq).trim().toLowerCase(), val);
  }
  return { mediaType: mt.replace(/\s+/g, ''), params };
}

/** Expires (§20.19): delta-seconds; undefined when absent, null when malformed. Values above 2^32−1 clamp. */
export function expires(msg: HasHeaders): number | null | undefined {
  const v = headerValue(msg, 'expires');
  if (v === undefined) return undefined;
  if (v.length === 0) return null;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 0x30 || v.charCodeAt(i) > 0x39) return null;
  // RFC 3261 §20.19 / RFC 4475 scalar02: huge values are treated as the max.
  return v.length > 10 ? 4294967295 : Math.min(Number(v), 4294967295);
}

function tokenList(msg: HasHeaders, name: string): string[] {
  return headerValues(msg, name).map((t) => t.toLowerCase());
}

/** Supported option tags (§20.37), lower-cased. */
export function supported(msg: HasHeaders): string[] {
  return tokenList(msg, 'supported');
}

/** Require option tags (§20.32), lower-cased. */
export function requireTags(msg: HasHeaders): string[] {
  return tokenList(msg, 'require');
}

/** Proxy-Require option tags (§20.29), lower-cased. */
export function proxyRequire(msg: HasHeaders): string[] {
  return tokenList(msg, 'proxy-require');
}
