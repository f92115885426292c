/**
 * Header field names: compact forms (RFC 3261 §7.3.3 and the extensions that
 * registered one) mapped to canonical lower-case long names, and the
 * capitalisation we write on the wire (serialize.ts).
 *
 * Speed: the parser recognises the common names in place with
 * matchHeaderName (no slice, no toLowerCase), and every known name maps to
 * one interned constant, so later comparisons (`h.name === 'via'`) and Map
 * lookups hit the string's cached hash.
 *
 * Leaves out: nothing is rejected here; an unknown name is kept as written
 * (lower-cased) and capitalised word by word when serialized.
 */

/** Compact form → long name (RFC 3261 §7.3.3, §20; RFC 3265, 3515, 3841, 3892, 4028, 4474). */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** Names whose capitalisation is not simply word by word. */
const SPECIAL: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  'identity-info': 'Identity-Info',
};

function capitalise(name: string): string {
  return (
    SPECIAL[name] ??
    name
      .split('-')
      .map((w) => (w.length === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
      .join('-')
  );
}

/** Names recognised in place by matchHeaderName (RFC 3261 §20 and common extensions). */
const KNOWN: readonly string[] = [
  ...new Set([
    ...Object.values(COMPACT),
    ...Object.keys(SPECIAL),
    'via', 'from', 'to', 'call-id', 'cseq', 'contact', 'content-length', 'content-type', 'max-forwards',
    'record-route', 'route', 'allow', 'supported', 'user-agent', 'server', 'expires', 'min-expires',
    'authorization', 'proxy-authorization', 'proxy-authenticate', 'authentication-info', 'require',
    'proxy-require', 'unsupported', 'accept', 'accept-encoding', 'accept-language', 'subscription-state',
    'min-se', 'date', 'timestamp', 'organization', 'priority', 'privacy', 'reason', 'content-disposition',
    'content-language', 'retry-after', 'warning', 'alert-info', 'call-info', 'error-info', 'in-reply-to',
    'reply-to', 'path', 'service-route', 'diversion', 'history-info', 'replaces', 'join', 'p-charging-vector',
    'p-access-network-info', 'p-called-party-id', 'remote-party-id',
  ]),
];
const KNOWN_WIRE: readonly string[] = KNOWN.map(capitalise);

/**
 * KNOWN indices keyed by length and first letter (len * 27 + letter, 26 for
 * a non-letter), for matchHeaderName: usually one candidate per key.
 */
const MAX_KNOWN = 32;
const BY_KEY: number[][] = [];
const keyOf = (len: number, c: number): number => {
  const l = (c | 0x20) - 0x61;
  return len * 27 + (l >= 0 && l < 26 ? l : 26);
};
KNOWN.forEach((name, i) => {
  (BY_KEY[keyOf(name.length, name.charCodeAt(0))] ??= []).push(i);
});
/** Compact letter (lower-case char code) → KNOWN index. */
const COMPACT_INDEX = new Int16Array(128).fill(-1);
for (const [letter, name] of Object.entries(COMPACT)) COMPACT_INDEX[letter.charCodeAt(0)] = KNOWN.indexOf(name);

/** Canonical name of a matchHeaderName result. */
export function knownHeaderName(match: number): string {
  return KNOWN[match >> 1] ?? '';
}

/**
 * Recognise s[start, end) as a known header name, case-insensitively.
 * Returns -1 when it is not one, else `index << 1 | exact` where exact is 1
 * when the text is already the wire capitalisation (serialize.ts would write
 * the same bytes). Compact forms are never exact.
 */
export function matchHeaderName(s: string, start: number, end: number): number {
  const len = end - start;
  if (len === 1) {
    // (c | 0x20) lands on a letter only for letters; COMPACT_INDEX holds letters only.
    const c = s.charCodeAt(start) | 0x20;
    const k = c < 128 ? (COMPACT_INDEX[c] ?? -1) : -1;
    return k >= 0 ? k << 1 : -1;
  }
  if (len > MAX_KNOWN || len < 2) return -1;
  const candidates = BY_KEY[keyOf(len, s.charCodeAt(start))];
  if (candidates === undefined) return -1;
  // Senders nearly always write the usual capitalisation: one native compare.
  for (let n = 0; n < candidates.length; n++) {
    const k = candidates[n] ?? 0;
    if (s.startsWith(KNOWN_WIRE[k] ?? '', start)) return (k << 1) | 1;
  }
  for (let n = 0; n < candidates.length; n++) {
    const k = candidates[n] ?? 0;
    const lower = KNOWN[k] ?? '';
    let j = 0;
    for (; j < len; j++) {
      const c = s.charCodeAt(start + j);
      const l = lower.charCodeAt(j);
      if (c === l) continue;
      // Case folding applies to letters only (a CR or '\r' | 0x20 is not '-').
      if (l >= 0x61 && l <= 0x7a && (c | 0x20) === l) continue;
      break;
    }
    if (j === len) return k << 1;
  }
  return -1;
}

/**
 * Byte-level twin of matchHeaderName for the clean-message parser
 * (parse-clean.ts), which finds the colon with one native search: the
 * name's key is its length and its first and last letters (case folded),
 * then one table probe and one byte compare. Same result as
 * matchHeaderName on the same name.
 */
function nameKey(len: number, first: number, last: number): number {
  return (Math.imul(len, 0x9e3779b1) ^ Math.imul(first | 0x20, 31) ^ Math.imul(last | 0x20, 1021)) >>> 7;
}
const HASH_MASK = 1023;
/** Open-addressed table: hash slot → KNOWN index + 1 (0 = empty). */
const BY_HASH = new Int16Array(HASH_MASK + 1);
const KNOWN_LOWER_CODES: readonly Uint8Array[] = KNOWN.map((n) => Buffer.from(n, 'latin1'));
const KNOWN_WIRE_CODES: readonly Uint8Array[] = KNOWN_WIRE.map((n) => Buffer.from(n, 'latin1'));
KNOWN.forEach((name, k) => {
  let slot = nameKey(name.length, name.charCodeAt(0), name.charCodeAt(name.length - 1)) & HASH_MASK;
  while ((BY_HASH[slot] ?? 0) !== 0) slot = (slot + 1) & HASH_MASK;
  BY_HASH[slot] = k + 1;
});

/** b[start, end) equals KNOWN[k] case-insensitively: -1 no, 1 exactly the wire form, 0 other case. */
function compareKnown(b: Uint8Array, start: number, end: number, k: number): number {
  const lower = KNOWN_LOWER_CODES[k];
  const wire = KNOWN_WIRE_CODES[k];
  if (lower === undefined || wire === undefined || lower.length !== end - start) return -1;
  let exact = 1;
  for (let j = 0; j < lower.length; j++) {
    const c = b[start + j] ?? 0;
    if (c === wire[j]) continue;
    exact = 0;
    const l = lower[j] ?? 0;
    // Case folding applies to letters only.
    if (l >= 0x61 && l <= 0x7a && (c | 0x20) === l) continue;
    return -1;
  }
  return exact;
}

/**
 * matchHeaderName over bytes b[start, end): -1, or `index << 1 | exact`.
 */
export function matchHeaderNameBytes(b: Uint8Array, start: number, end: number): number {
  if (end - start === 1) {
    const c = (b[start] ?? 0) | 0x20;
    const k = c < 128 ? (COMPACT_INDEX[c] ?? -1) : -1;
    return k >= 0 ? k << 1 : -1;
  }
  if (end - start < 2) return -1;
  for (let slot = nameKey(end - start, b[start] ?? 0, b[end - 1] ?? 0) & HASH_MASK; ; slot = (slot + 1) & HASH_MASK) {
    const k = (BY_HASH[slot] ?? 0) - 1;
    if (k < 0) return -1;
    const m = compareKnown(b, start, end, k);
    if (m >= 0) return (k << 1) | m;
  }
}

/**
 * Wire-form first byte → KNOWN indices whose wire form starts with it, the
 * names most messages carry first (fewer candidates tried per line).
 */
const BY_WIRE_FIRST: number[][] = Array.from({ length: 128 }, () => []);
const FREQUENT = ['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-length', 'content-type', 'record-route', 'route', 'allow', 'supported', 'user-agent', 'expires', 'authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate', 'server', 'require', 'event', 'subscription-state', 'session-expires', 'min-se', 'accept', 'allow-events', 'p-asserted-identity', 'privacy', 'reason', 'date'];
const rank = (k: number): number => {
  const r = FREQUENT.indexOf(KNOWN[k] ?? '');
  return r < 0 ? FREQUENT.length + k : r;
};
KNOWN_WIRE.map((_, k) => k)
  .sort((x, y) => rank(x) - rank(y))
  .forEach((k) => BY_WIRE_FIRST[(KNOWN_WIRE[k] ?? '').charCodeAt(0) & 127]?.push(k));

/**
 * The usual case first: a known name written in wire form and followed at
 * once by ':' at b[pos]. Returns the KNOWN index (the name ends at
 * pos + its length), or -1 (then find the colon and use
 * matchHeaderNameBytes). One byte load per candidate rules most out.
 */
export function matchWireNameAt(b: Uint8Array, pos: number): number {
  const candidates = BY_WIRE_FIRST[(b[pos] ?? 0) & 127];
  if (candidates === undefined) return -1;
  for (let n = 0; n < candidates.length; n++) {
    const k = candidates[n] ?? 0;
    const wire = KNOWN_WIRE_CODES[k];
    if (wire === undefined || b[pos + wire.length] !== 0x3a) continue;
    let j = 1;
    while (j < wire.length && b[pos + j] === wire[j]) j++;
    if (j === wire.length) return k;
  }
  return -1;
}

/** KNOWN index of a canonical name (for comparing matchHeaderNameBytes results), -1 if not known. */
export function knownHeaderIndex(name: string): number {
  return KNOWN.indexOf(name);
}

const canonicalCache = new Map<string, string>();

/** Lower-cased long name for a header name as written on the wire. */
export function canonicalHeaderName(written: string): string {
  const m = matchHeaderName(written, 0, written.length);
  if (m >= 0) return KNOWN[m >> 1] ?? written;
  const lower = written.toLowerCase();
  if (lower.length === 1) return COMPACT[lower] ?? lower;
  return lower;
}

/** Wire capitalisation for a canonical lower-case name (`call-id` → `Call-ID`). */
export function wireHeaderName(name: string): string {
  const hit = canonicalCache.get(name);
  if (hit !== undefined) return hit;
  const out = capitalise(name);
  // Bounded: a peer can send arbitrary names, and builders copy them.
  if (canonicalCache.size < 1024) canonicalCache.set(name, out);
  return out;
}

// Known names are always in the cache, so serializing them never grows it.
KNOWN.forEach((name, i) => canonicalCache.set(name, KNOWN_WIRE[i] ?? name));
