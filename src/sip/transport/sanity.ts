/**
 * The stateless edge policy (STYLE G5): RFC 3261 §8.2 request checks made
 * before any transaction exists, and the sorting of parse failures into
 * "answer 400/505/…" or "drop".
 *
 * Pure: `checkRequest(request, flow, policy)` and `classifyParseFailure(error)`
 * return verdicts; the stack sends and logs. Order follows §8.2: malformed
 * (400) first, then method inspection (§8.2.1: 501/405), header inspection
 * (§8.2.2: 416, 482, 420), proxy hop limit (§16.3 step 3: 483), content
 * processing (§8.2.3: 415) and Accept (§21.4.7: 406).
 * Leaves out: authentication (sip/auth) and anything that needs a dialog.
 * ACK is never answered (§17.1.1.3): every "respond" verdict for ACK becomes a drop.
 */
import type { HeaderField, SipRequest } from '../message/message-types.ts';
import type { SipParseError } from '../message/parse-types.ts';
import { SIP_PARSE_ERROR_STATUS } from '../message/errors.ts';
import { maxForwards as maxForwardsOf } from '../message/header-access.ts';

const MAGIC_COOKIE = 'z9hG4bK';
import type { Flow } from './transport-types.ts';
import { splitHeaderValues } from './flow.ts';

