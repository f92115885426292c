/**
 * The route simulator behind `belfry route`: one decision printed as lines,
 * with the trace and every fallback indented below it. Owns: turning CLI-like
 * arguments (from, to, ISO time, night state) into facts and text.
 * Leaves out: argv parsing and the clock (the CLI passes `at` or now).
 */
import { DateTime } from 'luxon';
import type { CallFacts, Decision, NightState, Plan, RingTarget } from './plan-types.ts';
import { decide } from './decide.ts';
import { destinationText } from './destination.ts';

export type RouteQuery = {
  readonly from: string;
  readonly to: string;
  /** Epoch ms. */
  readonly at: number;
  readonly night?: NightState;
  /** Trunk for inbound simulation; default: the first trunk of the plan. */
  readonly trunk?: string;
};

/** ISO 8601 time → epoch ms; a time without offset is read in the plan's time zone. */
export function parseRouteTime(plan: Plan, iso: string): number | null {
  const dt = DateTime.fromISO(iso, { zone: plan.settings.timeZone, setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

function target(t: RingTarget): string {
  const who = t.kind === 'user' ? `user ${t.ext}` : `${t.number} via ${t.routes.map((r) => `${r.trunk}(${r.dial})`).join(' | ')}${t.diversion ? ` Diversion ${t.diversion}` : ''}`;
  return `${who} from ${t.delay} s for ${t.timeout} s`;
}

function summary(d: Decision): string {
  switch (d.kind) {
    case 'ring':
      return `RING ${d.via} (${d.strategy}), total ${d.totalTimeout} s: ${d.targets.map(target).join('; ')}`;
    case 'menu':
      return `MENU ${d.menu} (${d.variant}) prompt ${'file' in d.prompt ? d.prompt.file : `tts "${d.prompt.tts}"`}`;
    case 'queue':
      return `QUEUE ${d.queue} members ${d.members.join(', ')} max wait ${d.maxWait} s`;
    case 'voicemail':
      return `VOICEMAIL ${d.box} (${d.reason})`;
    case 'external':
      return `EXTERNAL ${d.number} via ${d.routes.map((r) => `${r.trunk}(${r.dial})`).join(' then ')}, caller id ${d.callerId ?? '(trunk default)'}${d.diversion ? `, Diversion ${d.diversion}` : ''}`;
    case 'announce-hangup':
      return `ANNOUNCE ${d.prompt} then hang up`;
    case 'reject':
      return `REJECT ${d.status} ${d.reason} (Q.850 cause ${d.cause})${d.intercepted ? ' [intercepted]' : ''}`;
    case 'feature':
      return `FEATURE ${d.feature.kind}${'ext' in d.feature ? ` ${d.feature.ext}` : ''}${d.feature.kind === 'forward-on' ? ` → ${destinationText(d.feature.to)}` : ''}${d.feature.kind === 'night-set' ? ` → ${d.feature.state}` : ''}`;
  }
}

function lines(d: Decision, indent: string, out: string[], depth: number): void {
  for (const t of d.trace) out.push(`${indent}· ${t}`);
  out.push(`${indent}→ ${summary(d)}`);
  if (depth > 3) return;
  if (d.kind === 'ring') {
    const fb = d.fallbacks;
    const seen = new Set<Decision>();
    for (const [name, x] of [['no answer', fb.noAnswer], ['busy', fb.busy], ['unreachable', fb.unreachable]] as const) {
      if (seen.has(x)) {
        out.push(`${indent}  if ${name}: same as above`);
        continue;
      }
      seen.add(x);
      out.push(`${indent}  if ${name}:`);
      lines(x, `${indent}    `, out, depth + 1);
    }
  } else if (d.kind === 'queue') {
    out.push(`${indent}  on overflow:`);
    lines(d.overflow, `${indent}    `, out, depth + 1);
  }
}

export function explainRoute(plan: Plan, q: RouteQuery): string[] {
  const facts: CallFacts = plan.users.has(q.from)
    ? { kind: 'internal', caller: q.from, dialled: q.to }
    : { kind: 'inbound', trunk: q.trunk ?? plan.trunks.keys().next().value ?? '', did: q.to, callerNumber: q.from };
  const local = DateTime.fromMillis(q.at, { zone: plan.settings.timeZone });
  const out = [`route ${q.from} → ${q.to} at ${local.toISO() ?? String(q.at)} (${plan.settings.timeZone}), night switch ${q.night ?? 'auto'}`];
  const d = decide(plan, facts, q.at, { night: q.night ?? 'auto' });
  lines(d, '', out, 0);
  return out;
}
