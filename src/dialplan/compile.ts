/**
 * The compiler entry: YAML documents → deep-frozen Plan or diagnostics
 * (STYLE G13: load → validate → compile; text in, no fs). Owns: ordering of
 * the passes, the outbound prefix trie, deep freezing (Maps and Sets are
 * frozen too: their mutators throw) and planSummary().
 * Leaves out: reading files and swapping plans (src/engine/plan-holder.ts).
 */
import type { Diagnostic, DialplanErrorCode } from './errors.ts';
import type { OutboundRule, Plan, PrefixNode } from './plan-types.ts';
import type { PathSegment, SourceDoc } from './load.ts';
import type { Reporter } from './load.ts';
import { loadDocuments } from './load.ts';
import { dialplanSchema } from './schema.ts';
import { buildPlan } from './build.ts';
import { reportSchemaIssues, checkForwardingLoops, warnUnreachable } from './validate.ts';
import { renderPath } from './diagnostic-format.ts';

export type CompileOptions = {
  /** Treat warnings (unreachable objects) as errors, for CI of operators' repositories. */
  readonly warningsAsErrors?: boolean;
};

export type CompileResult =
  | { readonly ok: true; readonly plan: Plan; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly warnings: readonly Diagnostic[] };

type MutableNode<T> = { value: T | null; next: Map<string, MutableNode<T>> };

function buildTrie(rules: readonly OutboundRule[]): PrefixNode<OutboundRule> {
  const root: MutableNode<OutboundRule> = { value: null, next: new Map() };
  for (const rule of rules) {
    for (const prefix of rule.prefixes) {
      let node = root;
      for (const ch of prefix) {
        let n = node.next.get(ch);
        if (!n) {
          n = { value: null, next: new Map() };
          node.next.set(ch, n);
        }
        node = n;
      }
      // First rule listed wins for the same prefix.
      if (node.value === null) node.value = rule;
    }
  }
  return root;
}

/** Longest-prefix match in a compiled trie. */
export function longestPrefix<T>(root: PrefixNode<T>, s: string): T | null {
  let node: PrefixNode<T> | undefined = root;
  let best: T | null = root.value;
  for (let i = 0; i < s.length && node; i++) {
    node = node.next.get(s[i] ?? '');
    if (node && node.value !== null) best = node.value;
  }
  return best;
}

function refuse(): never {
  throw new TypeError('the dialplan is frozen: compile a new plan instead');
}

/**
 * Freezes `v` and everything reachable from it. An object that is already
 * frozen counts as deeply frozen (the plan is built fresh by build.ts, so only
 * what this function froze, or primitives-only constants, are frozen). Each
 * object is frozen before its children are visited, so shared objects and
 * cycles are visited once without a visited-set (the set was a tenth of the
 * compile time of a 10,000-user plan).
 */
export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
  if (v instanceof Map) {
    Object.defineProperties(v, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
    Object.freeze(v);
    for (const [k, x] of v) {
      deepFreeze(k);
      deepFreeze(x);
    }
  } else if (v instanceof Set) {
    Object.defineProperties(v, { add: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
    Object.freeze(v);
    for (const x of v) deepFreeze(x);
  } else if (Array.isArray(v)) {
    Object.freeze(v);
    for (let i = 0; i < v.length; i++) deepFreeze(v[i]);
  } else {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export function compileDialplan(docs: readonly SourceDoc[], options: CompileOptions = {}): CompileResult {
  const loaded = loadDocuments(docs);
  const errors: Diagnostic[] = [...loaded.diagnostics];
  const warnings: Diagnostic[] = [];
  const at = (severity: 'error' | 'warning', code: DialplanErrorCode, path: readonly PathSegment[], message: string, onKey?: boolean): Diagnostic => {
    const p = loaded.locate(path, onKey);
    return { severity, code, file: p.file, line: p.line, col: p.col, path: renderPath(path), message };
  };
  const r: Reporter = {
    error: (code, path, message, onKey) => errors.push(at('error', code, path, message, onKey)),
    warn: (code, path, message, onKey) => {
      if (options.warningsAsErrors) errors.push(at('error', code, path, message, onKey));
      else warnings.push(at('warning', code, path, message, onKey));
    },
  };
  if (docs.length === 0) {
    errors.push({ severity: 'error', code: 'DIALPLAN_NO_DOCUMENTS', file: '<none>', line: 0, col: 0, path: '', message: 'no dialplan documents were given; pass at least one YAML file' });
  }
  if (errors.length > 0) return { ok: false, diagnostics: errors, warnings };

  const parsed = dialplanSchema.safeParse(loaded.value);
  if (!parsed.success) {
    reportSchemaIssues(parsed.error.issues, loaded.value, r);
    return { ok: false, diagnostics: sortDiagnostics(errors), warnings };
  }
  const parts = buildPlan(parsed.data, r);
  checkForwardingLoops(parts, r);
  warnUnreachable(parts, r);
  if (errors.length > 0) return { ok: false, diagnostics: sortDiagnostics(errors), warnings: sortDiagnostics(warnings) };

  const { referenced: _referenced, ...rest } = parts;
  const userNumbers = new Map<string, string>();
  for (const n of parts.numbers.values()) if (n.open.kind === 'user' && !userNumbers.has(n.open.ext)) userNumbers.set(n.open.ext, n.did);
  const plan: Plan = deepFreeze({ ...rest, outboundTrie: buildTrie(parts.outbound), userNumbers });
  return { ok: true, plan, warnings: sortDiagnostics(warnings) };
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

export type PlanSummary = Readonly<Record<
  'users' | 'departments' | 'trunks' | 'numbers' | 'schedules' | 'ringGroups' | 'queues' | 'pickupGroups' | 'menus' | 'voicemail' | 'outbound' | 'restrictions' | 'blacklist',
  number
>>;

export function planSummary(plan: Plan): PlanSummary {
  return {
    users: plan.users.size, departments: plan.departments.size, trunks: plan.trunks.size, numbers: plan.numbers.size,
    schedules: plan.schedules.size, ringGroups: plan.ringGroups.size, queues: plan.queues.size, pickupGroups: plan.pickupGroups.size,
    menus: plan.menus.size, voicemail: plan.voicemail.size, outbound: plan.outbound.length, restrictions: plan.restrictions.length,
    blacklist: plan.blacklist.size,
  };
}
