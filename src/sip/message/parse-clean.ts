/**
 * The fast path of parseSipMessage for the common message: a clean one.
 * RFC 3261 §7 (message format), §7.3.3 (compact forms), §8.1.1 (core
 * header fields), §18.3 (Content-Length framing).
 *
 * "Clean" means: no leading CRLF, every line ends in CRLF, the header
 * section is printable ASCII (plus HTAB in values), no folded line, each
 * header written `Name:` with no blank before the colon, the version is
 * exactly `SIP/2.0`, every limit holds, and the message is valid. For such
 * a message parseClean returns exactly what the general parser (parse.ts)
 * returns; for anything else it returns undefined and the general parser
 * runs, so every error code, offset and partial comes from one place.
 * (test/property/sip-parse-clean.property.test.ts compares the two.)
 *
 * Why it is faster: one JavaScript loop over the received bytes finds the
 * line ends, the colons, the value bounds and each name's hash, and checks
 * every byte against the clean set, instead of a native search per line
 * for CR, LF and ':' plus a string compare per name (each of those calls
 * costs more than scanning a short line). Only the header section's bytes
 * are decoded, once, as latin1 (a copy: they are ASCII, checked by the
 * scan); the core fields are parsed as their lines are met, with no second
 * pass over the header list.
 *
 * Leaves out: everything the general parser tolerates (bare LF, folding,
 * non-ASCII text, blanks before a colon, other versions) and every error.
 */
import type { HeaderField, SipLimits, SipMessage, SipUri, Via, CSeq, NameAddr } from './message-types.ts';
import type { ParseResult } from './parse-types.ts';
import { canonicalHeaderName, knownHeaderIndex, knownHeaderName, matchHeaderNameBytes, nameHashStep, wireHeaderName } from './header-names.ts';
import { isTokenChar } from './header-text.ts';
import { parseSipUri, uriScheme } from './uri.ts';
import { parseVia } from './via.ts';
import { parseCSeq } from './cseq.ts';
import { parseNameAddr } from './name-addr.ts';
import { firstViaValue } from './core-fields.ts';
import { rememberWireForm } from './serialize.ts';

const K_VIA = knownHeaderIndex('via');
const K_FROM = knownHeaderIndex('from');
const K_TO = knownHeaderIndex('to');
const K_CALL_ID = knownHeaderIndex('call-id');
const K_CSEQ = knownHeaderIndex('cseq');
const K_MAX_FORWARDS = knownHeaderIndex('max-forwards');
const K_CONTENT_LENGTH = knownHeaderIndex('content-length');

/** Per header line: name start, name end (the colon), value start, value end, name match. */
const SLOTS = 5;
let lines = new Int32Array(SLOTS * 64);

/** SIP/2.0 as bytes, for the exact version checks. */
const VERSION = Buffer.from('SIP/2.0', 'latin1');

function isVersionAt(b: Buffer, i: number): boolean {
  for (let j = 0; j < 7; j++) if (b[i + j] !== VERSION[j]) return false;
  return true;
}

/**
 * Decimal digits b[s, e) as a number: 1–10 digits, else -1 (the general
 * parser's Content-Length and Max-Forwards rule).
 */
