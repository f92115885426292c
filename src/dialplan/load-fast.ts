/**
 * A fast reader for the plain subset of YAML that dialplans are written in,
 * used before the full `yaml` parser (load.ts) so that a large plan (10,000
 * users, 1 MB) compiles in a fraction of the time: the `yaml` composer builds
 * a Document with ranges for every node, which dominated compile time.
 *
 * Owns: block maps and block sequences (including `- key: value` compact maps),
 * single-line flow maps and sequences, plain, single- and double-quoted
 * scalars, comments, and the YAML 1.2 core-schema resolution of plain scalars
 * (null, booleans, decimal integers; `+…`/`0…` digit strings stay text, as in
 * load.ts).
 *
 * The contract is all or nothing: `readFastYaml` either returns exactly the
 * value load.ts would build from the `yaml` Document (and `yaml` would report
 * no error for the text), or `undefined`, and the caller takes the full path,
 * which also produces every diagnostic with its file:line:col. Anything outside
 * the subset gives up: tabs, CR, other control characters, NBSP, a BOM,
 * directives and document markers, anchors, aliases, tags, block scalars,
 * multi-line scalars or flow collections, escapes in double quotes, floats, hex and octal numbers, empty
 * flow values, trailing commas, duplicate keys, `__proto__`, unexpected
 * indentation. test/property/dialplan-load-fast.property.test.ts checks the
 * contract against `yaml` on fixtures, the config and generated documents.
 * Leaves out: positions (only the full path has them; they are needed only
 * when there is a diagnostic to report).
 */

/** Thrown inside this file only, to leave the subset from any depth; never escapes readFastYaml. */
const GIVE_UP: unique symbol = Symbol('outside the fast YAML subset');

type Line = { indent: number; readonly text: string };

const RAW_NUMBER = /^[+0]\d+$/;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
/** Floats, hex, octal, .inf and .nan of the core schema: not resolved here. */
const OTHER_NUMBER = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/** Characters a plain scalar may not start with (c-indicator), besides '-', ':' and '#' handled apart. */
const BAD_START = new Set(['&', '*', '!', '|', '>', '%', '@', '`', '?', ',', '[', ']', '{', '}', '\'', '"', '#']);
/** Tabs, CR, other control characters, BOM, NBSP, line/paragraph separators: the full parser decides what they mean. */
const UNUSUAL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u2028\u2029\ufeff]/;
const MAX_DEPTH = 60;
/** yaml limits implicit keys to 1024 characters; stay well below. */
const MAX_KEY = 1000;

function giveUp(): never {
  throw GIVE_UP;
}

/** Plain scalar text → value, as yaml's core schema and load.ts's scalarText do. */
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  if (NULL.test(s)) return null;
  if (TRUE.test(s)) return true;
  if (FALSE.test(s)) return false;
  // Only strings starting like a number can be one (digits, sign, dot).
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT.test(s)) return RAW_NUMBER.test(s) ? s : parseInt(s, 10);
    if (OTHER_NUMBER.test(s)) giveUp();
  }
  return s;
}

/** A map key from its plain text: strings as written, integers by their source text (load.ts keyText). */
function plainKey(s: string): string {
  const v = resolvePlain(s);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return s;
  return giveUp();
}

function checkPlainStart(s: string, at: number): void {
  const ch = s[at];
  if (ch === undefined || BAD_START.has(ch)) giveUp();
  // '-', ':' are indicators when followed by a space or the end; keep it simple and refuse them as first character.
  if (ch === '-' || ch === ':') {
    const next = s.charCodeAt(at + 1);
    if (!(next >= 48 && next <= 57)) giveUp();
  }
}

function setKey(out: Record<string, unknown>, k: string, v: unknown): void {
  // `__proto__` would set the prototype; `<<` is a merge key in YAML 1.1 tools: leave both to the full parser.
  if (k === '__proto__' || k === '<<' || k.length > MAX_KEY || Object.prototype.hasOwnProperty.call(out, k)) giveUp();
  out[k] = v;
}

/** One line of text: scalars and flow collections that must end on it. */
class LineScanner {
  pos: number;
  constructor(readonly s: string, pos: number) {
    this.pos = pos;
  }

