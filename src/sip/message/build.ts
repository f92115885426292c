/**
 * Builders: new SipRequest/SipResponse values from header lists. Every
 * builder runs extractCoreFields (the parser's own core-field code), so the
 * core fields can never disagree with the header text, and keeps a
 * Content-Length field equal to the body length (so parse∘serialize is
 * stable). Implements RFC 3261 §8.2.6 (responses), §17.1.1.3 (ACK for a
 * non-2xx), §9.1 (CANCEL).
 *
 * Inputs come from our own code, so a core header that does not parse is a
 * programmer error: SipBuildError is thrown (STYLE G6), never a result.
 * Leaves out: ACK for 2xx (a dialog-layer request, §13.2.2.4).
 */
import type { HeaderField, SipMessage, SipRequest, SipResponse } from './message-types.ts';
import { extractCoreFields } from './core-fields.ts';
import { canonicalHeaderName } from './header-names.ts';
import { splitTopLevel } from './header-text.ts';
import { SipBuildError } from './errors.ts';
import { reasonPhrase } from './reason-phrase.ts';
import { isToken } from './header-text.ts';
import { parseSipUri, uriScheme } from './uri.ts';
import { parseNameAddr } from './name-addr.ts';

export const EMPTY_BODY = Buffer.alloc(0);

/** Canonical names, trimmed values, Content-Length = body length (also used by build-known.ts). */
export function checkHeaders(headers: readonly HeaderField[], body: Buffer): HeaderField[] {
  const out: HeaderField[] = [];
  let hasLength = false;
  for (const h of headers) {
    const name = canonicalHeaderName(h.name);
    if (!isToken(name)) throw new SipBuildError(`bad header name ${JSON.stringify(h.name)}`);
    if (/[\r\n\0]/.test(h.value)) throw new SipBuildError(`CR, LF or NUL in ${name}`);
    if (name === 'content-length') {
      if (hasLength) continue;
      hasLength = true;
      out.push({ name, value: String(body.length) });
      continue;
    }
    out.push(name === h.name && h.value === h.value.trim() ? h : { name, value: h.value.trim() });
  }
  if (!hasLength) out.push({ name: 'content-length', value: String(body.length) });
  return out;
}

export interface RequestSpec {
  readonly method: string;
  readonly uri: string;
  readonly headers: readonly HeaderField[];
  readonly body?: Buffer;
}

export function buildRequest(spec: RequestSpec): SipRequest {
  if (!isToken(spec.method)) throw new SipBuildError(`bad method ${JSON.stringify(spec.method)}`);
  if (spec.uri.length === 0 || /[\s]/.test(spec.uri) || uriScheme(spec.uri) === null) throw new SipBuildError(`bad Request-URI ${JSON.stringify(spec.uri)}`);
  const body = spec.body ?? EMPTY_BODY;
  const headers = checkHeaders(spec.headers, body);
  const core = extractCoreFields(headers);
  if (!core.ok) throw new SipBuildError(`${core.code}: ${core.detail}`);
  const scheme = uriScheme(spec.uri);
  const requestUri = scheme === 'sip' || scheme === 'sips' || scheme === 'tel' ? parseSipUri(spec.uri) ?? undefined : undefined;
  return { kind: 'request', method: spec.method, uri: spec.uri, requestUri, headers, body, ...core.core };
}

export interface ResponseSpec {
  readonly status: number;
  readonly reason?: string;
  readonly headers: readonly HeaderField[];
  readonly body?: Buffer;
}

export function buildResponse(spec: ResponseSpec): SipResponse {
  if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 699) throw new SipBuildError(`bad status ${spec.status}`);
  const reason = spec.reason ?? reasonPhrase(spec.status);
  if (/[\r\n\0]/.test(reason)) throw new SipBuildError('CR, LF or NUL in reason phrase');
  const body = spec.body ?? EMPTY_BODY;
  const headers = checkHeaders(spec.headers, body);
  const core = extractCoreFields(headers);
  if (!core.ok) throw new SipBuildError(`${core.code}: ${core.detail}`);
  return { kind: 'response', status: spec.status, reason, headers, body, ...core.core };
}

export interface ResponseOptions {
  /** Added to To when the request's To has no tag (never for 100, §8.2.6.2). */
  readonly toTag?: string;
  readonly headers?: readonly HeaderField[];
  readonly body?: Buffer;
}

/**
 * §8.2.6.2: "the From field of the response MUST equal the From header field
 * of the request. The Call-ID … MUST equal … The CSeq … MUST equal … The Via
 * header field values in the response MUST equal the Via header field values
 * in the request and MUST maintain the same ordering." The To gets our tag
 * unless it already has one; 100 Trying copies Timestamp (§8.2.6.1).
 */
