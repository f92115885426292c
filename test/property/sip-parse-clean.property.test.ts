/**
 * parseSipMessage runs a fast path for clean messages (parse-clean.ts) and
 * the general parser (parse.ts) for everything else. The fast path must be
 * invisible: whenever it returns a result, that result equals the general
 * parser's, field by field (core fields, header list, body, Request-URI),
 * and the two agree on whether serializing may reuse the received bytes.
 * Checked on the benchmark messages, on the corpus fixtures, and on those
 * inputs edited line-wise (case, compact names, spacing, folding, bare LF,
 * duplicates, limits) and byte-wise (flips, inserts, deletes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS, type SipLimits } from '../../src/sip/message/index.ts';
import { parseClean } from '../../src/sip/message/parse-clean.ts';
import { parseGeneral } from '../../src/sip/message/parse.ts';
import { fixtures, INVITE, REGISTER, RESPONSE, SIP_BASES } from '../helpers/sip-bases.ts';

const BASES = SIP_BASES;

/** True when serializing the parsed message reused the input bytes. */
function reused(bytes: Buffer, r: ReturnType<typeof parseGeneral>): boolean {
  if (!r.ok) return false;
  // Same memory, not just the same pooled ArrayBuffer (small Buffers share one).
  const out = serializeSipMessage(r.message);
  return out.buffer === bytes.buffer && out.byteOffset === bytes.byteOffset;
}

/** Compare the two paths on one input; returns whether the fast path answered. */
function same(bytes: Buffer, limits: SipLimits = DEFAULT_SIP_LIMITS): boolean {
  const fast = parseClean(bytes, limits);
  if (fast === undefined) return false;
  const fastReused = reused(bytes, fast);
  const general = parseGeneral(bytes, limits);
  assert.deepEqual(fast, general, `paths differ on ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  assert.equal(fastReused, reused(bytes, general), 'paths differ on reusing the wire form');
  return true;
}

test('the benchmark messages and a built response take the fast path and equal the general parser', () => {
  assert.equal(same(INVITE), true);
  assert.equal(same(REGISTER), true);
  assert.equal(same(RESPONSE), true);
  assert.equal(reused(INVITE, parseSipMessage(INVITE)), true);
});

/** The bench INVITE with another body (Content-Length adjusted). */
function inviteWithBody(body: Buffer): Buffer {
  const text = INVITE.toString('latin1');
  const cut = text.indexOf('\r\n\r\n');
  const head = text.slice(0, cut).replace(/Content-Length: \d+/, `Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(head + '\r\n\r\n', 'latin1'), body]);
}

test('a large message and a message with a non-ASCII body take the fast path and equal the general parser', () => {
  const sdp = INVITE.subarray(INVITE.indexOf('\r\n\r\n') + 4);
  const large = inviteWithBody(Buffer.concat(Array.from({ length: 12 }, () => sdp)));
  assert.ok(large.length > 2048);
  assert.equal(same(large), true);
  assert.equal(same(inviteWithBody(Buffer.from('s=Caf\u00e9 \u2603\r\n', 'utf8'))), true);
  assert.equal(same(inviteWithBody(Buffer.from([0, 1, 0xff, 0xfe, 0x0d, 0x0a]))), true);
  // Non-ASCII in the header section: the general parser (UTF-8) answers.
  const utf8From = Buffer.from(INVITE.toString('latin1').replace('"Alice Liddell"', '"Al\u00efce"'), 'utf8');
  assert.equal(parseClean(utf8From, DEFAULT_SIP_LIMITS), undefined);
  assert.equal(parseSipMessage(utf8From).ok, true);
});

test('every corpus fixture: the fast path, when it answers, equals the general parser', () => {
  let answered = 0;
  for (const b of fixtures()) if (same(b)) answered++;
  assert.ok(answered > 0, 'no fixture took the fast path');
});

test('limits: the fast path declines what the general parser refuses', () => {
  const tight: SipLimits[] = [
    { ...DEFAULT_SIP_LIMITS, maxHeaders: 5 },
    { ...DEFAULT_SIP_LIMITS, maxLineLength: 40 },
    { ...DEFAULT_SIP_LIMITS, maxUriLength: 10 },
    { ...DEFAULT_SIP_LIMITS, maxMessageBytes: 600 },
  ];
  for (const limits of tight) {
    assert.equal(parseClean(INVITE, limits), undefined);
    assert.equal(parseSipMessage(INVITE, limits).ok, false);
  }
});

type Edit = { kind: number; line: number; at: number; pick: number };
const FIELD_PIECES = ['A', 'Z', '%41', '%', ' ', '\t', ';', ';;', '=', ';x', ';x=', ';X=y', ';tag=', ';branch=a"b', ';rport=99999', ';rport=x', ';maddr', ':', ':0', ':65536', '@', '@@', '"', '\\', '<', '>', ',', '?', '?a=b', '[::1]', 'sips:', 'SIP:', 'tel:', 'udp', 'SCTP', '0', '00', '99999999999', ' INVITE', 'x-y'];
const ALPHABET = 'INVITE sip:@;<>"\\,:/=\r\n \t[]%0123456789SIP/2.0\u00e9\u0000';

