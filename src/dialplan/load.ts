/**
 * Text + file name → one merged plain object plus a locator that turns a YAML
 * path back into file:line:col (STYLE G13: no fs; the caller reads the files).
 * Owns: YAML syntax diagnostics, section ownership across files (each top-level
 * section may appear in one file only) and the raw-text rules for scalars that
 * YAML would otherwise mangle (`+31…` and `0…` stay strings; map keys are text).
 * Large plans are read by load-fast.ts first (a plain YAML subset, no
 * Document); this file's `yaml` path runs when that gives up, and lazily for
 * positions when a later pass reports a diagnostic.
 * Leaves out: schema and semantics (validate.ts).
 */
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, isPair, Scalar } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Diagnostic } from './errors.ts';
import { SECTION_NAMES } from './schema.ts';
import { closest } from './diagnostic-format.ts';
import { readFastYaml } from './load-fast.ts';

export type SourceDoc = { readonly file: string; readonly text: string };
export type PathSegment = string | number;
/** Where build/validate passes report findings; compile.ts turns paths into positions. */
export type Reporter = {
  error(code: Diagnostic['code'], path: readonly PathSegment[], message: string, onKey?: boolean): void;
  warn(code: Diagnostic['code'], path: readonly PathSegment[], message: string, onKey?: boolean): void;
};


export type Position = { readonly file: string; readonly line: number; readonly col: number };

export type Loaded = {
  readonly value: Record<string, unknown>;
  readonly diagnostics: Diagnostic[];
  /** Position of the node at `path` (or of its key with `onKey`), else the nearest ancestor. */
  readonly locate: (path: readonly PathSegment[], onKey?: boolean) => Position;
};

type Parsed = { file: string; text: string; doc: Document; lines: LineCounter; duplicates: number[] };

const RAW_NUMBER = /^[+0]\d+$/;

function scalarText(node: Scalar, text: string): unknown {
  const v = node.value;
  if (typeof v === 'number' && node.type === Scalar.PLAIN && node.range) {
    const raw = text.slice(node.range[0], node.range[1]).trim();
    if (RAW_NUMBER.test(raw)) return raw;
  }
  return v;
}

function keyText(key: unknown, text: string): string {
  if (isScalar(key)) {
    const v = key.value;
    if (typeof v === 'number' && key.range) return text.slice(key.range[0], key.range[1]).trim();
    return String(v);
  }
  return String(key);
}

function toPlain(node: unknown, p: Parsed, depth: number): unknown {
  if (depth > 64) return null;
  if (isAlias(node)) return toPlain(node.resolve(p.doc), p, depth + 1);
  if (isScalar(node)) return scalarText(node, p.text);
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const k = keyText(pair.key, p.text);
      if (Object.prototype.hasOwnProperty.call(out, k)) {
        p.duplicates.push(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0);
        continue;
      }
      out[k] = toPlain(pair.value, p, depth + 1);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => toPlain(n, p, depth + 1));
  return null;
}

function pos(p: Parsed, offset: number): Position {
  const lp = p.lines.linePos(offset);
  return { file: p.file, line: lp.line, col: lp.col };
}

function diag(code: Diagnostic['code'], at: Position, path: string, message: string): Diagnostic {
  return { severity: 'error', code, file: at.file, line: at.line, col: at.col, path, message };
}

/**
 * Fast path first (load-fast.ts): when every document is in the plain subset
 * and the sections are known and owned by one file each, the value is built
 * without the `yaml` Document; positions are computed (by the full path) only
 * if a later pass reports something. Otherwise the full path does everything.
 */
export function loadDocuments(docs: readonly SourceDoc[]): Loaded {
  const value = loadFast(docs);
  if (value === undefined) return loadDocumentsWithYaml(docs);
  let full: Loaded | undefined;
  return { value, diagnostics: [], locate: (path, onKey) => (full ??= loadDocumentsWithYaml(docs)).locate(path, onKey) };
}

function loadFast(docs: readonly SourceDoc[]): Record<string, unknown> | undefined {
  const value: Record<string, unknown> = {};
  for (const d of docs) {
    const r = readFastYaml(d.text);
    if (r === undefined) return undefined;
    if (r.kind === 'empty') continue;
    for (const name of Object.keys(r.value)) {
      // Unknown or repeated sections are diagnostics: the full path reports them with positions.
      if (!SECTION_NAMES.includes(name) || Object.prototype.hasOwnProperty.call(value, name)) return undefined;
      value[name] = r.value[name];
    }
  }
  return value;
}

