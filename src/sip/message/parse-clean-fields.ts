/**
 * Byte-level readers for the core fields of a clean message (parse-clean.ts):
 * the top Via (RFC 3261 §20.42), From/To name-addr (§20.20, §20.39) and
 * sip/sips URIs (§19.1.1), read from the received bytes b[s, e) with the
 * decoded header text used only to slice the final strings.
 *
 * Each reader handles the usual written form and returns undefined for
 * anything else (upper case to fold, blanks around separators, quoted-pairs,
 * %-escapes, passwords, IPv6 references, URI headers, tel and other
 * schemes, comma lists, bad syntax); the caller then runs the string parser
 * (via.ts, name-addr.ts, uri.ts) on that value, which decides. So a reader
 * never has to reject anything, and its results are the string parsers'
 * results (checked by test/property/sip-parse-clean.property.test.ts).
 *
 * Why: the values are slices of the header text, and V8 unwraps a sliced
 * string on every charCodeAt; typed-array loads from the received Buffer
 * cost a fraction of that.
 */
import type { CSeq, NameAddr, ParamValue, Params, SipUri, Via } from './message-types.ts';
import { MAX_CSEQ } from './cseq.ts';
import { EMPTY_PARAMS, isTokenChar } from './header-text.ts';
import { EMPTY_URI_HEADERS, EMPTY_URI_PARAMS } from './uri.ts';

/**
 * Byte classes (256 entries: a byte indexes them without a range check).
 * HOST: hostname characters the string parser accepts, lower case only
 * (upper case is folded there). URI: characters allowed unescaped in a URI
 * by uri.ts (no CTL, SP, DEL, non-ASCII, '"', '<', '>'), minus '%' (an
 * escape: the string parser decodes it) and '?' (URI headers).
 */
const HOST = new Uint8Array(256);
const URI = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f) HOST[c] = 1;
  if (c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x3c && c !== 0x3e && c !== 0x25 && c !== 0x3f) URI[c] = 1;
}

/** Common parameter names, returned as constants instead of fresh slices. */
const PARAM_NAMES = ['tag', 'branch', 'received', 'rport', 'maddr', 'lr', 'transport', 'user', 'expires'];
const PARAM_CODES = PARAM_NAMES.map((n) => Buffer.from(n, 'latin1'));
/** (length, first letter) → PARAM_NAMES index + 1; the listed names differ in that key. */
const PARAM_BY_KEY = new Uint8Array(16 * 32);
const paramKey = (len: number, first: number): number => ((len & 15) << 5) | (first & 31);
PARAM_NAMES.forEach((n, k) => {
  const key = paramKey(n.length, n.charCodeAt(0));
  if (PARAM_BY_KEY[key] !== 0) throw new Error(`parameter names ${n} and ${PARAM_NAMES[(PARAM_BY_KEY[key] ?? 1) - 1]} share a key`);
  PARAM_BY_KEY[key] = k + 1;
});

function paramName(b: Uint8Array, text: string, s: number, e: number): string {
  const k = (PARAM_BY_KEY[paramKey(e - s, b[s] ?? 0)] ?? 0) - 1;
  const p = PARAM_CODES[k];
  if (p !== undefined && p.length === e - s) {
    let j = 1;
    while (j < p.length && b[s + j] === p[j]) j++;
    if (j === p.length) return PARAM_NAMES[k] ?? text.slice(s, e);
  }
  return text.slice(s, e);
}

