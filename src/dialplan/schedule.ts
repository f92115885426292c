/**
 * Opening hours: weekly ranges in an IANA time zone (several per day, overnight
 * ranges such as 22:00-06:00), holidays (dates, date ranges, yearly MM-DD, each
 * with optional partial hours) that take precedence over the week, and the
 * three-state night switch (auto follows the schedule; open/closed override).
 *
 * Evaluation works on local wall-clock time: the instant is shifted by the
 * zone's UTC offset (luxon, cached per 15-minute UTC bucket when the offset is
 * the same at both ends of the bucket), so a DST gap simply never happens and
 * the repeated hour of a DST overlap is evaluated twice by the same wall time.
 * A holiday replaces the whole local date, including the after-midnight part
 * of the previous day's overnight range only when that previous day is itself
 * a holiday (its week hours then do not apply).
 * Leaves out: sunrise rules, week-of-month rules (write explicit dates).
 */
import { IANAZone } from 'luxon';
import type { HolidayRule, NightState, Schedule, TimeRange } from './plan-types.ts';

export type OpenState = { readonly open: boolean; readonly reason: string; readonly holiday: string | null };

const DAY_MS = 86_400_000;
const BUCKET_MS = 900_000;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

// ---- parsing (used by validate and compile) ---------------------------------

/** `HH:MM-HH:MM` → minutes; end ≤ start means overnight (end + 1440). */
export function parseTimeRange(s: string): TimeRange | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(s);
  if (!m) return null;
  const [h1, m1, h2, m2] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 !== 0)) return null;
  const start = h1 * 60 + m1;
  let end = h2 * 60 + m2;
  if (end === start) return null;
  if (end < start) end += 1440;
  return { start, end };
}

/** `YYYY-MM-DD` → yyyymmdd number, or null when not a real date. */
export function parseDate(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return y * 10_000 + mo * 100 + d;
}

