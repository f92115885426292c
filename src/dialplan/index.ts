/**
 * Public face of the dialplan module (STYLE G8): compile YAML text into a
 * frozen Plan, decide routes, explain them, format diagnostics. Pure: no fs,
 * no clock, no sockets.
 */
export { compileDialplan, planSummary, deepFreeze } from './compile.ts';
export type { CompileOptions, CompileResult, PlanSummary } from './compile.ts';
export type { SourceDoc } from './load.ts';
export { decide, decideMenuKey } from './decide.ts';
export { explainRoute, parseRouteTime } from './explain.ts';
export type { RouteQuery } from './explain.ts';
export { formatDiagnostic, formatDiagnostics } from './diagnostic-format.ts';
export { isOpen } from './schedule.ts';
export type { OpenState } from './schedule.ts';
export { normaliseNumber, classifyNumber, formatForTrunk } from './e164.ts';
export { parseDestination, destinationText } from './destination.ts';
export { DIALPLAN_ERROR_CODES, DialplanError } from './errors.ts';
export type { Diagnostic, DialplanErrorCode, Severity } from './errors.ts';
export type * from './plan-types.ts';
