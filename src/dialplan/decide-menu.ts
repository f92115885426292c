/**
 * IVR menu decisions: which variant (open/closed) a menu plays, and what a key
 * press, a timeout or an invalid key leads to. `attempt` is the 1-based count
 * of the current failure: while attempt ≤ retries the caller hears the menu
 * again (menu-retry), after that the variant's timeout/invalid destination.
 * With direct_dial, a multi-digit entry that is an internal extension is
 * dialled directly. Leaves out: playing prompts and collecting DTMF (src/ivr).
 */
import type { Decision, MenuKeyResult, MenuVariant, Plan, Toggles } from './plan-types.ts';
import type { Ctx } from './decide-context.ts';
import { nightFor, reject } from './decide-context.ts';
import { isOpen } from './schedule.ts';
import { destinationText } from './destination.ts';

export function menuDecision(ctx: Ctx, id: string): Decision {
  const m = ctx.plan.menus.get(id);
  if (!m) return reject(404, `No menu ${id}`, ctx.trace);
  let variant: MenuVariant = ctx.variant;
  if (m.schedule !== null) {
    const s = ctx.plan.schedules.get(m.schedule);
    if (s) {
      const st = isOpen(s, ctx.instant, nightFor(ctx.toggles, m.schedule));
      variant = st.open ? 'open' : 'closed';
      if (ctx.tracing) ctx.trace.push(`menu ${id} schedule ${m.schedule}: ${st.reason}`);
    }
  }
  if (ctx.tracing) ctx.trace.push(`play menu ${id} (${variant} variant)`);
  return { kind: 'menu', menu: id, variant, prompt: m[variant].prompt, timeoutSeconds: m.timeoutSeconds, trace: ctx.trace };
}

export type MenuKeyDeps = { readonly makeCtx: (plan: Plan, instant: number, toggles: Toggles, variant: MenuVariant, trace: string[]) => Ctx };

export function decideMenuKeyWith(
  deps: MenuKeyDeps, plan: Plan, menuId: string, variant: MenuVariant, key: string, attempt: number, instant: number, toggles: Toggles,
): MenuKeyResult {
  const trace: string[] = [];
  const m = plan.menus.get(menuId);
  if (!m) return reject(404, `No menu ${menuId}`, [`menu ${menuId} does not exist in this plan`]);
  const spec = m[variant];
  const ctx = deps.makeCtx(plan, instant, toggles, variant, trace);
  const chosen = key.length === 1 ? spec.keys.get(key) : undefined;
  if (chosen !== undefined) {
    trace.push(`menu ${menuId} (${variant}): key ${key} → ${destinationText(chosen)}`);
    return ctx.resolve(chosen, ctx);
  }
  if (key.length > 1 && key !== 'timeout' && key !== 'invalid') {
    const d = m.directDial ? plan.extensions.get(key) : undefined;
    if (d !== undefined) {
      trace.push(`menu ${menuId} (${variant}): direct dial ${key} → ${destinationText(d)}`);
      return ctx.resolve(d, ctx);
    }
  }
  const why = key === 'timeout' ? 'timeout' : 'invalid';
  trace.push(`menu ${menuId} (${variant}): ${why === 'timeout' ? 'no key pressed' : `invalid entry ${key}`} (attempt ${attempt} of ${m.retries + 1})`);
  if (attempt <= m.retries) {
    trace.push('play the menu again');
    return { kind: 'menu-retry', menu: menuId, variant, attempt: attempt + 1, trace };
  }
  const dest = why === 'timeout' ? spec.timeout : spec.invalid;
  trace.push(`retries used up → ${destinationText(dest)}`);
  return ctx.resolve(dest, ctx);
}
