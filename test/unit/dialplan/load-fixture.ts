/** Shared arrange step for the dialplan unit tests: compile a fixture file (fs lives in tests, not in src/dialplan). */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileDialplan } from '../../../src/dialplan/index.ts';
import type { Plan } from '../../../src/dialplan/index.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/dialplan/', import.meta.url));
export const CONFIG = fileURLToPath(new URL('../../../config/dialplan/', import.meta.url));

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
}

export function loadPlan(file = 'good/test-office.yaml'): Plan {
  const r = compileDialplan([{ file, text: readFileSync(FIXTURES + file, 'utf8') }]);
  if (!r.ok) throw new Error(`fixture ${file} does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.plan;
}

/** Local Amsterdam wall times used across the tests (CET = UTC+1 in winter). */
export const AT = {
  mondayOpen: Date.parse('2026-11-23T10:00:00+01:00'),
  mondayEvening: Date.parse('2026-11-23T20:00:00+01:00'),
  christmas: Date.parse('2026-12-25T10:00:00+01:00'),
  newYearsEveMorning: Date.parse('2026-12-31T10:00:00+01:00'),
  newYearsEveAfternoon: Date.parse('2026-12-31T13:00:00+01:00'),
} as const;
