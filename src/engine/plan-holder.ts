/**
 * Holds the running dialplan: one reference, swapped whole (STYLE G13).
 * Reload = read files → compile → swap. A failed compile keeps the running
 * plan and reports its diagnostics. Reading the files is the only I/O here;
 * the compiler itself is pure. Calls never hold the holder: they capture
 * the Plan they were decided under (engine/router.ts), so a swap cannot
 * change a call in progress.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDialplan, formatDiagnostic, type Diagnostic, type Plan, type SourceDoc } from '../dialplan/index.ts';

export interface ReloadResult {
  readonly ok: boolean;
  readonly version: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly at: number;
}

export function readDialplanDir(dir: string): SourceDoc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

export function compileDir(dir: string): { ok: true; plan: Plan; warnings: readonly Diagnostic[] } | { ok: false; diagnostics: readonly Diagnostic[]; warnings: readonly Diagnostic[] } {
  let docs: SourceDoc[];
  try {
    docs = readDialplanDir(dir);
  } catch (e) {
    return { ok: false, diagnostics: [{ severity: 'error', code: 'DIALPLAN_YAML_SYNTAX', file: dir, line: 0, col: 0, path: '', message: `cannot read the dialplan folder: ${(e as Error).message}` }], warnings: [] };
  }
  return compileDialplan(docs);
}

export class PlanHolder {
  #plan: Plan;
  #version = 1;
  #last: ReloadResult | undefined;
  readonly #dir: string;
  readonly #listeners: Array<(plan: Plan, version: number) => void> = [];

  constructor(dir: string, initial: Plan) {
    this.#dir = dir;
    this.#plan = initial;
  }

  get plan(): Plan {
    return this.#plan;
  }

  get version(): number {
    return this.#version;
  }

  get lastReload(): ReloadResult | undefined {
    return this.#last;
  }

  onSwap(l: (plan: Plan, version: number) => void): void {
    this.#listeners.push(l);
  }

  reload(now: number): ReloadResult {
    const r = compileDir(this.#dir);
    const warnings = r.warnings.map(formatDiagnostic);
    if (!r.ok) {
      this.#last = { ok: false, version: this.#version, errors: r.diagnostics.map(formatDiagnostic), warnings, at: now };
      return this.#last;
    }
    this.#plan = r.plan;
    this.#version++;
    // The swap has happened: a listener that throws (a directory rebuild) must not undo it or
    // starve the listeners after it. Its failure is reported with the result.
    const failures: string[] = [];
    for (const l of this.#listeners) {
      try {
        l(r.plan, this.#version);
      } catch (e) {
        failures.push(`after the swap: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.#last = { ok: true, version: this.#version, errors: [], warnings: [...warnings, ...failures], at: now };
    return this.#last;
  }
}
