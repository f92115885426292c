import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpView, writeRtpHeader } from '../../../src/rtp/index.ts';

function packet(extra: Partial<{ b0: number; payload: number[]; tail: number[] }> = {}): Buffer {
  const b = Buffer.alloc(12);
  writeRtpHeader(b, 0, { payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, marker: true });
  if (extra.b0 !== undefined) b[0] = extra.b0;
  return Buffer.concat([b, Buffer.from(extra.payload ?? [1, 2, 3, 4]), Buffer.from(extra.tail ?? [])]);
}

test('RTP view: a valid RFC 3550 §5.1 header exposes its fields and payload bounds', () => {
  const v = new RtpView();
  assert.equal(v.reset(packet()), 'ok');
  assert.equal(v.payloadType, 0);
  assert.equal(v.marker, true);
  assert.equal(v.sequenceNumber, 0x1234);
  assert.equal(v.timestamp, 0xdeadbeef);
  assert.equal(v.ssrc, 0x01020304);
  assert.equal(v.payloadOffset, 12);
  assert.equal(v.payloadLength, 4);
});

test('RTP view: fields are rewritten in place without touching the others', () => {
  const b = packet();
  const v = new RtpView();
  v.reset(b);
  v.payloadType = 8;
  v.sequenceNumber = 0x10001;
  v.timestamp = -1;
  v.marker = false;
  assert.equal(b[1], 8);
  assert.equal(v.sequenceNumber, 1);
  assert.equal(v.timestamp, 0xffffffff);
  assert.equal(v.ssrc, 0x01020304);
  v.ssrc = 7;
  assert.equal(b.readUInt32BE(8), 7);
});

test('RTP view: shorter than the fixed header is RTP_TOO_SHORT', () => {
  assert.equal(new RtpView().reset(Buffer.alloc(11, 0x80)), 'RTP_TOO_SHORT');
});

test('RTP view: version other than 2 is RTP_BAD_VERSION', () => {
  assert.equal(new RtpView().reset(packet({ b0: 0x40 })), 'RTP_BAD_VERSION');
});

test('RTP view: CSRC count beyond the buffer is RTP_CSRC_OVERRUN', () => {
  assert.equal(new RtpView().reset(packet({ b0: 0x82, payload: [0, 0, 0, 0] })), 'RTP_CSRC_OVERRUN');
  const v = new RtpView();
  assert.equal(v.reset(packet({ b0: 0x81, payload: [0, 0, 0, 9, 5] })), 'ok');
  assert.equal(v.payloadOffset, 16);
  assert.equal(v.csrcCount, 1);
});

test('RTP view: header extension length is checked (§5.3.1)', () => {
  const v = new RtpView();
  assert.equal(v.reset(packet({ b0: 0x90, payload: [0xbe, 0xde] })), 'RTP_EXTENSION_OVERRUN');
  assert.equal(v.reset(packet({ b0: 0x90, payload: [0xbe, 0xde, 0, 2, 1, 2, 3, 4] })), 'RTP_EXTENSION_OVERRUN');
  assert.equal(v.reset(packet({ b0: 0x90, payload: [0xbe, 0xde, 0, 1, 1, 2, 3, 4, 9, 9] })), 'ok');
  assert.equal(v.payloadOffset, 20);
  assert.equal(v.payloadLength, 2);
});

test('RTP view: padding count of zero or beyond the payload is RTP_BAD_PADDING', () => {
  const v = new RtpView();
  assert.equal(v.reset(packet({ b0: 0xa0, payload: [1, 2, 3, 0] })), 'RTP_BAD_PADDING');
  assert.equal(v.reset(packet({ b0: 0xa0, payload: [1, 2, 3, 9] })), 'RTP_BAD_PADDING');
  assert.equal(v.reset(packet({ b0: 0xa0, payload: [1, 2, 0, 2] })), 'ok');
  assert.equal(v.payloadLength, 2);
  assert.equal(v.paddingLength, 2);
});

test('RTP view: a length argument larger than the buffer is clamped', () => {
  const v = new RtpView();
  assert.equal(v.reset(packet(), 1000), 'ok');
  assert.equal(v.length, 16);
});
