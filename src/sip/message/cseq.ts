/**
 * CSeq (RFC 3261 §20.16): `1*DIGIT LWS Method`. The number must be below
 * 2^31 (§8.1.1.5); leading zeros are allowed (RFC 4475 wsinv `0009`).
 */
import type { CSeq } from './message-types.ts';
import { isToken, isWsp, skipWs } from './header-text.ts';

export const MAX_CSEQ = 2 ** 31 - 1;

export function parseCSeq(text: string): CSeq | null {
  const s = text;
  let i = skipWs(s, 0);
  const ds = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === ds) return null;
  // Strip leading zeros before the length check so "0009" is fine and a
  // 20-digit number is rejected without float precision games.
  let digits = s.slice(ds, i);
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 0x30) z++;
  digits = digits.slice(z);
  if (digits.length > 10) return null;
  const seq = Number(digits);
  if (seq > MAX_CSEQ) return null;
  if (i >= s.length || !isWsp(s.charCodeAt(i))) return null;
  i = skipWs(s, i);
  const method = s.slice(i).trimEnd();
  if (!isToken(method)) return null;
  return { seq, method };
}
