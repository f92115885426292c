/**
 * Parses and writes the auth-param lists of WWW-Authenticate,
 * Proxy-Authenticate, Authorization and Proxy-Authorization
 * (RFC 3261 §25.1 `challenge` / `credentials`, RFC 7616 §3.3–§3.4,
 * RFC 7235 §2.1 auth-param with quoted-string per RFC 7230 §3.2.6).
 *
 * Owned here because the message layer's auth-header.ts did not exist when
 * this was written; it is a leaf and can be swapped for that one later.
 * Total (STYLE G4): never throws on network input, bounded in size.
 * Leaves out: token68 credentials and non-Digest schemes (reported as
 * errors), RFC 7616 §3.4.4 `username*` extended notation.
 */
import { err, ok, type Result } from '../../common/index.ts';

export interface DigestParams {
  /** Auth scheme as written, e.g. `Digest`. */
  readonly scheme: string;
  /** Parameter values keyed by lower-cased name, unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

export const MAX_AUTH_VALUE_LENGTH = 4096;
const MAX_PARAMS = 32;

/** RFC 7230 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~", as a table (no string per character). */
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

const isTokenChar = (c: number): boolean => c < 128 && TCHAR[c] === 1;

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** Parse `Digest name=value, name="quoted", …`. Duplicated names are an error (RFC 7616 §3.4). */
export function parseDigestParams(value: string): Result<DigestParams, string> {
  if (value.length > MAX_AUTH_VALUE_LENGTH) return err('auth header too long');
  let i = 0;
  const n = value.length;
  const skipWs = () => {
    while (i < n && isWs(value.charCodeAt(i))) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && isTokenChar(value.charCodeAt(i))) i++;
    return value.slice(start, i);
  };
  skipWs();
  const scheme = readToken();
  if (scheme === '') return err('missing auth scheme');
  if (scheme.toLowerCase() !== 'digest') return err(`unsupported auth scheme ${scheme}`);
  const params = new Map<string, string>();
  skipWs();
  while (i < n) {
    const name = readToken().toLowerCase();
    if (name === '') return err(`expected parameter name at ${i}`);
    skipWs();
    if (value.charCodeAt(i) !== 0x3d /* = */) return err(`expected = after ${name}`);
    i++;
    skipWs();
    let v: string;
    if (value.charCodeAt(i) === 0x22 /* " */) {
      i++;
      // Most values have no quoted-pair: one slice, no string built per character.
      const start = i;
      let out: string | undefined;
      let closed = false;
      while (i < n) {
        const c = value.charCodeAt(i);
        if (c === 0x5c /* \ */ && i + 1 < n) {
          out = (out ?? value.slice(start, i)) + value[i + 1];
          i += 2;
        } else if (c === 0x22) {
          if (out === undefined) out = value.slice(start, i);
          i++;
          closed = true;
          break;
        } else {
          if (out !== undefined) out += value[i];
          i++;
        }
      }
      if (!closed || out === undefined) return err(`unterminated quoted value for ${name}`);
      v = out;
    } else {
      v = readToken();
      if (v === '') return err(`empty value for ${name}`);
    }
    if (params.has(name)) return err(`duplicate parameter ${name}`);
    if (params.size >= MAX_PARAMS) return err('too many parameters');
    params.set(name, v);
    skipWs();
    if (i >= n) break;
    if (value.charCodeAt(i) !== 0x2c /* , */) return err(`expected , at ${i}`);
    i++;
    skipWs();
  }
  return ok({ scheme, params });
}

/** quoted-string with `"` and `\` escaped (RFC 7230 §3.2.6 quoted-pair). */
export function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

/** Write `Digest a="x", b=y` from ordered [name, value, quoted] triples. */
export function formatDigestParams(parts: ReadonlyArray<readonly [string, string, boolean]>): string {
  return 'Digest ' + parts.map(([k, v, q]) => `${k}=${q ? quote(v) : v}`).join(', ');
}