/** Decimal port b[s, e): 1–5 digits, ≤ 65535; else -1. */
function portAt(b: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > 5) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = (b[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : -1;
}

/** Results of the last hostPortAt (module scratch: no object per URI or Via on the hot path). */
let hpHost = '';
let hpPort: number | undefined;

/**
 * host [":" port] from p up to ';' or e, for sip URIs and Via sent-by alike.
 * Sets hpHost/hpPort and returns the index after them, or -1 when a byte is
 * not a host character, the host is empty or the port is not one.
 */
function hostPortAt(b: Uint8Array, text: string, p: number, e: number): number {
  let i = p;
  for (; i < e; i++) {
    const c = b[i] ?? 0;
    if (HOST[c] === 1) continue;
    if (c === 0x3a || c === 0x3b) break;
    return -1;
  }
  if (i === p) return -1;
  hpHost = text.slice(p, i);
  hpPort = undefined;
  if (b[i] === 0x3a) {
    let pe = i + 1;
    while (pe < e && b[pe] !== 0x3b) pe++;
    const n = portAt(b, i + 1, pe);
    if (n < 0) return -1;
    hpPort = n;
    i = pe;
  }
  return i;
}


/**
 * `*( ";" name [ "=" value ] )` header parameters in b[i, e) with lower-case
 * token names and plain values; the value of `tokenParam` (an interned name)
 * must also be a token (the Via branch rule), checked here on the bytes.
 */
function headerParamsAt(b: Uint8Array, text: string, i: number, e: number, tokenParam: string | undefined): Params | undefined {
  if (i === e) return EMPTY_PARAMS;
  const params = new Map<string, ParamValue>();
  while (i < e) {
    if (b[i] !== 0x3b) return undefined;
    const ns = ++i;
    for (; i < e; i++) {
      const c = b[i] ?? 0;
      if (!isTokenChar(c)) break;
      if (c >= 0x41 && c <= 0x5a) return undefined;
    }
    if (i === ns) return undefined;
    const name = paramName(b, text, ns, i);
    let value: ParamValue = null;
    if (i < e && b[i] === 0x3d) {
      const vs = ++i;
      if (b[i] === 0x22) return undefined;
      for (; i < e; i++) {
        const c = b[i] ?? 0;
        if (c === 0x3b) break;
        // Blanks, CTLs and ',' end or break a value in the string parser: it decides.
        if (c <= 0x20 || c === 0x2c || c === 0x7f) return undefined;
      }
      if (i === vs) return undefined;
      if (name === tokenParam) for (let t = vs; t < i; t++) if (!isTokenChar(b[t] ?? 0)) return undefined;
      value = text.slice(vs, i);
    }
    params.set(name, value);
  }
  return params;
}

/**
 * sip:/sips: URI in b[s, e) without escapes, password, IPv6, upper case or
 * headers. `raw`, when given, is text.slice(s, e) already made by the caller.
 */
export function uriAt(b: Uint8Array, text: string, s: number, e: number, raw?: string): SipUri | undefined {
  if (b[s] !== 0x73 || b[s + 1] !== 0x69 || b[s + 2] !== 0x70) return undefined;
  let scheme: 'sip' | 'sips';
  let p: number;
  if (b[s + 3] === 0x3a) {
    scheme = 'sip';
    p = s + 4;
  } else if (b[s + 3] === 0x73 && b[s + 4] === 0x3a) {
    scheme = 'sips';
    p = s + 5;
  } else return undefined;
  // The first '@' ends userinfo (uri.ts); a ':' in it is a password.
  const at = text.indexOf('@', p);
  let user: string | undefined;
  if (at >= 0 && at < e) {
    if (at === p) return undefined;
    for (let i = p; i < at; i++) {
      const c = b[i] ?? 0;
      if (URI[c] !== 1 || c === 0x3a) return undefined;
    }
    user = text.slice(p, at);
    p = at + 1;
  }
  let i = hostPortAt(b, text, p, e);
  if (i < 0) return undefined;
  const host = hpHost;
  const port = hpPort;
  let params: ReadonlyMap<string, ParamValue> = EMPTY_URI_PARAMS;
  if (i < e) {
    // uri-parameters: ";" name [ "=" value ], names lower case, none empty, no '?' (URI headers).
    const m = new Map<string, ParamValue>();
    while (i < e) {
      const ns = ++i;
      let eq = -1;
      for (; i < e; i++) {
        const c = b[i] ?? 0;
        if (c === 0x3b) break;
        if (URI[c] !== 1 || (eq < 0 && c >= 0x41 && c <= 0x5a)) return undefined;
        if (c === 0x3d && eq < 0) eq = i;
      }
      if (i === ns || eq === ns) return undefined;
      m.set(eq < 0 ? paramName(b, text, ns, i) : paramName(b, text, ns, eq), eq < 0 ? null : text.slice(eq + 1, i));
    }
    params = m;
  }
  return { scheme, user, password: undefined, host, port, params, headers: EMPTY_URI_HEADERS, raw: raw ?? text.slice(s, e) };
}

/** `[token SP | "quoted" [SP]] <uri> *(;param)` in b[s, e). */
export function nameAddrAt(b: Uint8Array, text: string, s: number, e: number): NameAddr | undefined {
  let displayName: string | undefined;
  let i = s;
  const c0 = b[s];
  if (c0 === 0x22) {
    let q = s + 1;
    while (q < e && b[q] !== 0x22) {
      if (b[q] === 0x5c) return undefined;
      q++;
    }
    if (q >= e) return undefined;
    displayName = text.slice(s + 1, q);
    i = b[q + 1] === 0x20 ? q + 2 : q + 1;
  } else if (c0 !== 0x3c) {
    while (i < e && isTokenChar(b[i] ?? 0)) i++;
    if (i === s || b[i] !== 0x20) return undefined;
    displayName = text.slice(s, i);
    i++;
  }
  if (b[i] !== 0x3c) return undefined;
  const gt = text.indexOf('>', i + 1);
  if (gt < 0 || gt >= e) return undefined;
  const uri = uriAt(b, text, i + 1, gt);
  if (uri === undefined) return undefined;
  const params = headerParamsAt(b, text, gt + 1, e, undefined);
  if (params === undefined) return undefined;
  const t = params.get('tag');
  return { displayName, uri, params, tag: typeof t === 'string' && t.length > 0 ? t : undefined };
}

/** `SIP/2.0/UDP|TCP|TLS SP host [":" port] *(;param)` in b[s, e), one via-parm. */
export function viaAt(b: Uint8Array, text: string, s: number, e: number): Via | undefined {
  // "SIP/2.0/"
  if (b[s] !== 0x53 || b[s + 1] !== 0x49 || b[s + 2] !== 0x50 || b[s + 3] !== 0x2f || b[s + 4] !== 0x32 || b[s + 5] !== 0x2e || b[s + 6] !== 0x30 || b[s + 7] !== 0x2f) return undefined;
  const t0 = b[s + 8];
  const t1 = b[s + 9];
  const t2 = b[s + 10];
  let transport: string;
  if (t0 === 0x55 && t1 === 0x44 && t2 === 0x50) transport = 'UDP';
  else if (t0 === 0x54 && t1 === 0x43 && t2 === 0x50) transport = 'TCP';
  else if (t0 === 0x54 && t1 === 0x4c && t2 === 0x53) transport = 'TLS';
  else return undefined;
  if (b[s + 11] !== 0x20) return undefined;
  const hs = s + 12;
  const i = hostPortAt(b, text, hs, e);
  if (i < 0) return undefined;
  const host = hpHost;
  const port = hpPort;
  const params = headerParamsAt(b, text, i, e, 'branch');
  if (params === undefined) return undefined;
  const branch = params.get('branch');
  const received = params.get('received');
  const maddr = params.get('maddr');
  if (branch === null || received === null || maddr === null) return undefined;
  let rport: number | null | undefined;
  if (params.has('rport')) {
    const r = params.get('rport');
    if (r === null || r === undefined) rport = null;
    else {
      let n = 0;
      if (r.length < 1 || r.length > 5) return undefined;
      for (let k = 0; k < r.length; k++) {
        const d = r.charCodeAt(k) - 0x30;
        if (d < 0 || d > 9) return undefined;
        n = n * 10 + d;
      }
      if (n > 65535) return undefined;
      rport = n;
    }
  }
  return { transport, host, port, params, branch, received, rport, maddr };
}

/**
 * CSeq `1*DIGIT SP Method` in b[s, e) (§20.16): no leading zero, one SP,
 * a token method. `method` is the request's method string: when the bytes
 * spell it, it is returned itself (no slice, and the §8.1.1.5 comparison
 * becomes a pointer compare).
 */
export function cseqAt(b: Uint8Array, text: string, s: number, e: number, method: string | undefined): CSeq | undefined {
  let i = s;
  let seq = 0;
  for (; i < e; i++) {
    const d = (b[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
  }
  if (i === s || i - s > 10 || (b[s] === 0x30 && i - s > 1) || seq > MAX_CSEQ || b[i] !== 0x20) return undefined;
  const ms = ++i;
  for (; i < e; i++) if (!isTokenChar(b[i] ?? 0)) return undefined;
  if (i === ms) return undefined;
  if (method !== undefined && method.length === e - ms) {
    let j = 0;
    while (j < method.length && method.charCodeAt(j) === b[ms + j]) j++;
    if (j === method.length) return { seq, method };
  }
  return { seq, method: text.slice(ms, e) };
}

/** RFC 3261 and common extension methods, returned as constants (no slice; downstream `=== 'INVITE'` compares pointers). */
const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'PRACK', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH'];
const METHOD_CODES = METHODS.map((m) => Buffer.from(m, 'latin1'));

/** The method b[0, e) as a constant when it is a common one, else a slice of the text. */
export function methodAt(b: Uint8Array, text: string, e: number): string {
  for (let k = 0; k < METHOD_CODES.length; k++) {
    const m = METHOD_CODES[k];
    if (m === undefined || m.length !== e || m[0] !== b[0]) continue;
    let j = 1;
    while (j < e && b[j] === m[j]) j++;
    if (j === e) return METHODS[k] ?? text.slice(0, e);
  }
  return text.slice(0, e);
}
