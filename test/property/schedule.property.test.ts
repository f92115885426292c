/**
 * Schedule evaluation against a deliberately naive reference: local time from
 * Intl.DateTimeFormat (not luxon), opening hours as a per-minute table built
 * from the range strings, dates stepped with Date.UTC. Instants are random
 * across 2025-2027 and clustered around the DST changes of each zone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOpen } from '../../src/dialplan/index.ts';
import type { HolidayRule, Schedule } from '../../src/dialplan/index.ts';
import { parseTimeRange, parseDate, parseMonthDay } from '../../src/dialplan/schedule.ts';

const ZONES = ['Europe/Amsterdam', 'Europe/Stockholm', 'Europe/Paris', 'America/New_York'] as const;
// DST changes (UTC) 2025-2027: EU last Sunday of March/October 01:00Z; US second Sunday of March 07:00Z, first Sunday of November 06:00Z.
const EU_DST = ['2025-03-30T01:00Z', '2025-10-26T01:00Z', '2026-03-29T01:00Z', '2026-10-25T01:00Z', '2027-03-28T01:00Z', '2027-10-31T01:00Z'];
const US_DST = ['2025-03-09T07:00Z', '2025-11-02T06:00Z', '2026-03-08T07:00Z', '2026-11-01T06:00Z', '2027-03-14T07:00Z', '2027-11-07T06:00Z'];
const FROM = Date.parse('2025-01-01T00:00Z');
const TO = Date.parse('2027-12-31T00:00Z');
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// ---- reference ---------------------------------------------------------------

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function refLocal(zone: string, instant: number): { y: number; m: number; d: number; wd: number; minute: number } {
  let f = fmtCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short', hourCycle: 'h23' });
    fmtCache.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '');
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), wd, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

type RefHoliday = { from: string; to: string; yearly: string | null; hours: string[] | null };
type RefSchedule = { zone: string; week: string[][]; holidays: RefHoliday[] };

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** table[day][minute] for the day itself, spill[day][minute] for the morning after an overnight range. */
function tables(week: string[][]): { own: boolean[][]; spill: boolean[][] } {
  const own = DAYS.map(() => new Array<boolean>(1440).fill(false));
  const spill = DAYS.map(() => new Array<boolean>(1440).fill(false));
  week.forEach((ranges, day) => {
    for (const r of ranges) {
      const [a, b] = r.split('-');
      const s = minutes(a ?? '');
      const e = minutes(b ?? '');
      if (e > s) for (let x = s; x < e; x++) (own[day] as boolean[])[x] = true;
      else {
        for (let x = s; x < 1440; x++) (own[day] as boolean[])[x] = true;
        for (let x = 0; x < e; x++) (spill[day] as boolean[])[x] = true;
      }
    }
  });
  return { own, spill };
}

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function refHoliday(s: RefSchedule, date: string): RefHoliday | null {
  for (const h of s.holidays) {
    if (h.yearly !== null ? date.slice(5) === h.yearly : date >= h.from && date <= h.to) return h;
  }
  return null;
}

function refOpen(s: RefSchedule, instant: number): boolean {
  const t = refLocal(s.zone, instant);
  const today = iso(t.y, t.m, t.d);
  const h = refHoliday(s, today);
  if (h) return (h.hours ?? []).some((r) => {
    const [a, b] = r.split('-');
    return t.minute >= minutes(a ?? '') && t.minute < minutes(b ?? '');
  });
  const { own, spill } = tables(s.week);
  if (own[t.wd]?.[t.minute]) return true;
  const y = new Date(Date.UTC(t.y, t.m - 1, t.d - 1));
  const yesterday = iso(y.getUTCFullYear(), y.getUTCMonth() + 1, y.getUTCDate());
  return refHoliday(s, yesterday) === null && (spill[(t.wd + 6) % 7]?.[t.minute] ?? false);
}

// ---- conversion to the real Schedule -----------------------------------------

function toSchedule(s: RefSchedule): Schedule {
  const holidays: HolidayRule[] = s.holidays.map((h, i) => {
    const hours = h.hours === null ? null : h.hours.map((r) => parseTimeRange(r) ?? assert.fail(r));
    return h.yearly !== null
      ? { kind: 'yearly', name: `h${i}`, monthDay: parseMonthDay(h.yearly) ?? assert.fail(h.yearly), hours }
      : { kind: 'date', name: `h${i}`, from: parseDate(h.from) ?? assert.fail(h.from), to: parseDate(h.to) ?? assert.fail(h.to), hours };
  });
  return { id: 's', zone: s.zone, week: s.week.map((rs) => rs.map((r) => parseTimeRange(r) ?? assert.fail(r))), holidays };
}

