/**
 * Stateless responses built at the edge (STYLE G5, RFC 3261 §8.2.6 and
 * §8.2.2): for requests the transaction layer never sees — bad requests,
 * parse failures with a readable Via, and new requests during a drain.
 *
 * Works on raw header fields so it can answer a request the parser only
 * partly read: it copies every Via, From, To, Call-ID and CSeq field present
 * (§8.2.6.2), stamps the top Via (RFC 3581), and adds a To tag when there is
 * none. The tag is a hash of the request identity, so a retransmitted bad
 * request gets a byte-identical answer without any state.
 * Leaves out: bodies (edge responses never carry one).
 */
import { createHash } from 'node:crypto';
import type { HeaderField, Via } from '../message/message-types.ts';
import type { Flow } from './transport-types.ts';
import { splitHeaderValues, stampViaText } from './flow.ts';

const CANONICAL: Readonly<Record<string, string>> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
};

export interface EdgeResponseInput {
  readonly status: number;
  readonly reason: string;
  /** Header fields of the request (canonical lower-case names), as far as they were read. */
  readonly headers: readonly HeaderField[];
  /** Parsed top Via, when known: used to stamp received/rport. */
  readonly via: Via | undefined;
  readonly flow: Flow;
  readonly extraHeaders?: readonly HeaderField[];
}

/** Reason phrases must stay on one line and printable (§25.1 Reason-Phrase). */
function cleanReason(r: string): string {
  return r.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 120);
}

export function buildEdgeResponse(input: EdgeResponseInput): Buffer {
  const lines: string[] = [`SIP/2.0 ${input.status} ${cleanReason(input.reason)}`];
  let firstVia = true;
  let toHasTag = false;
  let toLine: string | undefined;
  const identity: string[] = [];
  for (const h of input.headers) {
    const name = CANONICAL[h.name];
    if (name === undefined) continue;
    let value = h.value.replace(/\r?\n[ \t]*/g, ' ');
    if (h.name === 'via' && firstVia) {
      firstVia = false;
      const values = splitHeaderValues(value);
      const top = values[0];
      if (top !== undefined && input.via !== undefined) {
        const stamped = stampViaText(top, input.via, input.flow);
        if (stamped !== undefined) values[0] = stamped;
      }
      value = values.join(', ');
    }
    if (h.name === 'to') {
      // Only the first To is copied; a duplicate (RFC 4475 multi01) is not echoed.
      if (toLine !== undefined) continue;
      toHasTag = /;\s*tag\s*=/i.test(value.replace(/<[^>]*>/g, ''));
      toLine = value;
      identity.push(value);
      lines.push(`To: ${value}`);
      continue;
    }
    if (h.name !== 'via') identity.push(value);
    lines.push(`${name}: ${value}`);
  }
  if (toLine !== undefined && !toHasTag && input.status > 100) {
    const tag = createHash('sha1').update(identity.join('\n')).digest('hex').slice(0, 16);
    const i = lines.findIndex((l) => l.startsWith('To: '));
    lines[i] = `To: ${toLine};tag=${tag}`;
  }
  for (const h of input.extraHeaders ?? []) lines.push(`${h.name}: ${h.value}`);
  lines.push('Content-Length: 0', '', '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
