/**
 * serializeSipMessage: SipMessage → bytes (RFC 3261 §7). Writes the start
 * line, the header fields in order with wire capitalisation (`Call-ID`,
 * `CSeq`, `WWW-Authenticate`), a Content-Length that always equals the body
 * length (replacing any given value in place, appending one if absent), the
 * empty line and the body. Header text is written as UTF-8, the encoding the
 * parser reads. Leaves out: compact forms on output and line folding.
 *
 * Speed: when the parser saw that a message's bytes are already exactly
 * what this function would write (see parse.ts, `canonical`), it remembers
 * them here, and serializing that same message object soon after returns a
 * view of them instead of writing the text again. The memory is a ring of
 * the last WIRE_RING parsed messages, matched by object identity: a copy
 * (`{ ...msg, headers }`, a builder) is a new object and takes the normal
 * path, and at most WIRE_RING messages are kept alive by it. (A WeakMap cost
 * ~3 µs per message in GC work; a non-enumerable symbol property set with
 * Object.defineProperty ~0.4 µs.)
 */
import type { SipMessage } from './message-types.ts';
import { wireHeaderName } from './header-names.ts';

const WIRE_RING = 16;
const ringMessages: (SipMessage | undefined)[] = new Array<SipMessage | undefined>(WIRE_RING).fill(undefined);
const ringBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(WIRE_RING).fill(undefined);
let ringNext = 0;

/**
 * Record that serializeSipMessage(msg) is exactly `bytes` up to the end of
 * msg.body, a view into `bytes` (called by the parser only). Messages are
 * immutable (message-types.ts), so the entry stays true while it lasts.
 */
export function rememberWireForm(msg: SipMessage, bytes: Buffer): void {
  ringMessages[ringNext] = msg;
  ringBytes[ringNext] = bytes;
  ringNext = (ringNext + 1) % WIRE_RING;
}

function wireFormOf(msg: SipMessage): Buffer | undefined {
  for (let k = 0; k < WIRE_RING; k++) if (ringMessages[k] === msg) return ringBytes[k];
  return undefined;
}

/**
 * The returned Buffer may be a view of the received bytes (as a parsed
 * message's body already is): treat it as read-only.
 */
export function serializeSipMessage(msg: SipMessage): Buffer {
  const wire = wireFormOf(msg);
  if (wire !== undefined) {
    // The input buffer up to the end of the body (which is a view into it).
    const body = msg.body;
    return wire.subarray(0, body.byteOffset - wire.byteOffset + body.length);
  }
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  let wroteLength = false;
  const bodyLen = msg.body.length;
  const headers = msg.headers;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h === undefined) continue;
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
