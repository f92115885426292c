import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALAW_TO_ULAW,
  alawToLinear,
  decodeUlawInto,
  encodeAlawInto,
  linearToAlaw,
  linearToUlaw,
  transcodeInPlace,
  ULAW_TO_ALAW,
  ulawToLinear,
} from '../../../src/media/index.ts';

test('G.711 μ-law known vectors: 0xFF and 0x7F are zero, 0x80/0x00 are ±32124', () => {
  assert.equal(ulawToLinear(0xff), 0);
  assert.equal(ulawToLinear(0x7f), 0);
  assert.equal(ulawToLinear(0x80), 32124);
  assert.equal(ulawToLinear(0x00), -32124);
  assert.equal(ulawToLinear(0xf0), 120);
  assert.equal(ulawToLinear(0xef), 132);
  assert.equal(linearToUlaw(0), 0xff);
  assert.equal(linearToUlaw(32767), 0x80);
  assert.equal(linearToUlaw(-32768), 0x00);
  assert.equal(linearToUlaw(1000), 0xce);
});

test('G.711 A-law known vectors: 0xD5/0x55 are ±8, 0xAA/0x2A are ±32256', () => {
  assert.equal(alawToLinear(0xd5), 8);
  assert.equal(alawToLinear(0x55), -8);
  assert.equal(alawToLinear(0xaa), 32256);
  assert.equal(alawToLinear(0x2a), -32256);
  assert.equal(linearToAlaw(0), 0xd5);
  assert.equal(linearToAlaw(-1), 0x55);
  assert.equal(linearToAlaw(32767), 0xaa);
  assert.equal(linearToAlaw(-32768), 0x2a);
  assert.equal(linearToAlaw(1000), 0xfa);
});

test('G.711 transcoding: silence maps to silence both ways', () => {
  assert.equal(ULAW_TO_ALAW[0xff], 0xd5);
  assert.equal(ulawToLinear(ALAW_TO_ULAW[0xd5] ?? 0), 8);
});

test('G.711: buffer helpers and in-place transcoding', () => {
  const pcm = new Int16Array([0, 1000, -1000, 32767]);
  const a = new Uint8Array(4);
  encodeAlawInto(pcm, a);
  assert.deepEqual([...a], [0xd5, 0xfa, 0x7a, 0xaa]);
  const u = new Uint8Array([0xff, 0x80, 0x00, 0x7f]);
  const back = new Int16Array(4);
  decodeUlawInto(u, back);
  assert.deepEqual([...back], [0, 32124, -32124, 0]);
  const buf = Buffer.from([9, 9, 0xff, 0x80, 9]);
  transcodeInPlace(buf, 2, 2, ULAW_TO_ALAW);
  assert.deepEqual([...buf], [9, 9, ULAW_TO_ALAW[0xff], ULAW_TO_ALAW[0x80], 9]);
});