  skipSpaces(): void {
    while (this.s.charCodeAt(this.pos) === 32) this.pos++;
  }

  /** True when only spaces and perhaps a comment remain. */
  atEnd(): boolean {
    this.skipSpaces();
    if (this.pos >= this.s.length) return true;
    if (this.s[this.pos] !== '#') return false;
    // A comment must be separated by white space (`}#` and `"x"#` are yaml errors).
    if (this.pos > 0 && this.s.charCodeAt(this.pos - 1) !== 32) giveUp();
    return true;
  }

  quoted(): string {
    const q = this.s[this.pos];
    let i = this.pos + 1;
    let out = '';
    for (;;) {
      const j = this.s.indexOf(q ?? '"', i);
      if (j < 0) giveUp(); // multi-line quoted scalar
      const part = this.s.slice(i, j);
      if (q === '"' && part.includes('\\')) giveUp();
      out += part;
      if (q === '\'' && this.s[j + 1] === '\'') {
        out += '\'';
        i = j + 2;
        continue;
      }
      this.pos = j + 1;
      return out;
    }
  }

  /**
   * Plain scalar text up to the end of the line or a comment; in flow context
   * also up to `,` `]` `}`. Stops before `: ` (a key); `key` says whether that is wanted.
   */
  plain(flow: boolean): { text: string; colon: boolean } {
    const s = this.s;
    checkPlainStart(s, this.pos);
    const start = this.pos;
    let i = start;
    let colon = false;
    for (; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 58 /* : */) {
        const next = s.charCodeAt(i + 1);
        if (i + 1 >= s.length || next === 32) {
          colon = true;
          break;
        }
        if (flow && (next === 44 || next === 93 || next === 125)) giveUp();
      } else if (ch === 35 /* # */ && s.charCodeAt(i - 1) === 32) break;
      else if (flow && (ch === 44 || ch === 93 || ch === 125)) break;
      else if (flow && (ch === 91 || ch === 123)) giveUp();
    }
    const text = s.slice(start, i).trimEnd();
    if (text === '') giveUp();
    this.pos = i;
    return { text, colon };
  }

  /** A key followed by `:`; the position ends after the colon. */
  key(flow: boolean): string {
    const ch = this.s[this.pos];
    let k: string;
    if (ch === '"' || ch === '\'') {
      k = this.quoted();
      if (this.s[this.pos] !== ':') giveUp();
    } else {
      const p = this.plain(flow);
      if (!p.colon) giveUp();
      k = plainKey(p.text);
    }
    this.pos++;
    const next = this.s.charCodeAt(this.pos);
    if (this.pos < this.s.length && next !== 32) giveUp();
    return k;
  }

  /** A value inside a flow collection (depth counts nesting for the overall limit). */
  flowValue(depth: number): unknown {
    if (depth > MAX_DEPTH) giveUp();
    this.skipSpaces();
    const ch = this.s[this.pos];
    if (ch === '{') return this.flowMap(depth + 1);
    if (ch === '[') return this.flowSeq(depth + 1);
    if (ch === '"' || ch === '\'') return this.quoted();
    const p = this.plain(true);
    if (p.colon) giveUp(); // a pair inside a sequence, or a nested implicit map
    return resolvePlain(p.text);
  }

  /** After an entry: `,` then another entry, or the closing bracket. Returns true when closed. */
  private afterEntry(close: string): boolean {
    this.skipSpaces();
    const ch = this.s[this.pos];
    if (ch === close) {
      this.pos++;
      return true;
    }
    if (ch !== ',') giveUp();
    this.pos++;
    this.skipSpaces();
    if (this.s[this.pos] === close) giveUp(); // trailing comma
    return false;
  }

  flowMap(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipSpaces();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpaces();
      const k = this.key(true);
      this.skipSpaces();
      const ch = this.s[this.pos];
      if (ch === ',' || ch === '}' || ch === undefined || ch === '#') giveUp(); // empty value
      setKey(out, k, this.flowValue(depth));
      if (this.afterEntry('}')) return out;
    }
  }

  flowSeq(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpaces();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.flowValue(depth));
      if (this.afterEntry(']')) return out;
    }
  }

  /** A value written after `key: ` or `- ` in block context, which must end the line. */
  blockValue(depth: number): unknown {
    const ch = this.s[this.pos];
    let v: unknown;
    if (ch === '{') v = this.flowMap(depth + 1);
    else if (ch === '[') v = this.flowSeq(depth + 1);
    else if (ch === '"' || ch === '\'') v = this.quoted();
    else {
      const p = this.plain(false);
      if (p.colon) giveUp(); // `a: b: c`
      v = resolvePlain(p.text);
    }
    if (!this.atEnd()) giveUp();
    return v;
  }
}

