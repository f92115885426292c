/**
 * Stream framing for SIP over TCP/TLS (RFC 3261 §18.3, RFC 5626 §3.5.1).
 *
 * Owns: cutting a byte stream into whole messages. Leading CRLFs between
 * messages are keep-alives (a double CRLF is a "ping" that the transport
 * answers with a single CRLF "pong"); the header block ends at the first
 * CRLFCRLF; the body length comes from Content-Length, which is mandatory on
 * streams (§18.3 / §20.14). Anything that makes the length unknowable is a
 * framing error: the stream cannot be resynchronised, so the caller closes
 * the connection (after a 400 when it can build one).
 *
 * Leaves out: parsing (parse.ts does that on each framed message), and the
 * datagram rules (a UDP datagram is already one message).
 */

export type FramerErrorCode =
  | 'SIP_FRAME_NO_CONTENT_LENGTH'
  | 'SIP_FRAME_BAD_CONTENT_LENGTH'
  | 'SIP_FRAME_TOO_LARGE';

export const FRAMER_ERROR_CODES: readonly FramerErrorCode[] = [
  'SIP_FRAME_NO_CONTENT_LENGTH',
  'SIP_FRAME_BAD_CONTENT_LENGTH',
  'SIP_FRAME_TOO_LARGE',
];

export type FramerOutput =
  | { readonly kind: 'message'; readonly bytes: Buffer }
  /** ping: a double CRLF that asks for a CRLF pong (RFC 5626 §3.5.1). */
  | { readonly kind: 'keepalive'; readonly ping: boolean }
  /** headerBytes: the complete header block when one was found, so the caller can answer 400. */
  | { readonly kind: 'error'; readonly code: FramerErrorCode; readonly detail: string; readonly headerBytes: Buffer | undefined };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CR = 0x0d;
const LF = 0x0a;

/**
 * Finds the Content-Length of a header block (long or compact form `l`,
 * case-insensitive, folded continuation lines ignored). Returns a number,
 * 'missing', or 'bad' (negative, non-numeric, overlarge, or several values
 * that disagree — RFC 4475 §3.1.2.3 ncl, §3.3.9 mcl01).
 */
export function findContentLength(head: string): number | 'missing' | 'bad' {
  let found: number | undefined;
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    // A value may be folded onto the next line (§7.3.1); join continuations.
    let value = line.slice(colon + 1);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1] ?? '')) value += ' ' + (lines[++i] ?? '');
    const v = value.trim();
    if (!/^\d{1,10}$/.test(v)) return 'bad';
    const n = Number(v);
    if (found !== undefined && found !== n) return 'bad';
    found = n;
  }
  return found ?? 'missing';
}

export interface StreamFramerOptions {
  /** Cap on one message (headers + body), and so on the buffered bytes. */
  readonly maxMessageBytes: number;
}

/**
 * Incremental framer for one connection. push() returns what became
 * complete; after an 'error' the framer is dead (the caller closes the
 * connection) and further pushes return nothing.
 */
export class StreamFramer {
  readonly #max: number;
  #buf: Buffer = Buffer.alloc(0);
  /** Where to resume the CRLFCRLF search (avoids rescanning on every push). */
  #scanFrom = 0;
  #dead = false;

  constructor(opts: StreamFramerOptions) {
    this.#max = opts.maxMessageBytes;
  }

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#buf.length;
  }

  get dead(): boolean {
    return this.#dead;
  }

  push(chunk: Buffer): FramerOutput[] {
    if (this.#dead) return [];
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: FramerOutput[] = [];
    for (;;) {
      // Keep-alives between messages (RFC 5626 §3.5.1).
      const buf = this.#buf;
      if (buf.length >= 1 && buf[0] === CR) {
        if (buf.length < 2) break;
        if (buf[1] !== LF) {
          // A lone CR cannot start a message; let the header search fail on it.
        } else if (buf.length >= 4 && buf[2] === CR && buf[3] === LF) {
          out.push({ kind: 'keepalive', ping: true });
          this.#consume(4);
          continue;
        } else if (buf.length === 2 || (buf.length === 3 && buf[2] === CR)) {
          break; // may still become a ping
        } else {
          out.push({ kind: 'keepalive', ping: false });
          this.#consume(2);
          continue;
        }
      }
      if (buf.length === 0) break;
      const end = buf.indexOf(CRLFCRLF, Math.max(0, this.#scanFrom - 3));
      if (end < 0) {
        this.#scanFrom = buf.length;
        if (buf.length > this.#max) return this.#fail(out, 'SIP_FRAME_TOO_LARGE', `no end of headers within ${this.#max} bytes`, undefined);
        break;
      }
      const headLen = end + 4;
      const head = buf.subarray(0, headLen);
      const cl = findContentLength(head.toString('latin1'));
      if (cl === 'missing') return this.#fail(out, 'SIP_FRAME_NO_CONTENT_LENGTH', 'Content-Length is mandatory on stream transports', head);
      if (cl === 'bad') return this.#fail(out, 'SIP_FRAME_BAD_CONTENT_LENGTH', 'negative, non-numeric or conflicting Content-Length', head);
      const total = headLen + cl;
      if (total > this.#max) return this.#fail(out, 'SIP_FRAME_TOO_LARGE', `message of ${total} bytes exceeds ${this.#max}`, head);
      if (buf.length < total) {
        // RFC 4475 clerr: wait for the rest; the idle timeout closes the connection if it never comes.
        this.#scanFrom = end;
        break;
      }
      out.push({ kind: 'message', bytes: Buffer.from(buf.subarray(0, total)) });
      this.#consume(total);
    }
    return out;
  }

  #consume(n: number): void {
    this.#buf = this.#buf.subarray(n);
    this.#scanFrom = 0;
  }

  #fail(out: FramerOutput[], code: FramerErrorCode, detail: string, head: Buffer | undefined): FramerOutput[] {
    out.push({ kind: 'error', code, detail, headerBytes: head === undefined ? undefined : Buffer.from(head) });
    this.#dead = true;
    this.#buf = Buffer.alloc(0);
    return out;
  }
}
