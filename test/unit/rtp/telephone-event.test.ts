import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTelephoneEvent, digitToEvent, encodeTelephoneEvent, eventToDigit, TelephoneEventTracker } from '../../../src/rtp/index.ts';

test('RFC 4733 §2.3: encode then decode gives event, E bit, volume and duration back', () => {
  const b = Buffer.alloc(4);
  encodeTelephoneEvent(b, 0, { event: 11, end: true, volume: 10, duration: 1280 });
  assert.deepEqual([...b], [11, 0x8a, 0x05, 0x00]);
  const r = decodeTelephoneEvent(b, 0, 4);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { event: 11, end: true, volume: 10, duration: 1280 });
});

test('RFC 4733: a payload shorter than 4 bytes is RTP_EVENT_TOO_SHORT', () => {
  const r = decodeTelephoneEvent(Buffer.alloc(3), 0, 3);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error, 'RTP_EVENT_TOO_SHORT');
});

test('digits map to event codes 0-16 (RFC 4733 §3.2)', () => {
  assert.equal(eventToDigit(10), '*');
  assert.equal(eventToDigit(11), '#');
  assert.equal(eventToDigit(15), 'D');
  assert.equal(eventToDigit(200), undefined);
  assert.equal(digitToEvent('#'), 11);
  assert.equal(digitToEvent('a'), 12);
  assert.equal(digitToEvent('x'), undefined);
});

function ev(event: number, end: boolean, duration: number): Buffer {
  const b = Buffer.alloc(4);
  encodeTelephoneEvent(b, 0, { event, end, volume: 10, duration });
  return b;
}

test('tracker: one report per event despite updates and the three end retransmissions (§2.5.1.4)', () => {
  const t = new TelephoneEventTracker();
  const out: number[] = [];
  const push = (ts: number, b: Buffer) => {
    const e = t.push(ts, b, 0, 4);
    if (e >= 0) out.push(e);
  };
  push(1000, ev(5, false, 160));
  push(1000, ev(5, false, 320));
  push(1000, ev(5, true, 480));
  push(1000, ev(5, true, 480));
  push(1000, ev(5, true, 480));
  push(2000, ev(5, false, 160));
  push(2000, ev(5, true, 320));
  push(3000, ev(1, true, 320));
  assert.deepEqual(out, [5, 5, 1]);
});

test('tracker: a late packet of an older event is ignored; timestamps wrap safely', () => {
  const t = new TelephoneEventTracker();
  assert.equal(t.push(0xffffff00, ev(2, false, 160), 0, 4), 2);
  assert.equal(t.push(100, ev(3, false, 160), 0, 4), 3);
  assert.equal(t.push(0xffffff00, ev(2, true, 320), 0, 4), -1);
});

test('tracker: a lost start packet still yields the digit from the end packet', () => {
  const t = new TelephoneEventTracker();
  assert.equal(t.push(500, ev(9, true, 800), 0, 4), 9);
});
