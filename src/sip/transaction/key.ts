/**
 * Transaction matching (RFC 3261 §17.1.3 for responses to client
 * transactions, §17.2.3 for requests to server transactions), reduced to
 * string keys for Map lookups.
 *
 * - Client: branch of the top Via + CSeq method. A CANCEL has the INVITE's
 *   branch but its own method, so it is a separate transaction (§9.1).
 * - Server, RFC 3261 branch (magic cookie `z9hG4bK`): branch + sent-by +
 *   method, where ACK counts as INVITE so a non-2xx ACK finds its INVITE
 *   transaction. A CANCEL gets its own key; `cancelTargetKey` gives the key
 *   of the INVITE it cancels.
 * - Server, RFC 2543 peers (no magic cookie): Request-URI, From tag,
 *   Call-ID, CSeq number, top Via, and for non-INVITE requests the To tag.
 *   RFC-DEVIATION: for INVITE/ACK/CANCEL the To tag is left out of the key.
 *   §17.2.3 matches an ACK by "To tag equal to the To tag of the response
 *   sent", which a key computed from the INVITE (no To tag yet) cannot know;
 *   leaving the tag out only merges INVITEs that differ in nothing but the
 *   To tag, which a conforming 2543 client never produces.
 *
 * Leaves out: merged-request detection (§8.2.2.2, a TU matter).
 */
import type { SipMessage, SipRequest, Via } from '../message/index.ts';

export const MAGIC_COOKIE = 'z9hG4bK';

/** Key of the client transaction a response (or our own request) belongs to. */
export function clientKey(message: SipMessage): string | undefined {
  const branch = message.via.branch;
  if (branch === undefined || branch === '') return undefined;
  return `c|${branch}|${message.cseq.method}`;
}

/** Key of the server transaction a request belongs to. */
export function serverKey(request: SipRequest): string {
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  return serverKeyFor(request, method);
}

/** Key of the INVITE server transaction a CANCEL targets (§9.2). */
export function cancelTargetKey(cancel: SipRequest): string {
  return serverKeyFor(cancel, 'INVITE');
}

/** Whether a Via branch follows RFC 3261 (§8.1.1.7 magic cookie). */
export function hasMagicCookie(via: Via): boolean {
  return via.branch !== undefined && via.branch.startsWith(MAGIC_COOKIE);
}

function serverKeyFor(request: SipRequest, method: string): string {
  const via = request.via;
  if (hasMagicCookie(via)) {
    // §17.2.3: branch and sent-by; the branch is compared as is (the RFC
    // makes branch comparison case-sensitive by leaving it a token).
    return `s|${via.branch ?? ''}|${sentBy(via)}|${method}`;
  }
  // §17.2.3 backwards compatibility with RFC 2543.
  const invFamily = method === 'INVITE';
  const toTag = invFamily ? '' : (request.to.tag ?? '');
  return [
    'l',
    request.uri,
    request.from.tag ?? '',
    toTag,
    request.callId,
    String(request.cseq.seq),
    viaIdentity(via),
    method,
  ].join('|');
}

function defaultPort(transport: string): number {
  return transport === 'TLS' ? 5061 : 5060;
}

/** sent-by with the port made explicit, so `host` and `host:5060` match. */
function sentBy(via: Via): string {
  return `${via.host}:${via.port ?? defaultPort(via.transport)}`;
}

/** The whole top Via for RFC 2543 matching, parameters in a stable order. */
function viaIdentity(via: Via): string {
  // received/rport are written by the receiving edge (§18.2.1, RFC 3581),
  // not by the peer, so they take no part in the comparison.
  const params = [...via.params.entries()]
    .filter(([k]) => k !== 'received' && k !== 'rport')
    .map(([k, v]) => (v === null ? k : `${k}=${v}`))
    .sort()
    .join(';');
  return `${via.transport} ${sentBy(via)};${params}`;
}
