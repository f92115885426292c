/**
 * Property tests for the SIP message layer (STYLE G10 layer 3):
 * (a) parse∘serialize round-trips generated valid messages, and serialize is
 *     byte-stable on the result;
 * (b) the parser is total: it returns a result, never throws, on random
 *     bytes and on mutated valid messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildRequest, buildResponse, parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS, type HeaderField, type SipMessage } from '../../src/sip/message/index.ts';

const alnum = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), minLength: 1, maxLength: 12 });
const tokenChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".split(''));
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 16 });
const host = fc.oneof(
  fc.array(alnum, { minLength: 1, maxLength: 4 }).map((p) => p.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.')),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => `[${g.map((x) => x.toString(16)).join(':')}]`),
);
const port = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined });
const hostport = fc.tuple(host, port).map(([h, p]) => (p === undefined ? h : `${h}:${p}`));
const uri = fc.tuple(fc.constantFrom('sip', 'sips'), fc.option(alnum, { nil: undefined }), hostport, fc.array(alnum, { maxLength: 3 })).map(
  ([s, u, hp, ps]) => `${s}:${u === undefined ? '' : u + '@'}${hp}${ps.map((p) => ';' + p).join('')}`,
);
const displayName = fc.option(
  fc.oneof(
    fc.array(token, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
    fc.string({ maxLength: 12 }).filter((s) => !/[\r\n\0]/.test(s)).map((s) => `"${s.replace(/(["\\])/g, '\\$1')}"`),
  ),
  { nil: undefined },
);
const nameAddr = fc.tuple(displayName, uri, fc.option(token, { nil: undefined })).map(([d, u, t]) => `${d === undefined ? '' : d + ' '}<${u}>${t === undefined ? '' : ';tag=' + t}`);
const via = fc.tuple(fc.constantFrom('UDP', 'TCP', 'TLS'), hostport, token, fc.boolean()).map(([t, hp, b, r]) => `SIP/2.0/${t} ${hp};branch=z9hG4bK${b}${r ? ';rport' : ''}`);
/** Extra header value: printable (incl. UTF-8), no CR/LF/NUL, trimmed. */
const hvalue = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\u0000-\u001f\u007f]/g, 'x').trim());
const extra = fc.array(fc.tuple(token, hvalue).map(([n, v]): HeaderField => ({ name: `x-${n.toLowerCase()}`, value: v })), { maxLength: 6 });
const method = fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO'), token);
const body = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));

function core(vias: string[], from: string, to: string, callId: string, seq: number, m: string): HeaderField[] {
  return [
    ...vias.map((v) => ({ name: 'via', value: v })),
    { name: 'from', value: from },
    { name: 'to', value: to },
    { name: 'call-id', value: callId },
    { name: 'cseq', value: `${seq} ${m}` },
  ];
}

const common = fc.record({
  vias: fc.array(via, { minLength: 1, maxLength: 3 }),
  from: nameAddr,
  to: nameAddr,
  callId: fc.tuple(token, fc.option(alnum, { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a}@${b}`)),
  seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  extra,
  body,
  maxForwards: fc.integer({ min: 0, max: 255 }),
});

const request = fc.tuple(common, method, uri).map(([c, m, u]) =>
  buildRequest({ method: m, uri: u, headers: [...core(c.vias, c.from, c.to, c.callId, c.seq, m), { name: 'max-forwards', value: String(c.maxForwards) }, ...c.extra], body: c.body }),
);
const response = fc.tuple(common, fc.integer({ min: 100, max: 699 }), fc.string({ maxLength: 20 }).map((s) => s.replace(/[\u0000-\u001f\u007f]/g, 'x')), method).map(
  ([c, status, reason, m]) => buildResponse({ status, reason, headers: [...core(c.vias, c.from, c.to, c.callId, c.seq, m), ...c.extra], body: c.body }),
);
const message: fc.Arbitrary<SipMessage> = fc.oneof(request, response);

test('property: parse(serialize(m)) equals m and serialize is byte-stable', () => {
  fc.assert(
    fc.property(message, (m) => {
      const bytes = serializeSipMessage(m);
      const r = parseSipMessage(bytes, DEFAULT_SIP_LIMITS);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}\n${bytes.toString()}`);
      assert.deepStrictEqual(r.message, m);
      assert.ok(serializeSipMessage(r.message).equals(bytes));
    }),
    { numRuns: 1500 },
  );
});

function total(bytes: Buffer): void {
  const r = parseSipMessage(bytes, DEFAULT_SIP_LIMITS);
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) assert.equal(typeof r.error.code, 'string');
}

test('property: the parser never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (a) => total(Buffer.from(a))), { numRuns: 4000 });
  // Bytes drawn from the SIP alphabet reach deeper into the parser.
  const sipish = fc.array(fc.constantFrom(...'INVITE sip:@;<>"\\,:/=\r\n \t[]0123456789SIP/2.0Via:From:To:Call-ID:CSeq:Content-Length:'.split('')), { maxLength: 400 });
  fc.assert(fc.property(sipish, (cs) => total(Buffer.from(cs.join(''), 'latin1'))), { numRuns: 4000 });
});

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'dupline'; line: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('dupline' as const), line: fc.nat() }),
);

function mutate(b: Buffer, m: Mutation): Buffer {
  if (b.length === 0) return b;
  switch (m.kind) {
    case 'flip': {
      const c = Buffer.from(b);
      c[m.at % c.length] = m.value;
      return c;
    }
    case 'truncate':
      return b.subarray(0, m.at % b.length);
    case 'insert': {
      const at = m.at % b.length;
      return Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    }
    case 'dupline': {
      const lines = b.toString('latin1').split('\r\n');
      const i = m.line % lines.length;
      lines.splice(i, 0, lines[i] ?? '');
      return Buffer.from(lines.join('\r\n'), 'latin1');
    }
  }
}

test('property: the parser never throws on mutated valid messages', () => {
  fc.assert(
    fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, ms) => {
      let b = serializeSipMessage(m);
      for (const x of ms) b = mutate(b, x);
      total(b);
    }),
    { numRuns: 4000 },
  );
});