/** `MM-DD` → mmdd number (29 February allowed). */
export function parseMonthDay(s: string): number | null {
  const m = /^(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const mo = Number(m[1]), d = Number(m[2]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(2024, mo)) return null;
  return mo * 100 + d;
}

function daysInMonth(y: number, m: number): number {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

// ---- local time ----------------------------------------------------------------

const offsetCache = new Map<string, Map<number, number>>();
const CACHE_LIMIT = 4096;

/** UTC offset in minutes of `zone` at `instant`; memoised per 15-minute bucket, so still a pure function. */
export function zoneOffset(zone: string, instant: number): number {
  const bucket = Math.floor(instant / BUCKET_MS);
  let perZone = offsetCache.get(zone);
  const hit = perZone?.get(bucket);
  if (hit !== undefined) return hit;
  const z = IANAZone.create(zone);
  const a = z.offset(bucket * BUCKET_MS);
  const b = z.offset(bucket * BUCKET_MS + BUCKET_MS - 1);
  // Only cache buckets with no offset change inside them; a DST change mid-bucket is computed exactly.
  if (a !== b) return z.offset(instant);
  if (!perZone) {
    perZone = new Map();
    offsetCache.set(zone, perZone);
  }
  if (perZone.size >= CACHE_LIMIT) perZone.clear();
  perZone.set(bucket, a);
  return a;
}

export type LocalTime = { readonly dayNumber: number; readonly date: number; readonly weekday: number; readonly minute: number };

/** Civil date from days since 1970-01-01 (H. Hinnant's algorithm) as yyyymmdd. */
export function civilDate(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10_000 + m * 100 + d;
}

export function localTime(zone: string, instant: number): LocalTime {
  const local = instant + zoneOffset(zone, instant) * 60_000;
  const dayNumber = Math.floor(local / DAY_MS);
  const minute = Math.floor((local - dayNumber * DAY_MS) / 60_000);
  // 1970-01-01 was a Thursday: index 3 with Monday = 0.
  const weekday = (((dayNumber + 3) % 7) + 7) % 7;
  return { dayNumber, date: civilDate(dayNumber), weekday, minute };
}

// ---- evaluation ----------------------------------------------------------------

export function holidayOn(schedule: Schedule, date: number): HolidayRule | null {
  const md = date % 10_000;
  for (const h of schedule.holidays) {
    if (h.kind === 'date' ? date >= h.from && date <= h.to : h.monthDay === md) return h;
  }
  return null;
}

function fmt(min: number): string {
  const m = min % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function rangeText(r: TimeRange): string {
  return `${fmt(r.start)}-${r.end === 1440 ? '24:00' : fmt(r.end)}`;
}

const MINUTE_MS = 60_000;
const OPEN_CACHE_LIMIT = 1024;
/** isOpen results per schedule and UTC minute (night switch auto); keyed by the frozen Schedule, so a reload starts afresh. */
const openCache = new WeakMap<Schedule, Map<number, OpenState>>();

/**
 * Whether the schedule is open at `instant`. The answer depends on the local
 * date and minute only, so it is memoised per UTC minute when the zone offset
 * is a whole number of minutes and the same at both ends of that minute (a
 * DST change, or a historical offset with seconds, is computed exactly).
 * Calls arrive at "now": most decisions within a minute share one result.
 */
export function isOpen(schedule: Schedule, instant: number, night: NightState = 'auto'): OpenState {
  if (night !== 'auto') return evaluateOpen(schedule, instant, night);
  const minute = Math.floor(instant / MINUTE_MS);
  let perSchedule = openCache.get(schedule);
  const hit = perSchedule?.get(minute);
  if (hit !== undefined) return hit;
  const st = evaluateOpen(schedule, instant, night);
  const a = zoneOffset(schedule.zone, minute * MINUTE_MS);
  if (!Number.isInteger(a) || a !== zoneOffset(schedule.zone, minute * MINUTE_MS + MINUTE_MS - 1)) return st;
  if (!perSchedule) {
    perSchedule = new Map();
    openCache.set(schedule, perSchedule);
  }
  if (perSchedule.size >= OPEN_CACHE_LIMIT) perSchedule.clear();
  perSchedule.set(minute, st);
  return st;
}

/** isOpen without the memo (the reference the property test compares against). */
export function evaluateOpen(schedule: Schedule, instant: number, night: NightState = 'auto'): OpenState {
  if (night === 'open') return { open: true, reason: `night switch forced open (schedule ${schedule.id})`, holiday: null };
  if (night === 'closed') return { open: false, reason: `night switch forced closed (schedule ${schedule.id})`, holiday: null };
  const t = localTime(schedule.zone, instant);
  const h = holidayOn(schedule, t.date);
  if (h) {
    if (h.hours) {
      for (const r of h.hours) {
        if (t.minute >= r.start && t.minute < r.end) {
          return { open: true, reason: `holiday "${h.name}" with partial hours ${rangeText(r)} in ${schedule.zone}: open`, holiday: null };
        }
      }
      return { open: false, reason: `holiday "${h.name}" (partial hours, now outside them) in ${schedule.zone}: closed`, holiday: h.name };
    }
    return { open: false, reason: `holiday "${h.name}" in ${schedule.zone}: closed`, holiday: h.name };
  }
  const day = WEEKDAYS[t.weekday] ?? 'mon';
  for (const r of schedule.week[t.weekday] ?? []) {
    if (t.minute >= r.start && t.minute < Math.min(r.end, 1440)) {
      return { open: true, reason: `${day} ${rangeText(r)} in ${schedule.zone}: open`, holiday: null };
    }
  }
  const yWeekday = (t.weekday + 6) % 7;
  const yesterday = civilDate(t.dayNumber - 1);
  if (holidayOn(schedule, yesterday) === null) {
    for (const r of schedule.week[yWeekday] ?? []) {
      if (r.end > 1440 && t.minute < r.end - 1440) {
        return { open: true, reason: `${WEEKDAYS[yWeekday] ?? 'mon'} overnight ${rangeText(r)} in ${schedule.zone}: open`, holiday: null };
      }
    }
  }
  return { open: false, reason: `${day} ${fmt(t.minute)} outside opening hours in ${schedule.zone}: closed`, holiday: null };
}
