/**
 * serialize.ts reuses the received bytes of a parsed message when the parser
 * found them canonical (parse.ts `canonical`). This checks that the shortcut
 * is invisible: for canonical inputs and for inputs mutated in every way that
 * makes them non-canonical (case, compact names, spacing, folding, bare LF,
 * leading CRLF, trailing bytes, Content-Length forms, versions, non-ASCII),
 * serializing the parsed message gives exactly the bytes the normal writer
 * gives for a copy of it (a copy is never cached).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS, type SipMessage } from '../../src/sip/message/index.ts';
import { fixtures, INVITE, REGISTER, RESPONSE, SIP_BASES } from '../helpers/sip-bases.ts';

function sameAsWriter(bytes: Buffer): boolean {
  const r = parseSipMessage(bytes, DEFAULT_SIP_LIMITS);
  if (!r.ok) return false;
  const copy: SipMessage = { ...r.message };
  const fast = serializeSipMessage(r.message);
  const slow = serializeSipMessage(copy);
  assert.ok(fast.equals(slow), `cached form differs:\n${JSON.stringify(fast.toString('latin1'))}\n${JSON.stringify(slow.toString('latin1'))}`);
  // A view of the input itself, not just of the same pooled ArrayBuffer (small Buffers share one).
  return fast.buffer === bytes.buffer && fast.byteOffset === bytes.byteOffset;
}

const BASES = SIP_BASES;

test('canonical inputs are returned as they came (and equal the writer)', () => {
  assert.equal(sameAsWriter(INVITE), true);
  assert.equal(sameAsWriter(REGISTER), true);
  assert.equal(sameAsWriter(RESPONSE), true);
  for (const b of fixtures()) sameAsWriter(b);
});

type Edit = { kind: number; line: number; at: number; pick: number };

/** Line edits that each break one rule of the canonical form (or not, by chance). */
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
  switch (e.kind % 16) {
    case 0: lines[i] = name.toLowerCase() + ':' + value; break;
    case 1: lines[i] = name.toUpperCase() + ':' + value; break;
    case 2: lines[i] = (compact[name.toLowerCase()] ?? name) + ':' + value; break;
    case 3: lines[i] = name + ' :' + value; break;
    case 4: lines[i] = name + ':' + (e.pick % 2 === 0 ? '' : '  ') + value.trimStart(); break;
    case 5: lines[i] = name + ':\t' + value.trimStart(); break;
    case 6: lines[i] = l + ' '; break;
    case 7: lines[i] = name + ':' + value.slice(0, 1 + (e.at % Math.max(1, value.length))) + '\r\n ' + value.slice(1 + (e.at % Math.max(1, value.length))); break;
    case 8: return Buffer.from(lines.join('\r\n').replace('\r\n', '\n') + rest, 'latin1');
    case 9: return Buffer.from('\r\n' + lines.join('\r\n') + rest, 'latin1');
    case 10: rest += 'trailing'; break;
    case 11: lines.splice(i, 0, lines.find((x) => /^content-length/i.test(x)) ?? 'Content-Length: 0'); break;
    case 12: lines[0] = (lines[0] ?? '').replace('SIP/2.0', ['sip/2.0', 'SIP/2.00', 'SIP/2.0 '][e.pick % 3] ?? ''); break;
    case 13: lines[i] = l.replace(/(Content-Length: )/i, '$10'); break;
    case 14: return Buffer.concat([Buffer.from(lines.join('\r\n').slice(0, -1), 'latin1'), Buffer.from([[0xc3, 0xa9], [0xe9], [0xf0, 0x9f, 0x98]][e.pick % 3] ?? []), Buffer.from(lines.join('\r\n').slice(-1) + rest, 'latin1')]);
    case 15: lines.splice(i, 1); break;
  }
  return Buffer.from(lines.join('\r\n') + rest, 'latin1');
}

test('property: the cached wire form always equals the writer, however the input is edited', () => {
  const edit = fc.record({ kind: fc.nat(), line: fc.nat(), at: fc.nat(), pick: fc.nat() });
  fc.assert(
    fc.property(fc.nat(BASES.length - 1), fc.array(edit, { maxLength: 3 }), (k, edits) => {
      let b = BASES[k] ?? INVITE;
      for (const e of edits) b = apply(b, e);
      sameAsWriter(b);
    }),
    { numRuns: 3000 },
  );
});