// ---- generators ----------------------------------------------------------------

const hhmm = (maxHour: number) => fc.tuple(fc.integer({ min: 0, max: maxHour }), fc.constantFrom(0, 15, 30, 45, 59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const range = fc.tuple(hhmm(23), hhmm(23)).filter(([a, b]) => a !== b).map(([a, b]) => `${a}-${b}`);
const dayRange = fc.tuple(hhmm(23), hhmm(23)).filter(([a, b]) => a < b).map(([a, b]) => `${a}-${b}`);
const dateArb = fc.integer({ min: 0, max: 3 * 365 }).map((n) => new Date(FROM + n * 86_400_000).toISOString().slice(0, 10));
const holidayArb: fc.Arbitrary<RefHoliday> = fc.oneof(
  fc.tuple(dateArb, fc.integer({ min: 0, max: 4 }), fc.option(fc.array(dayRange, { minLength: 1, maxLength: 2 }), { nil: null })).map(([from, len, hours]) => {
    const to = new Date(Date.parse(`${from}T00:00Z`) + len * 86_400_000).toISOString().slice(0, 10);
    return { from, to, yearly: null, hours };
  }),
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.option(fc.array(dayRange, { minLength: 1, maxLength: 2 }), { nil: null }))
    .map(([m, d, hours]) => ({ from: '', to: '', yearly: `${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, hours })),
);
const scheduleArb: fc.Arbitrary<RefSchedule> = fc.record({
  zone: fc.constantFrom(...ZONES),
  week: fc.array(fc.array(range, { maxLength: 3 }), { minLength: 7, maxLength: 7 }),
  holidays: fc.array(holidayArb, { maxLength: 4 }),
});
const dstInstant = (zone: string) => fc.tuple(fc.constantFrom(...(zone === 'America/New_York' ? US_DST : EU_DST)), fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }))
  .map(([t, d]) => Date.parse(t) + d);
const instantFor = (zone: string) => fc.oneof(fc.integer({ min: FROM, max: TO }), dstInstant(zone));

const withInstant = scheduleArb.chain((s) => fc.tuple(fc.constant(s), instantFor(s.zone)));

// ---- properties ----------------------------------------------------------------

test('isOpen agrees with the naive reference at random instants, DST changes included', () => {
  fc.assert(fc.property(withInstant, ([s, t]) => {
    assert.equal(isOpen(toSchedule(s), t, 'auto').open, refOpen(s, t), `${s.zone} at ${new Date(t).toISOString()}`);
  }), { numRuns: 1500 });
});

test('every minute around each DST change agrees with the reference', () => {
  const s: RefSchedule = { zone: '', week: DAYS.map(() => ['01:30-02:30', '02:59-03:01', '22:00-02:15']), holidays: [] };
  for (const zone of ZONES) {
    const sched = toSchedule({ ...s, zone });
    for (const t0 of zone === 'America/New_York' ? US_DST : EU_DST) {
      for (let t = Date.parse(t0) - 4 * 3_600_000; t < Date.parse(t0) + 4 * 3_600_000; t += 60_000) {
        assert.equal(isOpen(sched, t).open, refOpen({ ...s, zone }, t), `${zone} at ${new Date(t).toISOString()}`);
      }
    }
  }
});

test('a holiday always overrides the week: closed all day, or open exactly in its partial hours', () => {
  fc.assert(fc.property(withInstant, fc.option(dayRange, { nil: null }), ([s, t], hours) => {
    const l = refLocal(s.zone, t);
    const date = iso(l.y, l.m, l.d);
    const withHoliday: RefSchedule = { ...s, week: DAYS.map(() => ['00:00-24:00'.replace('24:00', '23:59')]), holidays: [{ from: date, to: date, yearly: null, hours: hours === null ? null : [hours] }] };
    const got = isOpen(toSchedule(withHoliday), t, 'auto');
    if (hours === null) assert.equal(got.open, false);
    else {
      const [a, b] = hours.split('-');
      assert.equal(got.open, l.minute >= minutes(a ?? '') && l.minute < minutes(b ?? ''));
    }
  }), { numRuns: 500 });
});

test('night open and closed always override auto', () => {
  fc.assert(fc.property(withInstant, ([s, t]) => {
    const sched = toSchedule(s);
    assert.equal(isOpen(sched, t, 'open').open, true);
    assert.equal(isOpen(sched, t, 'closed').open, false);
  }), { numRuns: 500 });
});