/** Line and byte edits: each may break one rule of the clean form, or not. */
function apply(b: Buffer, e: Edit): Buffer {
  const text = b.toString('latin1');
  const cut = text.indexOf('\r\n\r\n');
  if (cut < 0) return b;
  const lines = text.slice(0, cut).split('\r\n');
  let rest = text.slice(cut);
  const i = 1 + (e.line % Math.max(1, lines.length - 1));
  const l = lines[i] ?? '';
  const colon = l.indexOf(':');
  const name = colon < 0 ? l : l.slice(0, colon);
  const value = colon < 0 ? '' : l.slice(colon + 1);
  const compact: Record<string, string> = { via: 'v', from: 'f', to: 't', 'call-id': 'i', contact: 'm', 'content-length': 'l', 'content-type': 'c', supported: 'k' };
  const at = (n: number) => e.at % Math.max(1, n);
  switch (e.kind % 22) {
    case 0: lines[i] = name.toLowerCase() + ':' + value; break;
    case 1: lines[i] = name.toUpperCase() + ':' + value; break;
    case 2: lines[i] = (compact[name.toLowerCase()] ?? name) + ':' + value; break;
    case 3: lines[i] = name + ' :' + value; break;
    case 4: lines[i] = name + ':' + (e.pick % 2 === 0 ? '' : '  ') + value.trimStart(); break;
    case 5: lines[i] = name + ':\t' + value.trimStart(); break;
    case 6: lines[i] = l + (e.pick % 2 === 0 ? ' ' : '\t'); break;
    case 7: lines[i] = name + ':' + value.slice(0, 1 + at(value.length)) + '\r\n ' + value.slice(1 + at(value.length)); break;
    case 8: return Buffer.from(lines.join('\r\n').replace('\r\n', '\n') + rest, 'latin1');
    case 9: return Buffer.from('\r\n' + lines.join('\r\n') + rest, 'latin1');
    case 10: rest += 'trailing'; break;
    case 11: lines.splice(i, 0, lines[i] ?? ''); break; // duplicate a line
    case 12: lines[0] = (lines[0] ?? '').replace('SIP/2.0', ['sip/2.0', 'SIP/2.00', 'SIP/2.0 ', 'SIP/3.0'][e.pick % 4] ?? ''); break;
    case 13: lines[i] = l.replace(/(Content-Length: )/i, '$10'); break;
    case 14: lines.splice(i, 1); break;
    case 15: lines[i] = 'X-' + ['Extra', 'extra', 'EXTRA', 'Call-Id'][e.pick % 4] + ': ' + value; break;
    case 16: return mutateBytes(b, e, (x, p) => { x[p] = e.pick % 256; return x; });
    case 17: return mutateBytes(b, e, (x, p) => Buffer.concat([x.subarray(0, p), Buffer.from(ALPHABET.charAt(e.pick % ALPHABET.length), 'latin1'), x.subarray(p)]));
    case 18: return mutateBytes(b, e, (x, p) => Buffer.concat([x.subarray(0, p), x.subarray(p + 1 + (e.pick % 4))]));
    case 20: // edit inside a core field value (Via, From, To, CSeq, Request-URI), where the byte readers work
    case 21: {
      const core = lines.map((x, n) => (/^(via|from|to|cseq|v|f|t):/i.test(x) || n === 0 ? n : -1)).filter((n) => n >= 0);
      const n = core[e.line % core.length] ?? 0;
      const x = lines[n] ?? '';
      const p = Math.min(x.length, (x.indexOf(n === 0 ? ' ' : ':') + 1) + at(Math.max(1, x.length)));
      const piece = FIELD_PIECES[e.pick % FIELD_PIECES.length] ?? '';
      lines[n] = x.slice(0, p) + piece + x.slice(e.kind % 2 === 0 ? p : Math.min(x.length, p + 1));
      break;
    }
    case 19: lines[0] = (lines[0] ?? '').replace(/ (\S+) /, (_m, u: string) => ` ${u.slice(0, at(u.length))}${['%41', 'X', ';lr', '?h=1', ''][e.pick % 5] ?? ''}${u.slice(at(u.length))} `); break;
  }
  return Buffer.from(lines.join('\r\n') + rest, 'latin1');
}

function mutateBytes(b: Buffer, e: Edit, f: (x: Buffer, p: number) => Buffer): Buffer {
  if (b.length === 0) return b;
  return f(Buffer.from(b), e.at % b.length);
}

test('property: on edited inputs the fast path either declines or equals the general parser', () => {
  const edit = fc.record({ kind: fc.nat(), line: fc.nat(), at: fc.nat(), pick: fc.nat() });
  let answered = 0;
  fc.assert(
    fc.property(fc.nat(BASES.length - 1), fc.array(edit, { maxLength: 3 }), (k, edits) => {
      let b = BASES[k] ?? INVITE;
      for (const e of edits) b = apply(b, e);
      if (same(b)) answered++;
      // parseSipMessage never throws and agrees with the general parser on success/failure.
      assert.equal(parseSipMessage(b).ok, parseGeneral(b, DEFAULT_SIP_LIMITS).ok);
    }),
    { numRuns: 4000 },
  );
  // The comparison means something only if edited inputs do take the fast path.
  assert.ok(answered > 400, `only ${answered} of 4000 edited inputs took the fast path`);
});
