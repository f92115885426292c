/**
 * Via (RFC 3261 §20.42, §25.1 via-parm), with RFC 3581 rport and RFC 5118
 * IPv6 sent-by / received (with or without brackets, §4.5).
 *
 *   sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *
 * LWS is allowed around the slashes (RFC 4475 §3.1.1.1 wsinv).
 * Leaves out: checking that the branch has the magic cookie (the edge's job).
 */
import type { Via } from './message-types.ts';
import { isToken, isTokenChar, parseParams, skipWs, splitTopLevel } from './header-text.ts';
import { parseHost, parsePort, scanHostname } from './uri.ts';

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/** Parse one via-parm; null when malformed. */
export function parseVia(text: string): Via | null {
  const s = text;
  let i = skipWs(s, 0);
  let e = readToken(s, i);
  if (e === i) return null;
  i = skipWs(s, e);
  if (s.charCodeAt(i) !== 0x2f) return null;
  i = skipWs(s, i + 1);
  e = readToken(s, i);
  if (e === i) return null;
  i = skipWs(s, e);
  if (s.charCodeAt(i) !== 0x2f) return null;
  i = skipWs(s, i + 1);
  e = readToken(s, i);
  if (e === i) return null;
  const written = s.slice(i, e);
  // Usually written upper-case already: skip toUpperCase (a runtime call).
  const transport = written === 'UDP' || written === 'TCP' || written === 'TLS' ? written : written.toUpperCase();
  i = skipWs(s, e);
  if (i === e) return null; // LWS is mandatory before sent-by
  const hs = i;
  let host: string | null;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) return null;
    i = close + 1;
    host = parseHost(s.slice(hs, i));
    if (host === null) return null;
  } else {
    const scanned = scanHostname(s, i, true);
    if (scanned < 0) return null;
    i = scanned >> 1;
    host = (scanned & 1) === 1 ? s.slice(hs, i).toLowerCase() : s.slice(hs, i);
  }
  let port: number | undefined;
  i = skipWs(s, i);
  if (s.charCodeAt(i) === 0x3a) {
    i = skipWs(s, i + 1);
    const ps = i;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    const p = parsePort(s.slice(ps, i));
    if (p === null) return null;
    port = p;
  }
  const params = parseParams(s, i);
  if (params === null) return null;
  const branch = params.get('branch');
  const received = params.get('received');
  const maddr = params.get('maddr');
  if (branch === null || received === null || maddr === null) return null; // these need a value
  if (branch !== undefined && !isToken(branch)) return null;
  let rport: number | null | undefined;
  if (params.has('rport')) {
    const r = params.get('rport');
    if (r === null || r === undefined) rport = null;
    else {
      const n = parsePort(r);
      if (n === null) return null;
      rport = n;
    }
  }
  return { transport, host, port, params, branch, received, rport, maddr };
}

/** Every via-parm of one Via field value; null when any is malformed or empty. */
export function parseViaList(value: string): Via[] | null {
  const parts = splitTopLevel(value);
  if (parts === null) return null;
  const out: Via[] = [];
  for (const p of parts) {
    const v = parseVia(p);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}
