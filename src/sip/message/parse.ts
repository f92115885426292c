/**
 * parseSipMessage: bytes → SipMessage, total and limit-checked (STYLE G4).
 * RFC 3261 §7 (message format), §7.3.1 (folding, comma lists), §7.3.3
 * (compact forms), §7.5 (leading CRLFs ignored), §18.3 (Content-Length
 * framing), §25 (ABNF).
 *
 * Clean messages (the common case) are parsed by parse-clean.ts; it declines
 * everything else, which the general parser below handles: the header
 * section is decoded once as UTF-8 and scanned line by line with indexOf
 * (no regex, no backtracking). Only the core fields are parsed
 * eagerly (core-fields.ts); every other header stays a raw {name, value}.
 * The body is a view (subarray) of the input buffer, not a copy.
 *
 * Respondable vs dropped: see PartialMessage.respondable and
 * docs/sip-message.md. Leaves out: TCP framing (framer.ts) and the edge
 * policy itself (transport/sanity.ts).
 */
import type { HeaderField, SipLimits, SipMessage } from './message-types.ts';
import { DEFAULT_SIP_LIMITS } from './message-types.ts';
import type { ParseResult, PartialMessage, SipParseError } from './parse-types.ts';
import type { SipParseErrorCode } from './errors.ts';
import { canonicalHeaderName, knownHeaderName, matchHeaderName, wireHeaderName } from './header-names.ts';
import { isToken, isWsp } from './header-text.ts';
import { extractCoreFields, type CoreScan } from './core-fields.ts';
import { parseSipUri, uriScheme } from './uri.ts';
import type { SipUri } from './message-types.ts';
import { rememberWireForm } from './serialize.ts';
import { parseClean } from './parse-clean.ts';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LFLF = Buffer.from('\n\n', 'latin1');

interface StartLine {
  kind: 'request' | 'response' | undefined;
  method: string | undefined;
  uri: string | undefined;
  requestUri: SipUri | undefined;
  status: number | undefined;
  reason: string;
  error: { code: SipParseErrorCode; detail: string } | undefined;
  /** The line is exactly what serialize.ts writes for it. */
  exact: boolean;
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; "SIP" is case-insensitive (§25.1 ABNF literal). */
function versionShape(v: string): 'ok' | 'other' | 'bad' {
  if (v === 'SIP/2.0') return 'ok';
  if (v.length < 7 || v.slice(0, 4).toUpperCase() !== 'SIP/') return 'bad';
  const dot = v.indexOf('.', 4);
  if (dot < 5 || dot === v.length - 1) return 'bad';
  for (let i = 4; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (i !== dot && (c < 0x30 || c > 0x39)) return 'bad';
  }
  return v.slice(4) === '2.0' ? 'ok' : 'other';
}

function parseStartLine(line: string, limits: SipLimits): StartLine {
  const sl: StartLine = { kind: undefined, method: undefined, uri: undefined, requestUri: undefined, status: undefined, reason: '', error: undefined, exact: false };
  const sp1 = line.indexOf(' ');
  const first = sp1 < 0 ? line : line.slice(0, sp1);
  // "SIP/" in any case, tested without slicing ((c | 0x20) folds letters only).
  if (first.length > 4 && (first.charCodeAt(0) | 0x20) === 0x73 && (first.charCodeAt(1) | 0x20) === 0x69 && (first.charCodeAt(2) | 0x20) === 0x70 && first.charCodeAt(3) === 0x2f) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    sl.kind = 'response';
    const shape = versionShape(first);
    const code = line.slice(sp1 + 1, sp1 + 4);
    const after = line.charCodeAt(sp1 + 4);
    if (sp1 < 0 || !/^[1-6][0-9][0-9]$/.test(code) || !(Number.isNaN(after) || after === 0x20)) {
      sl.error = { code: 'SIP_PARSE_BAD_STATUS', detail: 'status code must be 3 digits 100-699' };
      return sl;
    }
    sl.status = Number(code);
    sl.reason = sp1 + 5 <= line.length ? line.slice(sp1 + 5) : '';
    sl.exact = after === 0x20 && first === 'SIP/2.0';
    if (shape !== 'ok') sl.error = { code: shape === 'other' ? 'SIP_PARSE_BAD_VERSION' : 'SIP_PARSE_BAD_START_LINE', detail: `version ${first}` };
    return sl;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (single SPs, §7.1)
  if (sp1 <= 0 || !isToken(first)) {
    sl.error = { code: sp1 > 0 ? 'SIP_PARSE_BAD_METHOD' : 'SIP_PARSE_BAD_START_LINE', detail: 'bad request line' };
    return sl;
  }
  sl.kind = 'request';
  sl.method = first;
  const sp2 = line.lastIndexOf(' ');
  const version = line.slice(sp2 + 1);
  const shape = versionShape(version);
  if (sp2 === sp1 || shape === 'bad') {
    sl.error = { code: 'SIP_PARSE_BAD_START_LINE', detail: 'bad request line' };
    return sl;
  }
  const uri = line.slice(sp1 + 1, sp2);
  sl.uri = uri;
  sl.exact = version === 'SIP/2.0';
  if (uri.length === 0 || uri.indexOf(' ') >= 0 || uri.indexOf('\t') >= 0) {
    sl.error = { code: 'SIP_PARSE_BAD_START_LINE', detail: 'whitespace in Request-URI' };
    return sl;
  }
  if (shape === 'other') {
    sl.error = { code: 'SIP_PARSE_BAD_VERSION', detail: `version ${version}` };
    return sl;
  }
  if (uri.length > limits.maxUriLength) {
    sl.error = { code: 'SIP_PARSE_URI_TOO_LONG', detail: `Request-URI longer than ${limits.maxUriLength}` };
    return sl;
  }
  const scheme = uriScheme(uri);
  if (scheme === null) {
    sl.error = { code: 'SIP_PARSE_BAD_URI', detail: 'bad Request-URI' };
  } else if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
    const u = parseSipUri(uri);
    if (u === null) sl.error = { code: 'SIP_PARSE_BAD_URI', detail: 'bad Request-URI' };
    else sl.requestUri = u;
  }
  return sl;
}

