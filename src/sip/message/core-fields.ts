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
import { parseViaList } from './via.ts';
import { isWsp } from './header-text.ts';

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

function validCallId(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || isWsp(c)) return false;
  }
  return true;
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

export function extractCoreFields(headers: readonly HeaderField[]): CoreResult {
  const scan: CoreScan = { via: undefined, callId: undefined, cseq: undefined, from: undefined, to: undefined };
  let seenVia = false;
  let seenCallId = false;
  let seenCSeq = false;
  let seenFrom = false;
  let seenTo = false;
  let firstError: { code: SipParseErrorCode; detail: string } | undefined;
  const fail = (code: SipParseErrorCode, detail: string) => {
    if (firstError === undefined) firstError = { code, detail };
  };
  for (const h of headers) {
    switch (h.name) {
      case 'via': {
        const list = parseViaList(h.value);
        if (list === null) fail('SIP_PARSE_BAD_HEADER', 'bad Via');
        else if (!seenVia) scan.via = list[0];
        seenVia = true;
        break;
      }
      case 'call-id':
        if (seenCallId) fail('SIP_PARSE_DUPLICATE_HEADER', 'more than one Call-ID');
        else if (validCallId(h.value)) scan.callId = h.value;
        else fail('SIP_PARSE_BAD_HEADER', 'bad Call-ID');
        seenCallId = true;
        break;
      case 'cseq':
        if (seenCSeq) fail('SIP_PARSE_DUPLICATE_HEADER', 'more than one CSeq');
        else {
          const c = parseCSeq(h.value);
          if (c === null) fail('SIP_PARSE_BAD_HEADER', 'bad CSeq');
          else scan.cseq = c;
        }
        seenCSeq = true;
        break;
      case 'from':
      case 'to': {
        const isFrom = h.name === 'from';
        if (isFrom ? seenFrom : seenTo) {
          fail('SIP_PARSE_DUPLICATE_HEADER', isFrom ? 'more than one From' : 'more than one To');
        } else {
          const na = parseNameAddr(h.value);
          if (na === null) fail('SIP_PARSE_BAD_HEADER', isFrom ? 'bad From' : 'bad To');
          else if (isFrom) scan.from = na;
          else scan.to = na;
        }
        if (isFrom) seenFrom = true;
        else seenTo = true;
        break;
      }
      case 'max-forwards':
        if (parseMaxForwards(h.value) === null) fail('SIP_PARSE_BAD_HEADER', 'bad Max-Forwards');
        break;
      default:
        break;
    }
  }
  if (firstError !== undefined) return { ok: false, code: firstError.code, detail: firstError.detail, scan };
  const { via, callId, cseq, from, to } = scan;
  if (via === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing Via', scan };
  if (from === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing From', scan };
  if (to === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing To', scan };
  if (callId === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing Call-ID', scan };
  if (cseq === undefined) return { ok: false, code: 'SIP_PARSE_MISSING_HEADER', detail: 'missing CSeq', scan };
  return { ok: true, core: { via, callId, cseq, from, to } };
}