/** The full path: the `yaml` Document with ranges, every syntax and ownership diagnostic, and the locator. */
export function loadDocumentsWithYaml(docs: readonly SourceDoc[]): Loaded {
  const diagnostics: Diagnostic[] = [];
  const value: Record<string, unknown> = {};
  const owner = new Map<string, { p: Parsed; keyOffset: number }>();

  for (const d of docs) {
    const lines = new LineCounter();
    // uniqueKeys is checked by toPlain with a Set: yaml's own check is quadratic in the map size (10,000 users).
    const doc = parseDocument(d.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const p: Parsed = { file: d.file, text: d.text, doc, lines, duplicates: [] };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at = pos(p, e.pos[0]);
        const dup = e.code === 'DUPLICATE_KEY';
        diagnostics.push(
          diag(dup ? 'DIALPLAN_DUPLICATE_KEY' : 'DIALPLAN_YAML_SYNTAX', at, '', dup
            ? `${e.message.split('\n')[0] ?? 'duplicate key'}: each key may appear once in a map; merge or rename the entries`
            : `YAML syntax: ${e.message.split('\n')[0] ?? e.code}`),
        );
      }
      continue;
    }
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue; // empty file: nothing to add
    if (!isMap(root)) {
      diagnostics.push(diag('DIALPLAN_YAML_SYNTAX', pos(p, root.range?.[0] ?? 0), '', 'the top level must be a map of sections such as `users:` and `ring_groups:`'));
      continue;
    }
    for (const pair of root.items) {
      const name = keyText(pair.key, d.text);
      const keyOffset = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
      const at = pos(p, keyOffset);
      if (!SECTION_NAMES.includes(name)) {
        const hint = closest(name, SECTION_NAMES);
        diagnostics.push(diag('DIALPLAN_UNKNOWN_SECTION', at, name, `unknown section \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ''} (sections: ${SECTION_NAMES.join(', ')})`));
        continue;
      }
      const prev = owner.get(name);
      if (prev) {
        const was = pos(prev.p, prev.keyOffset);
        diagnostics.push(diag('DIALPLAN_DUPLICATE_SECTION', at, name, `section \`${name}\` is already defined at ${was.file}:${was.line}:${was.col}; a section may appear in one file only, merge the two`));
        continue;
      }
      owner.set(name, { p, keyOffset });
      value[name] = toPlain(pair.value, p, 0);
    }
    for (const off of p.duplicates) {
      diagnostics.push(diag('DIALPLAN_DUPLICATE_KEY', pos(p, off), '', 'Map keys must be unique: each key may appear once in a map; merge or rename the entries'));
    }
  }

  const locate = (path: readonly PathSegment[], onKey = false): Position => {
    const first = path[0];
    const o = first === undefined ? undefined : owner.get(String(first));
    if (!o) {
      const d0 = docs[0];
      return { file: d0 ? d0.file : '<none>', line: 0, col: 0 };
    }
    const root = o.p.doc.contents;
    let best = o.keyOffset;
    let node: unknown = null;
    if (isMap(root)) {
      const pair = root.items.find((it) => keyText(it.key, o.p.text) === String(first));
      node = pair?.value ?? null;
      if (isPair(pair) && path.length === 1 && !onKey) best = (pair.value as YamlNode | null)?.range?.[0] ?? best;
    }
    for (let i = 1; i < path.length; i++) {
      const seg = path[i];
      if (isAlias(node)) node = node.resolve(o.p.doc);
      let next: unknown = undefined;
      let keyAt: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find((it) => keyText(it.key, o.p.text) === String(seg));
        if (pair) {
          next = pair.value;
          keyAt = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined) break;
      const last = i === path.length - 1;
      const nodeAt = (next as YamlNode | null)?.range?.[0];
      if (last && onKey && keyAt !== undefined) best = keyAt;
      else if (nodeAt !== undefined) best = nodeAt;
      else if (keyAt !== undefined) best = keyAt;
      node = next;
    }
    return pos(o.p, best);
  };

  return { value, diagnostics, locate };
}
