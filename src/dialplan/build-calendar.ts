/**
 * Holiday calendars and time ranges of the YAML, checked at the node they are
 * written on: HH:MM-HH:MM ranges (holiday hours may not pass midnight), dates,
 * yearly MM-DD, and overlapping entries within one calendar.
 * Leaves out: evaluation at an instant (schedule.ts).
 */
import type { HolidayRule, TimeRange } from './plan-types.ts';
import type { DialplanInput } from './schema.ts';
import type { PathSegment, Reporter } from './load.ts';
import { parseDate, parseMonthDay, parseTimeRange } from './schedule.ts';

export function timeRange(t: string, path: readonly PathSegment[], r: Reporter, overnight: boolean): TimeRange {
  const tr = parseTimeRange(t);
  if (tr === null) {
    r.error('DIALPLAN_BAD_TIME_RANGE', path, `\`${t}\` is not a time range; write HH:MM-HH:MM such as 08:30-17:00 (22:00-06:00 runs overnight)`);
    return { start: 0, end: 1 };
  }
  if (!overnight && tr.end > 1440) {
    r.error('DIALPLAN_BAD_TIME_RANGE', path, `holiday hours \`${t}\` may not pass midnight; end the range at 24:00`);
  }
  return tr;
}

type HolidayInput = NonNullable<DialplanInput['holidays']>[string];

export function buildHolidays(cal: string, entries: HolidayInput, r: Reporter): HolidayRule[] {
  const rules: HolidayRule[] = [];
  const at: PathSegment[][] = [];
  entries.forEach((h, i) => {
    const path: PathSegment[] = ['holidays', cal, i];
    const hours = h.hours === undefined ? null : h.hours.map((t, j) => timeRange(t, [...path, 'hours', j], r, false));
    const forms = [h.date !== undefined, h.from !== undefined || h.to !== undefined, h.yearly !== undefined].filter(Boolean).length;
    if (forms !== 1) {
      r.error('DIALPLAN_BAD_DATE', path, `holiday "${h.name}" needs exactly one of \`date: YYYY-MM-DD\`, \`from:\`+\`to:\` or \`yearly: MM-DD\``);
      return;
    }
    if (h.yearly !== undefined) {
      const md = parseMonthDay(h.yearly);
      if (md === null) r.error('DIALPLAN_BAD_DATE', [...path, 'yearly'], `\`${h.yearly}\` is not a month-day; write MM-DD such as 12-25`);
      else {
        rules.push({ kind: 'yearly', name: h.name, monthDay: md, hours });
        at.push(path);
      }
      return;
    }
    const fromText = h.date ?? h.from ?? '';
    const toText = h.date ?? h.to ?? '';
    const from = parseDate(fromText);
    const to = parseDate(toText);
    const key = h.date !== undefined ? 'date' : from === null ? 'from' : 'to';
    if (from === null || to === null) {
      r.error('DIALPLAN_BAD_DATE', [...path, key], `\`${from === null ? fromText : toText}\` is not a date; write YYYY-MM-DD (both from: and to: are needed for a range)`);
      return;
    }
    if (to < from) {
      r.error('DIALPLAN_BAD_DATE', [...path, 'to'], `range ends (${toText}) before it starts (${fromText}); swap from: and to:`);
      return;
    }
    rules.push({ kind: 'date', name: h.name, from, to, hours });
    at.push(path);
  });
  // Overlapping entries make the partial hours ambiguous: reject them.
  for (let i = 0; i < rules.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = rules[i];
      const b = rules[j];
      if (!a || !b) continue;
      const overlap = a.kind === 'date' && b.kind === 'date' ? a.from <= b.to && b.from <= a.to
        : a.kind === 'yearly' && b.kind === 'yearly' ? a.monthDay === b.monthDay
        : false;
      if (overlap) {
        r.error('DIALPLAN_HOLIDAY_OVERLAP', at[i] ?? ['holidays', cal], `holiday "${a.name}" overlaps "${b.name}" in calendar ${cal}; make the dates disjoint or merge them`);
        break;
      }
    }
  }
  return rules;
}
