/**
 * The eager part of parsing: the core fields every message must carry
 * (RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards, Via — Max-Forwards
 * is only range-checked here, see below). parse.ts and build.ts both call
 * extractCoreFields, so a built message's core fields always agree with its
 * header text.
 *
 * Leaves out: every other header (lazy, see header-access.ts).
 */
import type { CSeq, CoreFields, HeaderField, NameAddr, Via } from './message-types.ts';
import type { SipParseErrorCode } from './errors.ts';
import { parseCSeq } from './cseq.ts';
import { parseNameAddr } from './name-addr.ts';
import { parseVia } from './via.ts';
import { splitTopLevel } from './header-text.ts';

export interface CoreScan {
  via: Via | undefined;
  callId: string | undefined;
  cseq: CSeq | undefined;
  from: NameAddr | undefined;
  to: NameAddr | undefined;
}

export type CoreResult =
  | { readonly ok: true; readonly core: CoreFields }
  | { readonly ok: false; readonly code: SipParseErrorCode; readonly detail: string; readonly scan: CoreScan };

/**
 * Call-ID = word [ "@" word ] (§25.1), checked loosely: no CTL, SP or DEL.
 * One character class (linear, no backtracking): the value is a slice of
 * the header text, which V8 scans natively in a regex but unwraps on every
 * charCodeAt (measured 2.5× slower).
 */
const NOT_IN_CALL_ID = /[\u0000-\u0020\u007f]/;
function validCallId(s: string): boolean {
  return s.length > 0 && !NOT_IN_CALL_ID.test(s);
}

/** Max-Forwards is 1*DIGIT with value 0–255 (§20.22; RFC 4475 scalar02 sends 300). */
export function parseMaxForwards(v: string): number | null {
  if (v.length === 0 || v.length > 10) return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  const n = Number(v);
  return n <= 255 ? n : null;
}

interface FirstError {
  code: SipParseErrorCode | undefined;
  detail: string;
}

function note(e: FirstError, code: SipParseErrorCode, detail: string): void {
  if (e.code === undefined) {
    e.code = code;
    e.detail = detail;
  }
}

/** The first via-parm of a Via field value (up to the first top-level comma). */
export function firstViaValue(v: string): string {
  const comma = v.indexOf(',');
  if (comma < 0) return v;
  return splitTopLevel(v)?.[0] ?? v;
}

/**
 * Parse the core fields of a header list. Only the top Via value is parsed
 * here (lower Via values are parsed on demand by vias()); duplicates of the
 * single-valued core headers are errors (RFC 4475 multi01).
 */
export function extractCoreFields(headers: readonly HeaderField[]): CoreResult {
  const scan: CoreScan = { via: undefined, callId: undefined, cseq: undefined, from: undefined, to: undefined };
  let seenVia = false;
  let seenCallId = false;
  let seenCSeq = false;
  let seenFrom = false;
  let seenTo = false;
  const err: FirstError = { code: undefined, detail: '' };
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h === undefined) continue;
    switch (h.name) {
      case 'via':
        if (!seenVia) {
          const v = parseVia(firstViaValue(h.value));
          if (v === null) note(err, 'SIP_PARSE_BAD_HEADER', 'bad Via');
          else scan.via = v;
        }
        seenVia = true;
        break;
      case 'call-id':
        if (seenCallId) note(err, 'SIP_PARSE_DUPLICATE_HEADER', 'more than one Call-ID');
        else if (validCallId(h.value)) scan.callId = h.value;
        else note(err, 'SIP_PARSE_BAD_HEADER', 'bad Call-ID');
        seenCallId = true;
        break;
      case 'cseq':
        if (seenCSeq) note(err, 'SIP_PARSE_DUPLICATE_HEADER', 'more than one CSeq');
        else {
          const c = parseCSeq(h.value);
          if (c === null) note(err, 'SIP_PARSE_BAD_HEADER', 'bad CSeq');
          else scan.cseq = c;
        }
        seenCSeq = true;
        break;
      case 'from':
        if (seenFrom) note(err, 'SIP_PARSE_DUPLICATE_HEADER', 'more than one From');
        else {
          const na = parseNameAddr(h.value);
          if (na === null) note(err, 'SIP_PARSE_BAD_HEADER', 'bad From');
          else scan.from = na;
        }
        seenFrom = true;
        break;
      case 'to':
        if (seenTo) note(err, 'SIP_PARSE_DUPLICATE_HEADER', 'more than one To');
        else {
          const na = parseNameAddr(h.value);
          if (na === null) note(err, 'SIP_PARSE_BAD_HEADER', 'bad To');
          else scan.to = na;
        }
        seenTo = true;
        break;
      case 'max-forwards':
        if (parseMaxForwards(h.value) === null) note(err, 'SIP_PARSE_BAD_HEADER', 'bad Max-Forwards');
        break;
      default:
        break;
    }
  }
  if (err.code !== undefined) return { ok: false, code: err.code, detail: err.detail, scan };
  const { via, callId, cseq, from, to } = scan;
  if (via === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing Via', scan };
  if (from === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing From', scan };
  if (to === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing To', scan };
  if (callId === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing Call-ID', scan };
  if (cseq === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing CSeq', scan };
  return { ok: true, core: { via, callId, cseq, from, to } };
}
