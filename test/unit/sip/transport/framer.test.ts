import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamFramer, findContentLength, type FramerOutput } from '../../../../src/sip/message/framer.ts';

const msg = (body = '', extra = '') =>
  `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCall-ID: x\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const messages = (outs: FramerOutput[]) => outs.filter((o) => o.kind === 'message').map((o) => (o.kind === 'message' ? o.bytes.toString() : ''));

test('RFC 3261 §18.3: two messages in one segment are framed separately', () => {
  const f = new StreamFramer({ maxMessageBytes: 65535 });
  const a = msg('hello');
  const b = msg();
  assert.deepEqual(messages(f.push(Buffer.from(a + b))), [a, b]);
  assert.equal(f.buffered, 0);
});

test('RFC 3261 §18.3: a message split across segments is delivered once complete', () => {
  const f = new StreamFramer({ maxMessageBytes: 65535 });
  const a = msg('v=0\r\n');
  for (let i = 0; i < a.length - 1; i++) assert.deepEqual(f.push(Buffer.from(a[i] ?? '')), []);
  assert.deepEqual(messages(f.push(Buffer.from(a.slice(-1)))), [a]);
});

test('property: any chunking of a message stream yields the same messages', () => {
  const stream = [msg('abc'), '\r\n\r\n', msg(), '\r\n', msg('x'.repeat(300))];
  const whole = Buffer.from(stream.join(''));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: whole.length }), { maxLength: 20 }), (cuts) => {
      const points = [...new Set(cuts)].sort((x, y) => x - y);
      const f = new StreamFramer({ maxMessageBytes: 65535 });
      const got: FramerOutput[] = [];
      let last = 0;
      for (const p of [...points, whole.length]) {
        got.push(...f.push(whole.subarray(last, p)));
        last = p;
      }
      assert.deepEqual(messages(got), [msg('abc'), msg(), msg('x'.repeat(300))]);
      assert.deepEqual(got.filter((o) => o.kind === 'keepalive').map((o) => o.kind === 'keepalive' && o.ping), [true, false]);
    }),
  );
});

test('RFC 5626 §3.5.1: a double CRLF is a ping, a single CRLF a pong', () => {
  const f = new StreamFramer({ maxMessageBytes: 65535 });
  assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), [{ kind: 'keepalive', ping: true }]);
  assert.deepEqual(f.push(Buffer.from('\r\n')), []); // could still become a ping
  const a = msg();
  const out = f.push(Buffer.from(a));
  assert.deepEqual(out[0], { kind: 'keepalive', ping: false });
  assert.deepEqual(messages(out), [a]);
});

test('RFC 3261 §18.3: a missing Content-Length on a stream is a framing error carrying the header block', () => {
  const f = new StreamFramer({ maxMessageBytes: 65535 });
  const out = f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n'));
  assert.equal(out.length, 1);
  const e = out[0];
  assert.ok(e !== undefined && e.kind === 'error');
  assert.equal(e.code, 'SIP_FRAME_NO_CONTENT_LENGTH');
  assert.ok(e.headerBytes?.toString().startsWith('OPTIONS'));
  assert.ok(f.dead);
  assert.deepEqual(f.push(Buffer.from(msg())), []);
});

test('RFC 4475 ncl/mcl01: negative or conflicting Content-Length is a framing error', () => {
  for (const extra of ['Content-Length: -999\r\n', 'l: 5\r\n']) {
    const f = new StreamFramer({ maxMessageBytes: 65535 });
    const out = f.push(Buffer.from(msg('', extra)));
    assert.equal(out[0]?.kind === 'error' && out[0].code, 'SIP_FRAME_BAD_CONTENT_LENGTH', extra);
  }
});

test('RFC 4475 clerr: Content-Length larger than the data waits for more octets', () => {
  const f = new StreamFramer({ maxMessageBytes: 65535 });
  const m = msg('abc').replace('Content-Length: 3', 'Content-Length: 9999');
  assert.deepEqual(f.push(Buffer.from(m)), []);
  assert.ok(f.buffered > 0);
});

test('buffer cap: headers that never end, or a body over the cap, are errors', () => {
  const f = new StreamFramer({ maxMessageBytes: 1000 });
  assert.deepEqual(f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n')), []);
  const out = f.push(Buffer.from('X-Pad: ' + 'a'.repeat(2000)));
  assert.equal(out[0]?.kind === 'error' && out[0].code, 'SIP_FRAME_TOO_LARGE');
  const g = new StreamFramer({ maxMessageBytes: 1000 });
  const big = g.push(Buffer.from(msg('').replace('Content-Length: 0', 'Content-Length: 5000')));
  assert.equal(big[0]?.kind === 'error' && big[0].code, 'SIP_FRAME_TOO_LARGE');
});

test('findContentLength: compact form, folding and case', () => {
  assert.equal(findContentLength('X\r\nl: 12\r\n\r\n'), 12);
  assert.equal(findContentLength('X\r\ncontent-LENGTH:\r\n  7\r\n\r\n'), 7);
  assert.equal(findContentLength('X\r\nContent-Type: a\r\n\r\n'), 'missing');
  assert.equal(findContentLength('X\r\nContent-Length: 1e3\r\n\r\n'), 'bad');
});

test('property: the framer never throws on random bytes and never buffers past the cap', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 10 }), (chunks) => {
      const f = new StreamFramer({ maxMessageBytes: 512 });
      for (const c of chunks) {
        f.push(Buffer.from(c));
        assert.ok(f.buffered <= 512 + 400);
      }
    }),
  );
});
