/**
 * Calls leaving through trunks: E.164 normalisation with the default country,
 * restrictions (by class, country or prefix, with per-user and per-department
 * exemptions: a blocked call is 403 with Q.850 cause 21 "call rejected"),
 * outbound rule by longest prefix, trunks in failover order with the number
 * formatted per trunk (strip, then prepend), and the caller id to present.
 * Leaves out: least-cost routing by price, trunk liveness (the engine skips a
 * trunk whose OPTIONS ping failed and moves to the next route).
 */
import type { Decision, Plan, TrunkRoute } from './plan-types.ts';
import type { Ctx } from './decide-context.ts';
import { reject, publicNumber } from './decide-context.ts';
import { classifyNumber, formatForTrunk, normaliseNumber } from './e164.ts';
import { longestPrefix } from './compile.ts';

export function trunkRoutes(plan: Plan, e164: string | null, raw: string): { rule: string; routes: TrunkRoute[] } | null {
  const rule = (e164 !== null ? longestPrefix(plan.outboundTrie, e164) : null) ?? longestPrefix(plan.outboundTrie, raw);
  if (rule === null) return null;
  const routes: TrunkRoute[] = [];
  for (const id of rule.trunks) {
    const t = plan.trunks.get(id);
    if (!t) continue;
    const base = e164 !== null ? formatForTrunk(e164, t.numberFormat, plan.settings.defaultCountry) : raw;
    routes.push({ trunk: id, dial: rule.prepend + base.slice(rule.strip) });
  }
  return { rule: rule.name, routes };
}

/** The restriction that blocks this number for this caller, if any. */
function blockedBy(ctx: Ctx, e164: string): string | null {
  const { plan } = ctx;
  if (plan.restrictions.length === 0) return null;
  const { cls, country } = classifyNumber(e164, plan.settings.defaultCountry, plan.settings.premiumPrefixes);
  const user = ctx.caller.kind === 'user' ? plan.users.get(ctx.caller.ext) : undefined;
  for (const r of plan.restrictions) {
    const hit = r.classes.includes(cls) || (country !== null && r.countries.includes(country)) || r.prefixes.some((p) => e164.startsWith(p));
    if (!hit) continue;
    if (user && (r.exemptUsers.includes(user.ext) || (user.department !== null && r.exemptDepartments.includes(user.department)))) {
      if (ctx.tracing) ctx.trace.push(`restriction ${r.name} matches ${e164} (${cls}) but ${user.ext} is exempt`);
      continue;
    }
    return `${r.name} (${cls}${country ? `, ${country}` : ''})`;
  }
  return null;
}

/** An outbound call to `dialled` (as dialled, or already E.164) on behalf of ctx.caller. */
export function decideExternal(ctx: Ctx, dialled: string): Decision {
  const { plan } = ctx;
  const e164 = normaliseNumber(dialled, plan.settings.defaultCountry);
  if (ctx.tracing) ctx.trace.push(e164 !== null ? `external number ${dialled} → ${e164}` : `external number ${dialled} (not an E.164 number; matching raw prefixes)`);
  if (e164 !== null) {
    const blocked = blockedBy(ctx, e164);
    if (blocked !== null) {
      if (ctx.tracing) ctx.trace.push(`blocked by restriction ${blocked}`);
      return reject(403, `Restricted destination: ${blocked}`, ctx.trace);
    }
  }
  const found = trunkRoutes(plan, e164, dialled);
  if (found === null || found.routes.length === 0) {
    if (ctx.tracing) ctx.trace.push('no outbound rule matches');
    return reject(404, 'No route to destination', ctx.trace);
  }
  if (ctx.tracing) ctx.trace.push(`outbound rule ${found.rule}: ${found.routes.map((r) => `${r.trunk} dials ${r.dial}`).join(', then ')}`);
  let callerId: string | null;
  if (ctx.caller.kind === 'user') {
    const u = plan.users.get(ctx.caller.ext);
    callerId = u ? publicNumber(plan, u) : null;
    if (ctx.tracing) ctx.trace.push(`caller id ${callerId ?? '(trunk default)'} (policy ${u?.callerId ?? 'own'})`);
  } else {
    // Forwarded inbound call: keep the original caller and prove the path with Diversion (RFC 5806).
    callerId = ctx.caller.number;
    if (ctx.tracing) ctx.trace.push(`caller id kept: ${callerId}${ctx.divertedBy ? `, Diversion ${ctx.divertedBy}` : ''}`);
  }
  return { kind: 'external', number: e164 ?? dialled, routes: found.routes, callerId, diversion: ctx.divertedBy, trace: ctx.trace };
}
