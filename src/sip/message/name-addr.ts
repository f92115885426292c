/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §25.1):
 * From, To, Contact, Route, Record-Route, Reply-To, Refer-To…
 *
 *   [display-name] LAQUOT addr-spec RAQUOT *(SEMI param)
 *   addr-spec *(SEMI param)           ; params belong to the header, not the URI
 *
 * A display name is a token sequence (kept with single spaces between
 * tokens) or a quoted-string (quoted-pairs resolved, so `\"` becomes `"`).
 *
 * Leaves out: Contact `*` (see header-access.ts contacts()).
 */
import type { NameAddr } from './message-types.ts';
import { isToken, parseParams, quotedEnd, skipWs, unquote } from './header-text.ts';
import { parseAnyUri } from './uri.ts';

export function parseNameAddr(text: string): NameAddr | null {
  const s = text.trim();
  if (s.length === 0) return null;
  let displayName: string | undefined;
  let i = 0;
  let uriText: string;
  let paramsAt: number;
  if (s.charCodeAt(0) === 0x22) {
    const e = quotedEnd(s, 0);
    if (e < 0) return null;
    displayName = unquote(s.slice(0, e));
    i = skipWs(s, e);
    if (s.charCodeAt(i) !== 0x3c) return null;
  } else {
    const lt = s.indexOf('<');
    if (lt >= 0) {
      const dn = s.slice(0, lt).trim();
      if (dn.length > 0) {
        if (isToken(dn)) displayName = dn; // one word: the common case, no split
        else {
          const words = dn.split(/[ \t]+/);
          for (const w of words) if (!isToken(w)) return null;
          displayName = words.join(' ');
        }
      }
      i = lt;
    } else {
      i = -1;
    }
  }
  if (i >= 0) {
    const gt = s.indexOf('>', i + 1);
    if (gt < 0) return null;
    uriText = s.slice(i + 1, gt);
    paramsAt = gt + 1;
  } else {
    // addr-spec form: the URI cannot contain ';' params, ',' or '?' here
    // (§20.10), so the first ';' starts the header parameters.
    const semi = s.indexOf(';');
    uriText = (semi < 0 ? s : s.slice(0, semi)).trimEnd();
    if (uriText.includes('?') || uriText.includes(',')) return null;
    paramsAt = semi < 0 ? s.length : semi;
  }
  const uri = parseAnyUri(uriText);
  if (uri === null) return null;
  const params = parseParams(s, paramsAt);
  if (params === null) return null;
  const t = params.get('tag');
  return { displayName, uri, params, tag: typeof t === 'string' && t.length > 0 ? t : undefined };
}