export function createResponse(request: SipRequest, status: number, reason?: string, opts: ResponseOptions = {}): SipResponse {
  const headers: HeaderField[] = [];
  for (const h of request.headers) {
    switch (h.name) {
      case 'via':
      case 'from':
      case 'call-id':
      case 'cseq':
        headers.push(h);
        break;
      case 'to':
        if (status > 100 && opts.toTag !== undefined && request.to.tag === undefined) headers.push({ name: 'to', value: `${h.value};tag=${opts.toTag}` });
        else headers.push(h);
        break;
      case 'timestamp':
        if (status === 100) headers.push(h);
        break;
      default:
        break;
    }
  }
  const extra = opts.headers ?? [];
  const body = opts.body ?? EMPTY_BODY;
  const phrase = reason ?? reasonPhrase(status);
  if (extra.some((h) => CORE_NAMES.has(canonicalHeaderName(h.name)))) {
    // The TU overrides a core header: parse everything, as any built message.
    return buildResponse({ status, reason: phrase, headers: [...headers, ...extra], body });
  }
  // The copied fields are the request's own, already parsed and checked: the
  // response's core fields are the request's (a new To tag is parsed alone),
  // and only the TU's extra headers are checked. Same result as buildResponse
  // on the same list (test/unit/sip/message/build.test.ts), less work for the
  // most frequent builder.
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new SipBuildError(`bad status ${status}`);
  if (/[\r\n\0]/.test(phrase)) throw new SipBuildError('CR, LF or NUL in reason phrase');
  const checked = checkHeaders(extra, body);
  for (const h of checked) headers.push(h);
  let to = request.to;
  if (status > 100 && opts.toTag !== undefined && request.to.tag === undefined) {
    const field = headers.find((h) => h.name === 'to');
    const parsed = field === undefined ? null : parseNameAddr(field.value);
    if (parsed === null) throw new SipBuildError('SIP_PARSE_BAD_HEADER: bad To');
    to = parsed;
  }
  return { kind: 'response', status, reason: phrase, headers, body, via: request.via, callId: request.callId, cseq: request.cseq, from: request.from, to };
}

const CORE_NAMES: ReadonlySet<string> = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

function topViaValue(msg: SipMessage): string {
  for (const h of msg.headers) {
    if (h.name !== 'via') continue;
    const parts = splitTopLevel(h.value);
    return parts?.[0] ?? h.value;
  }
  throw new SipBuildError('message has no Via');
}

/**
 * §17.1.1.3: the ACK for a non-2xx final response has the request's
 * Request-URI, Call-ID, From, CSeq number (method ACK), only the top Via,
 * the To of the response, and the request's Route headers.
 */
export function createAckForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: HeaderField[] = [{ name: 'via', value: topViaValue(invite) }];
  headers.push({ name: 'max-forwards', value: '70' });
  for (const h of invite.headers) if (h.name === 'route') headers.push(h);
  for (const h of invite.headers) if (h.name === 'from' || h.name === 'call-id') headers.push(h);
  const to = response.headers.find((h) => h.name === 'to');
  if (to === undefined) throw new SipBuildError('response has no To');
  headers.push(to);
  headers.push({ name: 'cseq', value: `${invite.cseq.seq} ACK` });
  return buildRequest({ method: 'ACK', uri: invite.uri, headers });
}

/** §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number, the top Via and Route. */
export function createCancel(invite: SipRequest): SipRequest {
  const headers: HeaderField[] = [{ name: 'via', value: topViaValue(invite) }];
  headers.push({ name: 'max-forwards', value: '70' });
  for (const h of invite.headers) if (h.name === 'route') headers.push(h);
  for (const h of invite.headers) if (h.name === 'from' || h.name === 'to' || h.name === 'call-id') headers.push(h);
  headers.push({ name: 'cseq', value: `${invite.cseq.seq} CANCEL` });
  return buildRequest({ method: 'CANCEL', uri: invite.uri, headers });
}

function rebuild<M extends SipMessage>(msg: M, headers: HeaderField[], body?: Buffer): M {
  const b = body ?? msg.body;
  const built =
    msg.kind === 'request'
      ? buildRequest({ method: msg.method, uri: msg.uri, headers, body: b })
      : buildResponse({ status: msg.status, reason: msg.reason, headers, body: b });
  return built as M;
}

/** A copy with a new top Via (a proxy/B2BUA forwarding a request, §16.6 step 8). */
export function withTopVia(request: SipRequest, viaValue: string): SipRequest {
  return rebuild(request, [{ name: 'via', value: viaValue }, ...request.headers]);
}

/**
 * A copy without the top Via value (a response passed upstream, §16.7 step 3).
 * A response with a single Via was meant for us and is not forwarded, so
 * calling this on one is a programmer error (SipBuildError: missing Via).
 */
export function withoutTopVia(response: SipResponse): SipResponse {
  const headers: HeaderField[] = [];
  let removed = false;
  for (const h of response.headers) {
    if (!removed && h.name === 'via') {
      removed = true;
      const parts = splitTopLevel(h.value);
      if (parts !== null && parts.length > 1) headers.push({ name: 'via', value: parts.slice(1).join(', ') });
      continue;
    }
    headers.push(h);
  }
  return rebuild(response, headers);
}

/** A copy with one more header field appended. */
export function withHeader<M extends SipMessage>(msg: M, name: string, value: string): M {
  return rebuild(msg, [...msg.headers, { name: canonicalHeaderName(name), value }]);
}

/** A copy without any field of this name. */
export function withoutHeader<M extends SipMessage>(msg: M, name: string): M {
  const n = canonicalHeaderName(name);
  return rebuild(msg, msg.headers.filter((h) => h.name !== n));
}

/** A copy where every field of this name is replaced by one field (at the first one's position). */
export function withHeaderValue<M extends SipMessage>(msg: M, name: string, value: string): M {
  const n = canonicalHeaderName(name);
  const headers: HeaderField[] = [];
  let placed = false;
  for (const h of msg.headers) {
    if (h.name !== n) headers.push(h);
    else if (!placed) {
      placed = true;
      headers.push({ name: n, value });
    }
  }
  if (!placed) headers.push({ name: n, value });
  return rebuild(msg, headers);
}

/** A copy with a new body (Content-Length follows; Content-Type replaced when given). */
export function withBody<M extends SipMessage>(msg: M, body: Buffer, contentType?: string): M {
  const m = contentType === undefined ? msg : withHeaderValue(msg, 'content-type', contentType);
  return rebuild(m, [...m.headers], body);
}
