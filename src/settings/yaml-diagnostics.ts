/**
 * YAML text + zod schema → typed value, or diagnostics that carry
 * file:line:col. Syntax errors come from the yaml parser's own positions;
 * schema errors are placed at the node the zod issue path points to (or the
 * closest existing parent when the key is missing).
 */
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

export interface ConfigDiagnostic {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; diagnostics: ConfigDiagnostic[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

export function formatConfigDiagnostic(d: ConfigDiagnostic): string {
  return `${d.file}:${d.line}:${d.col}: error ${d.code}: ${d.message}${d.path ? ` (${d.path})` : ''}`;
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): { node: Node | undefined; keyNode: boolean } {
  // Walk down as far as the path exists; an issue on a missing key is placed
  // at its parent map.
  let node: unknown = doc.contents;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => {
        const k = it.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && String(k.value) === String(key);
      });
      if (!pair) return { node: node as Node, keyNode: false };
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) return { node: node as Node, keyNode: false };
      node = item;
    } else {
      break;
    }
  }
  return { node: (node ?? undefined) as Node | undefined, keyNode: true };
}

export function parseYamlWithSchema<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  codeForSchemaError = 'CONFIG_INVALID',
): ParseOutcome<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: ConfigDiagnostic[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    diagnostics.push({ code: 'CONFIG_YAML_SYNTAX', file, line: pos.line, col: pos.col, path: '', message: `${e.code}: ${e.message.split('\n')[0]}` });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const raw: unknown = doc.toJS() ?? {};
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // Place each unknown key at the key itself, not at its parent map.
      const { node: parent } = nodeAt(doc, issue.path);
      for (const key of issue.keys) {
        const pair = isMap(parent) ? parent.items.find((it) => String((it.key as { value?: unknown } | null)?.value) === key) : undefined;
        const keyNode = pair?.key as Node | undefined;
        const pos = lineCounter.linePos(keyNode?.range?.[0] ?? parent?.range?.[0] ?? 0);
        diagnostics.push({ code: codeForSchemaError, file, line: pos.line, col: pos.col, path: formatPath([...issue.path, key]), message: `unknown key "${key}": remove it or check its spelling` });
      }
      continue;
    }
    const { node } = nodeAt(doc, issue.path);
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    diagnostics.push({ code: codeForSchemaError, file, line: pos.line, col: pos.col, path: formatPath(issue.path), message: issue.message });
  }
  return { ok: false, diagnostics };
}
