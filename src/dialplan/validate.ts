/**
 * Diagnostics that are not about one scalar: zod schema issues mapped to YAML
 * positions (with "did you mean" for unknown keys), forwarding loops over
 * `forward.always` (the only kind that loops with no time passing), and
 * warnings for objects nothing can reach.
 * Leaves out: per-node format and reference checks (build.ts).
 */
import { z } from 'zod';
import type { PathSegment } from './load.ts';
import type { PlanParts } from './build.ts';
import type { Reporter } from './load.ts';
import { dialplanSchema } from './schema.ts';
import { closest } from './diagnostic-format.ts';

type Issue = z.core.$ZodIssue;

/** Known keys of the object schema at `path`, walking records, arrays, unions and optionals. */
function keysAt(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let cur: unknown = schema;
  let value: unknown = data;
  const step = (s: unknown): unknown => {
    for (let guard = 0; guard < 10; guard++) {
      if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
      else if (s instanceof z.ZodPipe) s = s.in;
      else if (s instanceof z.ZodUnion) {
        const obj = s.options.find((o: unknown) => o instanceof z.ZodObject || o instanceof z.ZodRecord || o instanceof z.ZodArray);
        if (!obj) return s;
        s = obj;
      } else return s;
    }
    return s;
  };
  for (const seg of path) {
    cur = step(cur);
    if (cur instanceof z.ZodObject) cur = (cur.shape as Record<string, unknown>)[String(seg)];
    else if (cur instanceof z.ZodRecord) cur = cur.valueType;
    else if (cur instanceof z.ZodArray) cur = cur.element;
    else return [];
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[String(seg)] : undefined;
  }
  cur = step(cur);
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : [];
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v = data;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[String(seg)] : undefined;
  return v;
}

export function reportSchemaIssues(issues: readonly Issue[], data: unknown, r: Reporter, prefix: readonly PathSegment[] = []): void {
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = keysAt(dialplanSchema, path, data);
        for (const k of issue.keys) {
          const hint = closest(k, known);
          r.error('DIALPLAN_UNKNOWN_KEY', [...path, k], `unknown key \`${k}\`${hint ? `; did you mean \`${hint}\`?` : ''} (allowed here: ${known.join(', ')})`, true);
        }
        break;
      }
      case 'invalid_union': {
        // Report the branch whose shape matches what was written (object vs string).
        const written = valueAt(data, path);
        const branches = issue.errors;
        // A branch whose root is the wrong type (or another union of wrong types) is not what the author meant.
        const fitting = branches.find((b) => !b.some((e) => (e.code === 'invalid_type' || e.code === 'invalid_union') && e.path.length === 0)) ?? branches[0];
        if (written === undefined) {
          r.error('DIALPLAN_MISSING_FIELD', path.slice(0, -1), `missing required field \`${String(path[path.length - 1])}\``, true);
        } else if (fitting && fitting.length > 0) reportSchemaIssues(fitting, data, r, path);
        else r.error('DIALPLAN_INVALID_VALUE', path, `invalid value: ${issue.message}`);
        break;
      }
      case 'invalid_type': {
        const written = valueAt(data, path);
        if (written === undefined) {
          const key = path[path.length - 1];
          r.error('DIALPLAN_MISSING_FIELD', path.slice(0, -1), `missing required field \`${String(key)}\` (${issue.expected})`, true);
        } else {
          r.error('DIALPLAN_INVALID_VALUE', path, `expected ${issue.expected}, got ${written === null ? 'null' : typeof written === 'object' ? (Array.isArray(written) ? 'a list' : 'a map') : `\`${String(written)}\``}`);
        }
        break;
      }
      default:
        r.error('DIALPLAN_INVALID_VALUE', path, issue.message);
    }
  }
}

/** forward.always chains between users must not come back to where they started. */
export function checkForwardingLoops(parts: PlanParts, r: Reporter): void {
  const next = (ext: string): string | null => {
    const a = parts.users.get(ext)?.forward.always;
    return a && a.kind === 'user' ? a.ext : null;
  };
  const done = new Set<string>();
  for (const start of parts.users.keys()) {
    if (done.has(start)) continue;
    const chain: string[] = [];
    const onChain = new Set<string>();
    let cur: string | null = start;
    while (cur !== null && !done.has(cur) && !onChain.has(cur)) {
      chain.push(cur);
      onChain.add(cur);
      cur = next(cur);
    }
    if (cur !== null && onChain.has(cur)) {
      const cycle = chain.slice(chain.indexOf(cur));
      r.error('DIALPLAN_FORWARDING_LOOP', ['users', cur, 'forward', 'always'], `forwarding loop ${[...cycle, cur].join(' → ')}; remove forward.always on one of them`);
    }
    for (const c of chain) done.add(c);
  }
}

/** Ring groups, queues and menus that no number, menu, forwarding, overflow or extension reaches. */
export function warnUnreachable(parts: PlanParts, r: Reporter): void {
  for (const [id, g] of parts.ringGroups) {
    if (g.extension === null && !parts.referenced.has(`ring_group:${id}`)) r.warn('DIALPLAN_UNREACHABLE', ['ring_groups', id], `ring group ${id} is unreachable: no number, menu, forwarding or overflow points to it and it has no extension`, true);
  }
  for (const [id, q] of parts.queues) {
    if (q.extension === null && !parts.referenced.has(`queue:${id}`)) r.warn('DIALPLAN_UNREACHABLE', ['queues', id], `queue ${id} is unreachable: nothing points to it and it has no extension`, true);
  }
  for (const [id, m] of parts.menus) {
    if (m.extension === null && !parts.referenced.has(`menu:${id}`)) r.warn('DIALPLAN_UNREACHABLE', ['ivr_menus', id], `IVR menu ${id} is unreachable: no number or menu points to it and it has no extension`, true);
  }
}
