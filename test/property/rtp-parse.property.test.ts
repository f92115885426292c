import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTelephoneEvent, parseRtcp, RtpView, TelephoneEventTracker, writeRtpHeader } from '../../src/rtp/index.ts';

const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 });

test('RTP view never throws on arbitrary bytes; an ok result has bounds inside the buffer', () => {
  const v = new RtpView();
  fc.assert(
    fc.property(bytes, fc.integer({ min: 0, max: 400 }), (u, len) => {
      const b = Buffer.from(u);
      const code = v.reset(b, len);
      if (code === 'ok') {
        assert.ok(v.payloadOffset >= 12);
        assert.ok(v.payloadLength >= 0);
        assert.ok(v.payloadOffset + v.payloadLength + v.paddingLength <= b.length);
      }
    }),
    { numRuns: 5000 },
  );
});

test('RTP view never throws on mutated valid packets (first byte forced to version 2)', () => {
  const v = new RtpView();
  fc.assert(
    fc.property(bytes, fc.integer({ min: 0, max: 255 }), (u, b0) => {
      const b = Buffer.alloc(12 + u.length);
      writeRtpHeader(b, 0, { payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3 });
      Buffer.from(u).copy(b, 12);
      b[0] = 0x80 | (b0 & 0x3f);
      const code = v.reset(b);
      if (code === 'ok') assert.ok(v.payloadOffset + v.payloadLength + v.paddingLength === b.length);
    }),
    { numRuns: 5000 },
  );
});

test('RTCP parser never throws on arbitrary bytes, nor on bytes with a valid first header', () => {
  fc.assert(
    fc.property(bytes, fc.integer({ min: 200, max: 204 }), fc.integer({ min: 0, max: 31 }), (u, pt, rc) => {
      const b = Buffer.from(u);
      parseRtcp(b);
      if (b.length >= 4) {
        b[0] = 0x80 | rc;
        b[1] = pt;
        b.writeUInt16BE(Math.max(0, Math.floor(b.length / 4) - 1), 2);
        const r = parseRtcp(b);
        assert.equal(typeof r.ok, 'boolean');
      }
    }),
    { numRuns: 5000 },
  );
});

test('RFC 4733 decode and tracker never throw on arbitrary payloads', () => {
  const t = new TelephoneEventTracker();
  fc.assert(
    fc.property(bytes, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 10 }), (u, ts, off) => {
      const b = Buffer.from(u);
      decodeTelephoneEvent(b, off, b.length - off);
      const e = t.push(ts, b, off, b.length - off);
      assert.ok(e >= -1 && e <= 255);
    }),
    { numRuns: 3000 },
  );
});