class BlockReader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  /** Index of the next line with content (not blank, not only a comment), or -1. */
  nextContent(): number {
    for (; this.i < this.lines.length; this.i++) {
      const l = this.lines[this.i];
      if (l === undefined) break;
      if (l.indent < l.text.length && l.text[l.indent] !== '#') return this.i;
    }
    return -1;
  }

  private isSeqItem(l: Line): boolean {
    return l.text[l.indent] === '-' && (l.indent + 1 === l.text.length || l.text[l.indent + 1] === ' ');
  }

  /** The block node that follows `key:` with nothing after it on the line, or null. */
  private nested(parentIndent: number, depth: number): unknown {
    const j = this.nextContent();
    const l = j < 0 ? undefined : this.lines[j];
    if (l === undefined) return null;
    // A sequence may sit at the key's own indentation; a map must be indented further.
    if (this.isSeqItem(l) && l.indent >= parentIndent) return this.seq(l.indent, depth + 1);
    if (l.indent > parentIndent) return this.map(l.indent, depth + 1);
    return null;
  }

  map(indent: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) giveUp();
    const out: Record<string, unknown> = {};
    for (;;) {
      const j = this.nextContent();
      const l = j < 0 ? undefined : this.lines[j];
      if (l === undefined || l.indent < indent) return out;
      if (l.indent > indent || this.isSeqItem(l)) giveUp();
      const sc = new LineScanner(l.text, indent);
      const k = sc.key(false);
      if (sc.atEnd()) {
        this.i++;
        setKey(out, k, this.nested(indent, depth));
      } else {
        setKey(out, k, sc.blockValue(depth));
        this.i++;
      }
    }
  }

  seq(indent: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) giveUp();
    const out: unknown[] = [];
    for (;;) {
      const j = this.nextContent();
      const l = j < 0 ? undefined : this.lines[j];
      if (l === undefined || l.indent < indent) return out;
      if (l.indent > indent || !this.isSeqItem(l)) {
        if (l.indent === indent) return out; // the parent map's next key
        giveUp();
      }
      const sc = new LineScanner(l.text, indent + 1);
      if (sc.atEnd()) giveUp(); // item on the following lines
      const at = sc.pos;
      const ch = l.text[at];
      if (ch === '-') giveUp(); // nested sequence
      // `- key: value` starts a map whose indentation is the column of its first key.
      if (ch !== '{' && ch !== '[' && this.startsKey(l.text, at)) {
        l.indent = at;
        out.push(this.map(at, depth + 1));
      } else {
        out.push(sc.blockValue(depth));
        this.i++;
      }
    }
  }

  private startsKey(s: string, at: number): boolean {
    const sc = new LineScanner(s, at);
    const ch = s[at];
    if (ch === '"' || ch === '\'') {
      sc.quoted();
      return s[sc.pos] === ':';
    }
    return sc.plain(false).colon;
  }
}

export type FastYaml = { readonly kind: 'map'; readonly value: Record<string, unknown> } | { readonly kind: 'empty' };

/**
 * The plain value of a YAML document whose top level is a map, or
 * `{ kind: 'empty' }` for a document with no content, or undefined when the
 * text is outside the subset (the caller then uses the `yaml` package).
 */
export function readFastYaml(text: string): FastYaml | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === 0 && (raw.startsWith('---') || raw.startsWith('...') || raw.startsWith('%'))) return undefined;
    lines.push({ indent, text: raw });
  }
  try {
    const r = new BlockReader(lines);
    const first = r.nextContent();
    if (first < 0) return { kind: 'empty' };
    if (lines[first]?.indent !== 0) return undefined;
    const value = r.map(0, 0);
    if (r.nextContent() >= 0) return undefined;
    return { kind: 'map', value };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
