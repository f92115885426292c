/**
 * CSeq (RFC 3261 §20.16): `1*DIGIT LWS Method`. The number must be below
 * 2^31 (§8.1.1.5); leading zeros are allowed (RFC 4475 wsinv `0009`).
 */
import type { CSeq } from './message-types.ts';
import { isToken as isToken_, isWsp as isWsp_, skipWs as skipWs_ } from './header-text.ts';

// Imported functions are bound once: under tsx (esbuild CJS output) every call
// through an import binding is a getter call, which shows up in the parser profile.
const isToken = isToken_;
const isWsp = isWsp_;
const skipWs = skipWs_;

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
