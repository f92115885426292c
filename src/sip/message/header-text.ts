/**
 * Lexical pieces of RFC 3261 §25.1 shared by the header parsers: token
 * characters, quoted strings (with quoted-pair), top-level comma splitting
 * that respects quotes and <…>, and generic parameter lists.
 *
 * Everything here is total: malformed input gives null/-1, never a throw.
 * Leaves out: RFC 2047 encoded words, UTF-8 validation of TEXT-UTF8.
 */
import type { ParamValue, Params } from './message-types.ts';

/** Shared empty parameter map; never mutated (Params is a ReadonlyMap). */
export const EMPTY_PARAMS: Params = new Map<string, ParamValue>();

/** token chars: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" (§25.1). */
const TOKEN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch) || "-.!%*_+`'~".includes(ch)) TOKEN[c] = 1;
}

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/** Given s[i] === '"', the index just after the closing quote, or -1 if unbalanced. */
export function quotedEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++; // quoted-pair: skip the escaped char
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** Content of a quoted-string (with its quotes) with quoted-pairs resolved. */
export function unquote(q: string): string {
  // Most quoted strings have no quoted-pair: one slice.
  const bs = q.indexOf('\\');
  if (bs < 0 || bs >= q.length - 1) return q.slice(1, q.length - 1);
  let out = '';
  for (let j = 1; j < q.length - 1; j++) {
    const c = q.charCodeAt(j);
    if (c === 0x5c && j + 1 < q.length - 1) j++;
    out += q.charAt(j);
  }
  return out;
}

/**
 * Split a header value on commas that are outside quoted strings and <…>
 * (RFC 3261 §7.3.1). Parts are trimmed; null when a quote or '<' is unbalanced.
 */
export function splitTopLevel(value: string): string[] | null {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const e = quotedEnd(value, i);
      if (e < 0) return null;
      i = e - 1;
    } else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (angle) return null;
  out.push(value.slice(start).trim());
  return out;
}

/**
 * Parse `*( SEMI generic-param )` starting at s[i] (which must be ';' or the
 * end). LWS is allowed around ';' and '=' (§25.1 SEMI, EQUAL). Names are
 * lower-cased; quoted values are unquoted. null on an empty or bad name.
 */
export function parseParams(s: string, i: number): Params | null {
  i = skipWs(s, i);
  // Most header values carry no parameters: share one empty map (read-only by type).
  if (i >= s.length) return EMPTY_PARAMS;
  const params = new Map<string, ParamValue>();
  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b) return null;
    i = skipWs(s, i + 1);
    const ns = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    if (i === ns) return null;
    const name = s.slice(ns, i).toLowerCase();
    i = skipWs(s, i);
    let value: ParamValue = null;
    if (i < s.length && s.charCodeAt(i) === 0x3d) {
      i = skipWs(s, i + 1);
      if (i < s.length && s.charCodeAt(i) === 0x22) {
        const e = quotedEnd(s, i);
        if (e < 0) return null;
        value = unquote(s.slice(i, e));
        i = e;
      } else {
        const vs = i;
        // gen-value = token / host / quoted-string: take up to the next
        // separator; IPv6 references ([…]) contain ':' and are kept whole.
        while (i < s.length) {
          const c = s.charCodeAt(i);
          if (c === 0x3b || isWsp(c) || c === 0x2c) break;
          i++;
        }
        if (i === vs) return null;
        value = s.slice(vs, i);
      }
      i = skipWs(s, i);
    }
    params.set(name, value);
  }
  return params;
}

