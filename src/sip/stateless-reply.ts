/**
 * Bytes of a response sent without a transaction (RFC 3261 §8.2.7 stateless
 * UAS: OPTIONS to the switch, 401/407 challenges), written straight from the
 * request's header fields. The general path (createResponse → buildResponse
 * → serialize) builds a SipResponse, validates every header and parses its
 * core fields again, only for the result to be turned into bytes at once;
 * for the most frequent answers of all (qualify pings, first REGISTERs) that
 * was most of the work after parsing.
 *
 * §8.2.6.2: Via (all values, in order, the top one as stamped on receipt),
 * From, Call-ID and CSeq are copied; To gets the tag when it has none; a
 * Timestamp is copied for 100 only (§8.2.6.1). Header names are written in
 * their canonical long form.
 */
import type { HeaderField, SipRequest } from './message/index.ts';

const COPIED: Readonly<Record<string, string>> = { via: 'Via', from: 'From', 'call-id': 'Call-ID', cseq: 'CSeq' };

/**
 * `extra` is header fields written after the copied ones, as given (name
 * spelled as it should appear). Content-Length: 0 ends the message: these
 * answers have no body.
 */
export function statelessReplyBytes(req: SipRequest, status: number, reason: string, toTag: string | undefined, extra: readonly HeaderField[]): Buffer {
  let out = `SIP/2.0 ${status} ${reason}\r\n`;
  let toDone = false;
  for (const h of req.headers) {
    const name = COPIED[h.name];
    if (name !== undefined) out += `${name}: ${h.value}\r\n`;
    else if (h.name === 'to' && !toDone) {
      // Only the first To is echoed (a duplicate is a malformed request the edge answers elsewhere).
      toDone = true;
      out += status > 100 && toTag !== undefined && req.to.tag === undefined ? `To: ${h.value};tag=${toTag}\r\n` : `To: ${h.value}\r\n`;
    } else if (h.name === 'timestamp' && status === 100) out += `Timestamp: ${h.value}\r\n`;
  }
  for (const h of extra) out += `${h.name}: ${h.value}\r\n`;
  out += 'Content-Length: 0\r\n\r\n';
  return Buffer.from(out, 'utf8');
}
