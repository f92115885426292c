/**
 * E.164 handling with libphonenumber-js (full metadata, needed for number
 * types): normalise what people dial or what trunks send with the default
 * country, classify for restrictions (premium / international / mobile /
 * national, plus explicit premium prefixes from the settings), and format a
 * number the way a trunk wants it (ITU-T E.164 digits, with plus, or national).
 * Leaves out: number portability and carrier look-ups.
 */
import { parsePhoneNumberFromString, isSupportedCountry, getCountryCallingCode } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import type { NumberClass, NumberFormat } from './plan-types.ts';

export function isCountry(code: string): boolean {
  return isSupportedCountry(code);
}

/** `+31 20 123 4567`, `020-1234567`, `0031201234567` → `+31201234567`; null when not a valid number. */
export function normaliseNumber(input: string, country: string): string | null {
  const key = `${country}|${input}`;
  const hit = normalisedCache.get(key);
  if (hit !== undefined) return hit;
  const out = normaliseUncached(input, country);
  if (normalisedCache.size >= 8192) normalisedCache.clear();
  normalisedCache.set(key, out);
  return out;
}

/**
 * Memo of normaliseNumber (libphonenumber costs tens of µs per number): the
 * same numbers recur (Anywhere mobiles in a plan, forwarding targets, numbers
 * people dial often). Bounded; a pure function, so the memo changes no answer.
 */
const normalisedCache = new Map<string, string | null>();

function normaliseUncached(input: string, country: string): string | null {
  const cleaned = input.trim();
  if (cleaned === '' || !/^[+0-9()\-\s./]+$/.test(cleaned)) return null;
  const p = parsePhoneNumberFromString(cleaned, country as CountryCode);
  if (!p || !p.isValid()) return null;
  return p.number;
}

/** Like normaliseNumber but keeps a best-effort digit string for invalid input (blacklists, caller ids). */
export function canonicalCaller(input: string, country: string): string {
  return normaliseNumber(input, country) ?? input.replace(/[^+0-9]/g, '');
}

export function classifyNumber(e164: string, country: string, premiumPrefixes: readonly string[]): { cls: NumberClass; country: string | null } {
  for (const pre of premiumPrefixes) if (e164.startsWith(pre)) return { cls: 'premium', country: null };
  const p = parseE164(e164);
  if (!p) return { cls: 'unknown', country: null };
  const cc = p.country ?? null;
  const type = p.getType();
  if (type === 'PREMIUM_RATE' || type === 'SHARED_COST') return { cls: 'premium', country: cc };
  if (cc !== null && cc !== country) return { cls: 'international', country: cc };
  if (cc === null && !e164.startsWith(`+${callingCode(country)}`)) return { cls: 'international', country: cc };
  if (type === 'MOBILE') return { cls: 'mobile', country: cc };
  return { cls: 'national', country: cc };
}

function callingCode(country: string): string {
  return isSupportedCountry(country) ? getCountryCallingCode(country as CountryCode) : '';
}

/** How a trunk wants the called number: e164 = digits only, with_plus = +digits, national = 0… (00… abroad). */
export function formatForTrunk(e164: string, format: NumberFormat, country: string): string {
  if (format === 'with_plus') return e164;
  if (format === 'e164') return e164.slice(1);
  const key = `${country}${e164}`;
  const hit = nationalCache.get(key);
  if (hit !== undefined) return hit;
  const p = parseE164(e164);
  // "00" is the ITU-T E.164 recommended international prefix used across Europe.
  const out = p && p.country === country ? p.format('NATIONAL').replace(/[^0-9]/g, '') : `00${e164.slice(1)}`;
  if (nationalCache.size >= 8192) nationalCache.clear();
  nationalCache.set(key, out);
  return out;
}

/**
 * The last number parsed without a default country: an outbound decision
 * classifies the number (restrictions) and then formats it for a national
 * trunk, two parses of the same string. Parsing is pure, so sharing the result changes nothing.
 */
let lastE164 = '';
let lastParsed: ReturnType<typeof parsePhoneNumberFromString> = undefined;
function parseE164(e164: string): ReturnType<typeof parsePhoneNumberFromString> {
  if (e164 !== lastE164 || lastParsed === undefined) {
    lastParsed = parsePhoneNumberFromString(e164);
    lastE164 = e164;
  }
  return lastParsed;
}

/** Memo of national formatting: Anywhere and external members hit the same few numbers on every call. */
const nationalCache = new Map<string, string>();
