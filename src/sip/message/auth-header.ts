/**
 * Authorization, Proxy-Authorization, WWW-Authenticate, Proxy-Authenticate
 * (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1; RFC 2617 §1.2):
 *
 *   auth-scheme LWS auth-param *( COMMA auth-param )
 *   auth-param  = token EQUAL ( token / quoted-string )
 *
 * Used by sip/auth for digest. Parameter names are lower-cased, quoted
 * values unquoted. A scheme we do not know (RFC 4475 regaut01) still parses;
 * the auth layer decides what to do with it.
 * Leaves out: several challenges in one field (RFC 7235 style) — SIP sends
 * one challenge per header field.
 */
import { isToken, isTokenChar, quotedEnd, skipWs, unquote } from './header-text.ts';

export interface AuthHeader {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

export function parseAuthHeader(text: string): AuthHeader | null {
  const s = text;
  let i = skipWs(s, 0);
  const ss = i;
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  if (i === ss) return null;
  const scheme = s.slice(ss, i);
  const params = new Map<string, string>();
  i = skipWs(s, i);
  let first = true;
  while (i < s.length) {
    if (!first) {
      if (s.charCodeAt(i) !== 0x2c) return null;
      i = skipWs(s, i + 1);
    }
    first = false;
    const ns = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    if (i === ns) return null;
    const name = s.slice(ns, i).toLowerCase();
    i = skipWs(s, i);
    if (s.charCodeAt(i) !== 0x3d) return null;
    i = skipWs(s, i + 1);
    let value: string;
    if (s.charCodeAt(i) === 0x22) {
      const e = quotedEnd(s, i);
      if (e < 0) return null;
      value = unquote(s.slice(i, e));
      i = e;
    } else {
      const vs = i;
      while (i < s.length && s.charCodeAt(i) !== 0x2c && s.charCodeAt(i) !== 0x20 && s.charCodeAt(i) !== 0x09) i++;
      value = s.slice(vs, i);
      if (!isToken(value) && !/^[A-Za-z0-9+/=:._~-]+$/.test(value)) return null;
    }
    params.set(name, value);
    i = skipWs(s, i);
  }
  return { scheme, params };
}

/** Serialize back (quoting every value except the RFC 2617 token ones). */
export function formatAuthHeader(h: AuthHeader): string {
  const unquoted = new Set(['algorithm', 'qop', 'nc', 'stale']);
  const parts: string[] = [];
  for (const [k, v] of h.params) {
    parts.push(unquoted.has(k) && isToken(v) ? `${k}=${v}` : `${k}="${v.replace(/(["\\])/g, '\\$1')}"`);
  }
  return parts.length === 0 ? h.scheme : `${h.scheme} ${parts.join(', ')}`;
}
