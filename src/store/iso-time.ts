/**
 * Epoch milliseconds → ISO-8601 UTC text, exactly as `Date.prototype.
 * toISOString` writes it ("2026-01-05T09:00:04.500Z"), for the CDR `*_iso`
 * columns. `toISOString` goes through V8's general date formatter (about
 * 7,500 instructions a call under callgrind) and a call row with its legs
 * needs nine of them. Here the "YYYY-MM-DDT" part is computed once per UTC
 * day and the time of day is arithmetic plus table look-ups.
 *
 * Only integer times in years 1970…9999 take the fast path; anything else
 * (negative, fractional, out of range, NaN) goes to `toISOString`, which keeps
 * its exact output and its RangeError for an invalid time.
 */
const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z, the last time with a four-digit year. */
const MAX_FAST_MS = 253_402_300_799_999;

const TWO: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

// One cached day: the engine writes times from "now", which changes day once a day.
let cachedDayStart = -1;
let cachedDayPrefix = '';

export function isoUtc(ms: number): string {
  if (!(ms >= 0 && ms <= MAX_FAST_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  let rest = ms % DAY_MS;
  const dayStart = ms - rest;
  if (dayStart !== cachedDayStart) {
    cachedDayPrefix = new Date(dayStart).toISOString().slice(0, 11);
    cachedDayStart = dayStart;
  }
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  // Indices are in range by construction (hour < 24, min/sec < 60, milli < 1000).
  return `${cachedDayPrefix}${TWO[hour] ?? ''}:${TWO[min] ?? ''}:${TWO[sec] ?? ''}.${THREE[milli] ?? ''}Z`;
}