function digitsValue(b: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 10) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = (b[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The message as parseSipMessage would return it, or undefined when it is not clean. */
export function parseClean(b: Buffer, limits: SipLimits): ParseResult | undefined {
  const len = b.length;
  if (len > limits.maxMessageBytes) return undefined;
  const maxLine = limits.maxLineLength;

  // Start line: printable ASCII up to CRLF.
  let i = 0;
  let sp1 = -1;
  for (; i < len; i++) {
    const c = b[i] ?? 0;
    if (c < 0x20 || c > 0x7e) break;
    if (c === 0x20 && sp1 < 0) sp1 = i;
  }
  const sle = i;
  if (sle === 0 || sp1 <= 0 || b[sle] !== 0x0d || b[sle + 1] !== 0x0a || sle > maxLine) return undefined;

  // Header lines up to the empty line.
  let n = 0;
  let canonical = true;
  let pos = sle + 2;
  let bodyStart = -1;
  while (pos < len) {
    let c = b[pos] ?? 0;
    if (c === 0x0d) {
      if (b[pos + 1] !== 0x0a) return undefined;
      bodyStart = pos + 2;
      break;
    }
    // field-name = token, then ':' at once (no blank before the colon).
    let hash = 0;
    let j = pos;
    while (isTokenChar(c)) {
      hash = nameHashStep(hash, c);
      c = b[++j] ?? 0;
    }
    if (j === pos || c !== 0x3a) return undefined;
    const colon = j;
    // Value: HTAB or printable ASCII up to CRLF; leading and trailing blanks trimmed.
    let vs = colon + 1;
    while (b[vs] === 0x20 || b[vs] === 0x09) vs++;
    j = vs;
    for (; j < len; j++) {
      c = b[j] ?? 0;
      if (c < 0x20 || c > 0x7e) {
        if (c !== 0x09) break;
      }
    }
    if (b[j] !== 0x0d || b[j + 1] !== 0x0a || j - pos > maxLine || n >= limits.maxHeaders) return undefined;
    let ve = j;
    while (ve > vs && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
    if (vs !== colon + 2 || b[colon + 1] !== 0x20 || ve !== j) canonical = false;
    const k = matchHeaderNameBytes(b, pos, colon, hash);
    if (SLOTS * (n + 1) > lines.length) {
      const grown = new Int32Array(lines.length * 2);
      grown.set(lines);
      lines = grown;
    }
    const o = SLOTS * n++;
    lines[o] = pos;
    lines[o + 1] = colon;
    lines[o + 2] = vs;
    lines[o + 3] = ve;
    lines[o + 4] = k;
    pos = j + 2;
  }
  if (bodyStart < 0) return undefined;

  // The header section is ASCII (checked above): latin1 is a plain copy.
  const text = b.toString('latin1', 0, bodyStart - 4);

  // Start line (§7.1, §7.2).
  let method: string | undefined;
  let uri = '';
  let requestUri: SipUri | undefined;
  let status = 0;
  let reason = '';
  if (sp1 === 7 && isVersionAt(b, 0)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const d0 = (b[8] ?? 0) - 0x30;
    const d1 = (b[9] ?? 0) - 0x30;
    const d2 = (b[10] ?? 0) - 0x30;
    if (d0 < 1 || d0 > 6 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return undefined;
    status = d0 * 100 + d1 * 10 + d2;
    if (sle === 11) canonical = false;
    else if (b[11] !== 0x20) return undefined;
    reason = sle > 12 ? text.slice(12, sle) : '';
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version
    for (let m = 0; m < sp1; m++) if (!isTokenChar(b[m] ?? 0)) return undefined;
    const sp2 = sle - 8;
    if (sp2 <= sp1 + 1 || b[sp2] !== 0x20 || !isVersionAt(b, sp2 + 1)) return undefined;
    for (let u = sp1 + 1; u < sp2; u++) if (b[u] === 0x20) return undefined;
    if (sp2 - sp1 - 1 > limits.maxUriLength) return undefined;
    method = text.slice(0, sp1);
    uri = text.slice(sp1 + 1, sp2);
    const scheme = uriScheme(uri);
    if (scheme === null) return undefined;
    if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
      const u = parseSipUri(uri);
      if (u === null) return undefined;
      requestUri = u;
    }
  }

  // Header fields, with the core fields parsed as they are met (§8.1.1).
  const headers: HeaderField[] = [];
  let via: Via | undefined;
  let callId: string | undefined;
  let cseq: CSeq | undefined;
  let from: NameAddr | undefined;
  let to: NameAddr | undefined;
  let contentLength = -1;
  for (let h = 0; h < n; h++) {
    const o = SLOTS * h;
    const vs = lines[o + 2] ?? 0;
    const ve = lines[o + 3] ?? 0;
    const match = lines[o + 4] ?? -1;
    const value = text.slice(vs, ve);
    let name: string;
    if (match >= 0) {
      name = knownHeaderName(match);
      if ((match & 1) === 0) canonical = false;
      const k = match >> 1;
      if (k === K_VIA) {
        if (via === undefined) {
          const v = parseVia(firstViaValue(value));
          if (v === null) return undefined;
          via = v;
        }
      } else if (k === K_CALL_ID) {
        // Call-ID = word ["@" word] (§25.1), checked loosely: no CTL, SP or DEL.
        if (callId !== undefined || ve === vs) return undefined;
        for (let x = vs; x < ve; x++) if ((b[x] ?? 0) <= 0x20) return undefined;
        callId = value;
      } else if (k === K_CSEQ) {
        if (cseq !== undefined) return undefined;
        const cs = parseCSeq(value);
        if (cs === null) return undefined;
        cseq = cs;
      } else if (k === K_FROM || k === K_TO) {
        if ((k === K_FROM ? from : to) !== undefined) return undefined;
        const na = parseNameAddr(value);
        if (na === null) return undefined;
        if (k === K_FROM) from = na;
        else to = na;
      } else if (k === K_MAX_FORWARDS) {
        const mf = digitsValue(b, vs, ve);
        if (mf < 0 || mf > 255) return undefined;
      } else if (k === K_CONTENT_LENGTH) {
        // Several Content-Length fields (even agreeing ones): the general parser decides.
        if (contentLength >= 0) return undefined;
        contentLength = digitsValue(b, vs, ve);
        if (contentLength < 0) return undefined;
        if (ve - vs > 1 && b[vs] === 0x30) canonical = false;
      }
    } else {
      const written = text.slice(lines[o] ?? 0, lines[o + 1] ?? 0);
      name = canonicalHeaderName(written);
      if (canonical && wireHeaderName(name) !== written) canonical = false;
    }
    headers.push({ name, value });
  }
  if (via === undefined || from === undefined || to === undefined || callId === undefined || cseq === undefined) return undefined;
  if (method !== undefined && method !== cseq.method) return undefined;

  // §18.3 framing over UDP: a longer datagram's extra bytes are discarded.
  let body: Buffer;
  if (contentLength < 0) {
    body = b.subarray(bodyStart);
    canonical = false;
  } else if (contentLength > len - bodyStart) return undefined;
  else body = b.subarray(bodyStart, bodyStart + contentLength);

  // The same object shapes as the general parser builds (one hidden class each downstream).
  let message: SipMessage;
  if (method !== undefined) {
    message = { kind: 'request', method, uri, requestUri, headers, body, via, cseq, callId, from, to };
  } else {
    message = { kind: 'response', status, reason, headers, body, via, cseq, callId, from, to };
  }
  if (canonical) rememberWireForm(message, b);
  return { ok: true, message };
}
