import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOpen } from '../../../src/dialplan/index.ts';
import { parseTimeRange, parseDate, parseMonthDay, civilDate, localTime } from '../../../src/dialplan/schedule.ts';
import { loadPlan } from './load-fixture.ts';

const desk = loadPlan('good/stockholm-overnight.yaml').schedules.get('desk') ?? assert.fail('desk schedule');
const at = (iso: string) => Date.parse(iso);

test('time ranges: HH:MM-HH:MM, 24:00 as an end, end before start runs overnight, equal ends rejected', () => {
  assert.deepEqual(parseTimeRange('08:30-17:00'), { start: 510, end: 1020 });
  assert.deepEqual(parseTimeRange('13:00-24:00'), { start: 780, end: 1440 });
  assert.deepEqual(parseTimeRange('22:00-06:00'), { start: 1320, end: 1800 });
  for (const bad of ['9-17', '08:00-08:00', '25:00-26:00', '08:60-09:00', '24:30-01:00']) assert.equal(parseTimeRange(bad), null, bad);
});

test('dates: real calendar dates only; MM-DD allows 29 February', () => {
  assert.equal(parseDate('2028-02-29'), 20280229);
  assert.equal(parseDate('2026-02-29'), null);
  assert.equal(parseMonthDay('02-29'), 229);
  assert.equal(parseMonthDay('13-01'), null);
});

test('civil dates and local time agree with Date for the epoch and DST days', () => {
  assert.equal(civilDate(0), 19700101);
  assert.equal(civilDate(-1), 19691231);
  assert.equal(civilDate(20_000), 20241004);
  const t = localTime('Europe/Amsterdam', at('2026-03-29T01:30:00Z')); // 03:30 CEST, just after the spring change
  assert.deepEqual(t, { dayNumber: 20_541, date: 20260329, weekday: 6, minute: 210 });
});

test('an overnight range opens the evening and the next morning (Stockholm)', () => {
  assert.equal(isOpen(desk, at('2026-11-23T22:30:00+01:00')).open, true); // Monday 22:30
  const morning = isOpen(desk, at('2026-11-24T05:30:00+01:00'));      // Tuesday 05:30, from Monday's range
  assert.equal(morning.open, true);
  assert.match(morning.reason, /mon overnight 22:00-06:00/);
  assert.equal(isOpen(desk, at('2026-11-24T06:30:00+01:00')).open, false);
  assert.equal(isOpen(desk, at('2026-11-28T05:30:00+01:00')).open, false); // Saturday morning: Friday has no night range
});

test('holidays: a full day closes, partial hours open early, the night after a holiday has no spill-over', () => {
  const mid = isOpen(desk, at('2026-06-19T10:00:00+02:00'));
  assert.equal(mid.open, false);
  assert.equal(mid.holiday, 'Midsommarafton');
  assert.equal(isOpen(desk, at('2026-12-24T09:00:00+01:00')).open, true);
  const after = isOpen(desk, at('2026-12-24T13:00:00+01:00'));
  assert.equal(after.open, false);
  assert.equal(after.holiday, 'Julafton');
  // 2025-12-31 is a Wednesday (open overnight); 01-01 is a holiday, so the morning is closed.
  assert.equal(isOpen(desk, at('2026-01-01T02:00:00+01:00')).open, false);
});

test('night switch overrides everything and says so', () => {
  const o = isOpen(desk, at('2026-06-19T10:00:00+02:00'), 'open');
  assert.equal(o.open, true);
  assert.match(o.reason, /night switch forced open/);
  assert.equal(isOpen(desk, at('2026-11-23T10:00:00+01:00'), 'closed').open, false);
});
