/**
 * Header field names: compact forms (RFC 3261 §7.3.3 and the extensions that
 * registered one) mapped to canonical lower-case long names, and the
 * capitalisation we write on the wire (serialize.ts).
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

const canonicalCache = new Map<string, string>();

/** Lower-cased long name for a header name as written on the wire. */
export function canonicalHeaderName(written: string): string {
  const lower = written.toLowerCase();
  if (lower.length === 1) return COMPACT[lower] ?? lower;
  return lower;
}

/** Wire capitalisation for a canonical lower-case name (`call-id` → `Call-ID`). */
export function wireHeaderName(name: string): string {
  const hit = canonicalCache.get(name);
  if (hit !== undefined) return hit;
  let out = SPECIAL[name];
  if (out === undefined) {
    out = name
      .split('-')
      .map((w) => (w.length === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
      .join('-');
  }
  // Bounded: a peer can send arbitrary names, and builders copy them.
  if (canonicalCache.size < 1024) canonicalCache.set(name, out);
  return out;
}