function partialOf(sl: StartLine | undefined, headers: HeaderField[], scan: CoreScan): PartialMessage {
  let hasVia = false;
  for (const h of headers) if (h.name === 'via') hasVia = true;
  return {
    kind: sl?.kind,
    method: sl?.method,
    uri: sl?.uri,
    status: sl?.status,
    headers,
    via: scan.via,
    callId: scan.callId,
    cseq: scan.cseq,
    from: scan.from,
    to: scan.to,
    respondable: sl?.kind === 'request' && sl.method !== undefined && hasVia,
  };
}

function fail(code: SipParseErrorCode, detail: string, offset: number, partial?: PartialMessage): ParseResult {
  const error: SipParseError = partial === undefined ? { code, detail, offset } : { code, detail, offset, partial };
  return { ok: false, error };
}

export function parseSipMessage(bytes: Buffer, limits: SipLimits = DEFAULT_SIP_LIMITS): ParseResult {
  // Clean messages (the common case) take the byte-scanning fast path; it
  // returns undefined for anything else, which then takes the general path.
  return parseClean(bytes, limits) ?? parseGeneral(bytes, limits);
}

/** The general parser: every message, every error (exported for the equivalence property test). */
export function parseGeneral(bytes: Buffer, limits: SipLimits): ParseResult {
  const len = bytes.length;
  if (len > limits.maxMessageBytes) return fail('SIP_PARSE_TOO_LARGE', `message longer than ${limits.maxMessageBytes} bytes`, limits.maxMessageBytes);
  // §7.5: CRLFs before the start line are ignored (also RFC 5626 keep-alives).
  let start = 0;
  while (start < len && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  if (start === len) return fail('SIP_PARSE_EMPTY', 'no start line (keep-alive or empty)', start);

  // End of the header section: the first empty line.
  // RFC-DEVIATION: bare LF line ends are accepted as well as CRLF (§7 requires
  // CRLF); being liberal here costs nothing and some test tools send LF.
  let hdrEnd = bytes.indexOf(CRLFCRLF, start);
  let bodyStart: number;
  if (hdrEnd >= 0) bodyStart = hdrEnd + 4;
  else {
    hdrEnd = bytes.indexOf(LFLF, start);
    bodyStart = hdrEnd >= 0 ? hdrEnd + 2 : -1;
    if (hdrEnd < 0) hdrEnd = len;
  }
  // A NUL is only legal as a quoted-pair inside a quoted-string (§25.1
  // quoted-pair allows %x00; RFC 4475 intmeth); anywhere else it is an error.
  for (let nul = bytes.indexOf(0, start); nul >= 0 && nul < hdrEnd; nul = bytes.indexOf(0, nul + 1)) {
    if (bytes[nul - 1] !== 0x5c) return fail('SIP_PARSE_NUL', 'NUL byte in the header section', nul);
  }

  const text = bytes.toString('utf8', start, hdrEnd);
  const headers: HeaderField[] = [];
  let sl: StartLine | undefined;
  let pos = 0;
  let curName: string | undefined;
  let curValue = '';
  let lineErr: { code: SipParseErrorCode; detail: string; offset: number } | undefined;
  // True while serializing the message would give back the input bytes
  // exactly (CRLF line ends, wire capitalisation, "Name: value", no folding,
  // one exact Content-Length); then serialize.ts reuses the input.
  let canonical = start === 0 && bodyStart === hdrEnd + 4;
  const tlen = text.length;
  // A CR that does not end a line (RFC 3261 §7.3.1 allows CR only in CRLF)
  // would survive into a header value and into every response that copies
  // it: refuse it here, once, with a native scan of the header section.
  for (let cr = text.indexOf('\r', pos); cr >= 0; cr = text.indexOf('\r', cr + 1)) {
    if (text.charCodeAt(cr + 1) !== 0x0a && cr + 1 < tlen) {
      return fail('SIP_PARSE_BAD_HEADER', 'CR not followed by LF in the header section', start + cr);
    }
  }
  while (pos <= tlen) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = tlen;
    const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    if (nl < tlen ? lineEnd === nl : lineEnd !== nl) canonical = false; // bare LF, or a CR before the header end
    if (lineEnd - pos > limits.maxLineLength) {
      lineErr = { code: 'SIP_PARSE_LINE_TOO_LONG', detail: `line longer than ${limits.maxLineLength}`, offset: start + pos };
      break;
    }
    if (sl === undefined) {
      sl = parseStartLine(text.slice(pos, lineEnd), limits);
      if (sl.kind === undefined) return fail(sl.error?.code ?? 'SIP_PARSE_BAD_START_LINE', sl.error?.detail ?? 'bad start line', start);
      if (!sl.exact) canonical = false;
    } else if (lineEnd > pos && isWsp(text.charCodeAt(pos))) {
      // §7.3.1 folding: LWS = [*WSP CRLF] 1*WSP, equivalent to one SP.
      if (curName === undefined) {
        lineErr = { code: 'SIP_PARSE_BAD_HEADER', detail: 'continuation line without a header', offset: start + pos };
        break;
      }
      const piece = text.slice(pos, lineEnd).trim();
      if (piece.length > 0) curValue = curValue.length === 0 ? piece : curValue + ' ' + piece;
      canonical = false;
    } else if (lineEnd > pos) {
      if (curName !== undefined) headers.push({ name: curName, value: curValue });
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon >= lineEnd) {
        curName = undefined;
        lineErr = { code: 'SIP_PARSE_BAD_HEADER', detail: 'header line without a colon', offset: start + pos };
        break;
      }
      let ne = colon;
      while (ne > pos && isWsp(text.charCodeAt(ne - 1))) ne--;
      // Common names are recognised in place (no slice, no toLowerCase).
      const known = matchHeaderName(text, pos, ne);
      if (known >= 0) {
        curName = knownHeaderName(known);
        if ((known & 1) === 0) canonical = false;
      } else {
        const written = text.slice(pos, ne);
        if (!isToken(written)) {
          curName = undefined;
          lineErr = { code: 'SIP_PARSE_BAD_HEADER', detail: 'bad header name', offset: start + pos };
          break;
        }
        curName = canonicalHeaderName(written);
        if (canonical && wireHeaderName(curName) !== written) canonical = false;
      }
      // One slice of the value without its surrounding whitespace (no trim() copy).
      let vs = colon + 1;
      let ve = lineEnd;
      while (vs < ve && isWsp(text.charCodeAt(vs))) vs++;
      while (ve > vs && isWsp(text.charCodeAt(ve - 1))) ve--;
      if (ne !== colon || vs !== colon + 2 || ve !== lineEnd || text.charCodeAt(colon + 1) !== 0x20) canonical = false;
      curValue = text.slice(vs, ve);
      if (headers.length >= limits.maxHeaders) {
        curName = undefined;
        lineErr = { code: 'SIP_PARSE_TOO_MANY_HEADERS', detail: `more than ${limits.maxHeaders} header fields`, offset: start + pos };
        break;
      }
    }
    pos = nl + 1;
  }
  if (curName !== undefined) headers.push({ name: curName, value: curValue });
  if (sl === undefined) return fail('SIP_PARSE_BAD_START_LINE', 'no start line', start);

  const core = extractCoreFields(headers);
  const scan = core.ok ? core.core : core.scan;
  if (sl.error !== undefined) return fail(sl.error.code, sl.error.detail, start, partialOf(sl, headers, scan));
  if (lineErr !== undefined) return fail(lineErr.code, lineErr.detail, lineErr.offset, partialOf(sl, headers, scan));
  if (bodyStart < 0) return fail('SIP_PARSE_NO_HEADER_END', 'no empty line after the headers', len, partialOf(sl, headers, scan));
  if (!core.ok) return fail(core.code, core.detail, start, partialOf(sl, headers, scan));
  if (sl.kind === 'request' && sl.method !== core.core.cseq.method) {
    // §8.1.1.5: the CSeq method MUST match the request's (RFC 4475 mismatch01).
    return fail('SIP_PARSE_CSEQ_MISMATCH', 'CSeq method does not match the request method', start, partialOf(sl, headers, scan));
  }

  // §18.3 / §20.14: Content-Length framing. Several Content-Length fields must agree.
  let contentLength = -1;
  let lengthFields = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h === undefined || h.name !== 'content-length') continue;
    const v = h.value;
    lengthFields++;
    // serialize.ts writes one Content-Length with no leading zeros.
    if (lengthFields > 1 || (v.length > 1 && v.charCodeAt(0) === 0x30)) canonical = false;
    let ok = v.length > 0 && v.length <= 10;
    for (let i = 0; ok && i < v.length; i++) ok = v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39;
    const n = ok ? Number(v) : -1;
    if (!ok || (contentLength >= 0 && n !== contentLength)) {
      return fail('SIP_PARSE_CONTENT_LENGTH', `bad Content-Length "${v.slice(0, 20)}"`, start, partialOf(sl, headers, scan));
    }
    contentLength = n;
  }
  const remaining = len - bodyStart;
  let body: Buffer;
  if (contentLength < 0) body = bytes.subarray(bodyStart);
  else if (contentLength > remaining) {
    return fail('SIP_PARSE_BODY_SHORT', `body has ${remaining} bytes, Content-Length says ${contentLength}`, len, partialOf(sl, headers, scan));
  } else body = bytes.subarray(bodyStart, bodyStart + contentLength); // extra bytes discarded (§18.3)
  if (contentLength < 0) canonical = false;

  const c = core.core;
  let message: SipMessage;
  if (sl.kind === 'request') {
    message = {
      kind: 'request',
      method: sl.method ?? '',
      uri: sl.uri ?? '',
      requestUri: sl.requestUri,
      headers,
      body,
      via: c.via,
      cseq: c.cseq,
      callId: c.callId,
      from: c.from,
      to: c.to,
    };
  } else {
    message = { kind: 'response', status: sl.status ?? 0, reason: sl.reason, headers, body, via: c.via, cseq: c.cseq, callId: c.callId, from: c.from, to: c.to };
  }
  // Non-ASCII header text is only byte-identical after a UTF-8 round trip
  // when it was valid UTF-8; ASCII is the common case, so check just that:
  // one char per byte means ASCII or U+FFFD for an invalid byte (and
  // indexOf of U+FFFD in a one-byte string returns at once).
  if (canonical && tlen === hdrEnd && text.indexOf('\uFFFD') < 0) rememberWireForm(message, bytes);
  return { ok: true, message };
}