/** Methods of RFC 3261 and its common extensions: unknown ones get 501, known but not allowed 405. */
export const KNOWN_METHODS: readonly string[] = Object.freeze([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE',
  'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

export interface EdgePolicy {
  /** Methods the switch handles; listed in Allow. */
  readonly allowedMethods: readonly string[];
  /** Option tags we support (Require check, §8.2.2.3). */
  readonly supportedExtensions: readonly string[];
  /** §8.2.2.2: no To tag and From tag + Call-ID + CSeq of an ongoing transaction with another branch. */
  readonly isMerged?: (request: SipRequest) => boolean;
  /** Loop detection: true when a Via sent-by (host, port) is one of our own listeners. */
  readonly isOwnSentBy?: (host: string, port: number | undefined) => boolean;
}

export type SanityVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'respond'; readonly code: string; readonly status: number; readonly reason: string; readonly extraHeaders: readonly HeaderField[] }
  | { readonly kind: 'drop'; readonly code: string };

const ACCEPT: SanityVerdict = Object.freeze({ kind: 'accept' });

function respond(code: string, status: number, reason: string, extraHeaders: readonly HeaderField[] = []): SanityVerdict {
  return { kind: 'respond', code, status, reason, extraHeaders };
}

function header(req: SipRequest, name: string): string[] {
  const out: string[] = [];
  for (const h of req.headers) if (h.name === name) out.push(...splitHeaderValues(h.value));
  return out;
}

export function allowHeader(policy: EdgePolicy): HeaderField {
  return { name: 'Allow', value: policy.allowedMethods.join(', ') };
}

/** Media types an INVITE body may carry (RFC 3261 §8.2.3; RFC 4475 invut → 415). */
function inviteBodyAcceptable(req: SipRequest): boolean {
  const ct = (header(req, 'content-type')[0] ?? '').toLowerCase();
  const type = ct.split(';')[0]?.trim() ?? '';
  if (type === 'application/sdp') return true;
  if (type === 'multipart/mixed') return /content-type:\s*application\/sdp/i.test(req.body.toString('latin1'));
  return false;
}

/** §21.4.7 / RFC 4475 sdp01: an INVITE whose Accept excludes SDP cannot get our answer. */
function acceptsSdp(req: SipRequest): boolean {
  const accept = header(req, 'accept');
  if (accept.length === 0) return true;
  return accept.some((a) => {
    const t = (a.split(';')[0] ?? '').trim().toLowerCase();
    return t === 'application/sdp' || t === 'application/*' || t === '*/*' || t === '';
  });
}

function sentByOf(viaValue: string): { host: string; port: number | undefined } | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z0-9.!%*_+`'~-]+\s+(\[[^\]]*\]|[^\s;:]+)(?:\s*:\s*(\d{1,5}))?/i.exec(viaValue);
  if (m === null || m[1] === undefined) return undefined;
  return { host: m[1].toLowerCase(), port: m[2] === undefined ? undefined : Number(m[2]) };
}

export function checkRequest(req: SipRequest, _flow: Flow, policy: EdgePolicy): SanityVerdict {
  const v = checkInner(req, policy);
  return v.kind === 'respond' && req.method === 'ACK' ? { kind: 'drop', code: v.code } : v;
}

function checkInner(req: SipRequest, policy: EdgePolicy): SanityVerdict {
  // Malformed content the parser let through (§8.2: 400 with a reason naming it).
  if (req.cseq.method !== req.method) {
    if (!KNOWN_METHODS.includes(req.method)) return respond('SIP_EDGE_UNKNOWN_METHOD', 501, 'Not Implemented', [allowHeader(policy)]);
    return respond('SIP_EDGE_CSEQ_MISMATCH', 400, 'CSeq Method Mismatch');
  }
  // A branch without the magic cookie, or none, is an RFC 2543 peer: the
  // transaction layer matches it the old way (§17.2.3). A bare cookie with no
  // id (RFC 4475 badbranch) would make unrelated requests collide.
  if (req.via.branch === MAGIC_COOKIE) return respond('SIP_EDGE_BAD_BRANCH', 400, 'Bad Via Branch');
  if (header(req, 'max-forwards').length > 1) return respond('SIP_EDGE_BAD_MAX_FORWARDS', 400, 'Multiple Max-Forwards');
  const mf = maxForwardsOf(req);
  if (mf === null) return respond('SIP_EDGE_BAD_MAX_FORWARDS', 400, 'Bad Max-Forwards');
  // RFC 2543 peers may omit Max-Forwards (RFC 4475 inv2543): treat as 70.
  const maxForwards = mf ?? 70;

  // §8.2.1 method inspection.
  if (!KNOWN_METHODS.includes(req.method)) return respond('SIP_EDGE_UNKNOWN_METHOD', 501, 'Not Implemented', [allowHeader(policy)]);
  if (!policy.allowedMethods.includes(req.method)) return respond('SIP_EDGE_METHOD_NOT_ALLOWED', 405, 'Method Not Allowed', [allowHeader(policy)]);

  // §8.2.2.1 Request-URI scheme.
  if (req.requestUri === undefined) return respond('SIP_EDGE_URI_SCHEME', 416, 'Unsupported URI Scheme');

  // §8.2.2.2 merged requests, and loops (a request carrying our own Via came back).
  if (req.to.tag === undefined && policy.isMerged?.(req) === true) return respond('SIP_EDGE_MERGED', 482, 'Merged Request');
  if (policy.isOwnSentBy !== undefined) {
    const vias = header(req, 'via');
    for (let i = 1; i < vias.length; i++) {
      const sb = sentByOf(vias[i] ?? '');
      if (sb !== undefined && policy.isOwnSentBy(sb.host, sb.port)) return respond('SIP_EDGE_LOOP', 482, 'Loop Detected');
    }
  }

  // §8.2.2.3 Require (not for ACK or CANCEL).
  const required = req.method !== 'ACK' && req.method !== 'CANCEL' ? header(req, 'require') : [];
  if (required.length > 0) {
    const supported = policy.supportedExtensions.map((s) => s.toLowerCase());
    const unsupported = required.filter((t) => !supported.includes(t.toLowerCase()));
    if (unsupported.length > 0) return respond('SIP_EDGE_BAD_EXTENSION', 420, 'Bad Extension', [{ name: 'Unsupported', value: unsupported.join(', ') }]);
  }

  // §16.3 step 3: a request we would forward with Max-Forwards 0. OPTIONS is
  // answered by the switch itself (§11), and in-dialog requests and REGISTER
  // end at this B2BUA, so only out-of-dialog requests to a user get 483.
  if (maxForwards === 0 && req.method !== 'OPTIONS' && req.method !== 'REGISTER' && req.to.tag === undefined && req.requestUri.user !== undefined) {
    return respond('SIP_EDGE_TOO_MANY_HOPS', 483, 'Too Many Hops');
  }

  // §8.2.3 content processing, for the offers we must understand.
  if (req.method === 'INVITE' || req.method === 'UPDATE' || req.method === 'PRACK') {
    const enc = header(req, 'content-encoding').filter((e) => e.toLowerCase() !== 'identity');
    if (req.body.length > 0 && enc.length > 0) {
      return respond('SIP_EDGE_UNSUPPORTED_MEDIA', 415, 'Unsupported Content-Encoding', [{ name: 'Accept-Encoding', value: 'identity' }]);
    }
    if (req.body.length > 0 && !inviteBodyAcceptable(req)) {
      return respond('SIP_EDGE_UNSUPPORTED_MEDIA', 415, 'Unsupported Media Type', [{ name: 'Accept', value: 'application/sdp, multipart/mixed' }]);
    }
    if (req.method === 'INVITE' && !acceptsSdp(req)) {
      return respond('SIP_EDGE_NOT_ACCEPTABLE', 406, 'Not Acceptable', [{ name: 'Warning', value: '399 belfry "only application/sdp answers"' }]);
    }
  }
  return ACCEPT;
}

const HEADER_NAMES = ['Call-ID', 'CSeq', 'From', 'To', 'Via', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Contact', 'Expires', 'Route', 'Record-Route'];

function namedHeader(detail: string): string | undefined {
  const lower = detail.toLowerCase();
  return HEADER_NAMES.find((n) => new RegExp(`(^|[^a-z-])${n.toLowerCase()}([^a-z-]|$)`).test(lower));
}

/** The 400 reason phrase for a parse error: it names the problem (G5). */
export function parseErrorReason(error: SipParseError): string {
  const p = error.partial;
  switch (error.code) {
    case 'SIP_PARSE_MISSING_HEADER': {
      if (p !== undefined) {
        const missing = [['Call-ID', p.callId], ['From', p.from], ['To', p.to], ['CSeq', p.cseq], ['Via', p.via]] as const;
        const first = missing.find(([, v]) => v === undefined);
        if (first !== undefined) return `Missing ${first[0]}`;
      }
      return `Missing ${namedHeader(error.detail) ?? 'Header'}`;
    }
    case 'SIP_PARSE_DUPLICATE_HEADER':
      return `Multiple ${namedHeader(error.detail) ?? 'Header'} Values`;
    case 'SIP_PARSE_BAD_HEADER':
      return `Bad ${namedHeader(error.detail) ?? 'Header'}`;
    case 'SIP_PARSE_CSEQ_MISMATCH':
      return 'CSeq Method Mismatch';
    case 'SIP_PARSE_CONTENT_LENGTH':
      return 'Bad Content-Length';
    case 'SIP_PARSE_BODY_SHORT':
      return 'Body Shorter Than Content-Length';
    case 'SIP_PARSE_BAD_URI':
      return 'Bad Request-URI';
    case 'SIP_PARSE_BAD_VERSION':
      return 'Version Not Supported';
    case 'SIP_PARSE_URI_TOO_LONG':
      return 'Request-URI Too Long';
    case 'SIP_PARSE_TOO_LARGE':
      return 'Message Too Large';
    case 'SIP_PARSE_BAD_START_LINE':
      return 'Bad Request-Line';
    case 'SIP_PARSE_LINE_TOO_LONG':
      return 'Header Line Too Long';
    case 'SIP_PARSE_TOO_MANY_HEADERS':
      return 'Too Many Headers';
    case 'SIP_PARSE_NO_HEADER_END':
      return 'Truncated Headers';
    case 'SIP_PARSE_NUL':
      return 'NUL In Message';
    case 'SIP_PARSE_BAD_METHOD':
      return 'Bad Method';
    case 'SIP_PARSE_BAD_STATUS':
    case 'SIP_PARSE_EMPTY':
      return 'Bad Request';
  }
}

/**
 * A parse failure: respond when the parser says the request is respondable
 * (start line and a Via were read), else drop. Responses are never answered.
 */
export function classifyParseFailure(error: SipParseError, policy: EdgePolicy): SanityVerdict {
  const p = error.partial;
  if (p === undefined || p.kind !== 'request' || !p.respondable || p.method === 'ACK') return { kind: 'drop', code: error.code };
  // RFC 4475 mismatch02: an unknown method is reported as such, before the CSeq mismatch.
  if (error.code === 'SIP_PARSE_CSEQ_MISMATCH' && p.method !== undefined && !KNOWN_METHODS.includes(p.method)) {
    return respond(error.code, 501, 'Not Implemented', [allowHeader(policy)]);
  }
  return respond(error.code, SIP_PARSE_ERROR_STATUS[error.code] ?? 400, parseErrorReason(error));
}
