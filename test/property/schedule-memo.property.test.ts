/**
 * isOpen memoises per schedule and UTC minute (src/dialplan/schedule.ts); the
 * memo must never change an answer: whatever was asked before in the same
 * minute, isOpen equals the unmemoised evaluateOpen, around DST changes and for
 * historical offsets with seconds (Amsterdam before 1937 was UTC+00:19:32).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Schedule } from '../../src/dialplan/index.ts';
import { evaluateOpen, isOpen, parseTimeRange } from '../../src/dialplan/schedule.ts';

const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata', 'UTC'];
const range = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1439 }))
  .map(([a, len]) => {
    const b = (a + len) % 1440;
    const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    return parseTimeRange(`${hm(a)}-${hm(b)}`);
  })
  .filter((r) => r !== null);
const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  id: fc.constant('s'),
  zone: fc.constantFrom(...ZONES),
  week: fc.array(fc.array(range, { maxLength: 2 }), { minLength: 7, maxLength: 7 }),
  holidays: fc.array(fc.record({ kind: fc.constant('yearly' as const), name: fc.constant('h'), monthDay: fc.integer({ min: 101, max: 1228 }).filter((n) => n % 100 >= 1 && n % 100 <= 28), hours: fc.constant(null) }), { maxLength: 2 }),
});
const DST = ['2026-03-29T01:00Z', '2026-10-25T01:00Z', '2026-03-08T07:00Z', '2026-11-01T06:00Z'].map(Date.parse);
const instantArb = fc.oneof(
  fc.integer({ min: Date.parse('2025-01-01T00:00Z'), max: Date.parse('2027-12-31T00:00Z') }),
  fc.integer({ min: Date.parse('1900-01-01T00:00Z'), max: Date.parse('1936-12-31T00:00Z') }),
  fc.tuple(fc.constantFrom(...DST), fc.integer({ min: -7_200_000, max: 7_200_000 })).map(([t, d]) => t + d),
);

test('isOpen after earlier questions in the same minute equals the unmemoised evaluation', () => {
  fc.assert(fc.property(scheduleArb, instantArb, fc.array(fc.integer({ min: 0, max: 59_999 }), { minLength: 1, maxLength: 4 }), (s, t, others) => {
    const minute = Math.floor(t / 60_000) * 60_000;
    for (const o of others) isOpen(s, minute + o);
    assert.deepEqual(isOpen(s, t), evaluateOpen(s, t), `${s.zone} at ${new Date(t).toISOString()}`);
    assert.deepEqual(isOpen(s, t, 'closed'), evaluateOpen(s, t, 'closed'));
  }), { numRuns: 1500 });
});

test('every minute around DST changes, asked at two seconds of each minute, equals the unmemoised evaluation', () => {
  const s: Schedule = { id: 's', zone: '', week: Array.from({ length: 7 }, () => [parseTimeRange('01:30-02:30'), parseTimeRange('22:00-02:15')].filter((r) => r !== null)), holidays: [] };
  for (const zone of ['Europe/Amsterdam', 'America/New_York']) {
    const sched = { ...s, zone };
    for (const t0 of DST) {
      for (let t = t0 - 3 * 3_600_000; t < t0 + 3 * 3_600_000; t += 60_000) {
        isOpen(sched, t + 59_000);
        assert.deepEqual(isOpen(sched, t + 1_000), evaluateOpen(sched, t + 1_000), `${zone} at ${new Date(t).toISOString()}`);
      }
    }
  }
});
