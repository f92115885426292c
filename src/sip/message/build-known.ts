/**
 * A request built from parts its caller has already parsed: an in-dialog
 * request (RFC 3261 §12.2.1.1, the ACK of §13.2.2.4, BYE) whose From, To,
 * Call-ID, CSeq and Request-URI the dialog knows. buildRequest parses every
 * core header of a built message again (extractCoreFields); a dialog sends
 * the same From and To text for its whole life, so it parses them once and
 * hands the result here. Only the top Via (new per request) is parsed.
 *
 * The result is the one buildRequest gives on the same header list with
 * that Via first (test/unit/sip/message/build-known.test.ts). The caller
 * promises that `known` is what parsing its own From/To/Request-URI text
 * gives; every header is still checked as buildRequest checks it, and a list
 * that buildRequest would read differently (a second From, To, Call-ID or
 * CSeq, a bad Max-Forwards) goes through buildRequest itself.
 */
import type { CSeq, HeaderField, NameAddr, SipRequest, SipUri } from './message-types.ts';
import { buildRequest, checkHeaders, EMPTY_BODY, type RequestSpec } from './build.ts';
import { MAX_CSEQ } from './cseq.ts';
import { firstViaValue, parseMaxForwards } from './core-fields.ts';
import { SipBuildError } from './errors.ts';
import { isToken } from './header-text.ts';
import { parseSipUri, uriScheme } from './uri.ts';
import { parseVia } from './via.ts';

export interface KnownCore {
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly callId: string;
  readonly cseq: CSeq;
  /** parseSipUri(spec.uri) for sip/sips/tel, undefined otherwise (as buildRequest sets it). */
  readonly requestUri: SipUri | undefined;
}

/** The Request-URI as buildRequest parses it (for a caller that keeps it in KnownCore). */
export function requestUriOf(uri: string): SipUri | undefined {
  const scheme = uriScheme(uri);
  return scheme === 'sip' || scheme === 'sips' || scheme === 'tel' ? parseSipUri(uri) ?? undefined : undefined;
}

/** `spec.headers` without Via: `viaValue` becomes the first header field. */
export function buildKnownRequest(spec: RequestSpec, viaValue: string, known: KnownCore): SipRequest {
  const body = spec.body ?? EMPTY_BODY;
  const all: HeaderField[] = [{ name: 'via', value: viaValue }];
  for (const h of spec.headers) all.push(h);
  if (!isToken(spec.method)) throw new SipBuildError(`bad method ${JSON.stringify(spec.method)}`);
  if (spec.uri.length === 0 || /[\s]/.test(spec.uri) || uriScheme(spec.uri) === null) throw new SipBuildError(`bad Request-URI ${JSON.stringify(spec.uri)}`);
  const headers = checkHeaders(all, body);
  const via = parseVia(firstViaValue(viaValue));
  const seq = known.cseq.seq;
  if (via === null || !Number.isInteger(seq) || seq < 0 || seq > MAX_CSEQ || !plainCore(headers)) return buildRequest({ method: spec.method, uri: spec.uri, headers: all, body });
  // Same property order as buildRequest's result (one object shape for both).
  return { kind: 'request', method: spec.method, uri: spec.uri, requestUri: known.requestUri, headers, body, via, callId: known.callId, cseq: known.cseq, from: known.from, to: known.to };
}

/** One each of From, To, Call-ID and CSeq, and no Max-Forwards that extractCoreFields rejects. */
function plainCore(headers: readonly HeaderField[]): boolean {
  let from = 0;
  let to = 0;
  let callId = 0;
  let cseq = 0;
  for (const h of headers) {
    switch (h.name) {
      case 'from':
        from++;
        break;
      case 'to':
        to++;
        break;
      case 'call-id':
        callId++;
        break;
      case 'cseq':
        cseq++;
        break;
      case 'max-forwards':
        if (parseMaxForwards(h.value) === null) return false;
        break;
      default:
        break;
    }
  }
  return from === 1 && to === 1 && callId === 1 && cseq === 1;
}
