/**
 * serializeSipMessage: SipMessage → bytes (RFC 3261 §7). Writes the start
 * line, the header fields in order with wire capitalisation (`Call-ID`,
 * `CSeq`, `WWW-Authenticate`), a Content-Length that always equals the body
 * length (replacing any given value in place, appending one if absent), the
 * empty line and the body. Header text is written as UTF-8, the encoding the
 * parser reads. Leaves out: compact forms on output and line folding.
 */
import type { SipMessage } from './message-types.ts';
import { wireHeaderName } from './header-names.ts';

export function serializeSipMessage(msg: SipMessage): Buffer {
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  let wroteLength = false;
  const bodyLen = msg.body.length;
  for (const h of msg.headers) {
    if (h.name === 'content-length') {
      if (wroteLength) continue;
      wroteLength = true;
      head += `Content-Length: ${bodyLen}\r\n`;
      continue;
    }
    head += wireHeaderName(h.name) + ': ' + h.value + '\r\n';
  }
  if (!wroteLength) head += `Content-Length: ${bodyLen}\r\n`;
  head += '\r\n';
  const headLen = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLen + bodyLen);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headLen);
  return out;
}
