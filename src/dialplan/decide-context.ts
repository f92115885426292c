/**
 * Shared context of one decide() run and the small helpers every decide-*.ts
 * file needs: reject decisions with their Q.850 cause (RFC 3398 §8.2.6.1
 * mapping read backwards), night state per schedule, user overrides.
 * Owns no routing logic itself.
 */
import type { Decision, Destination, MenuVariant, NightState, Plan, Toggles, User } from './plan-types.ts';

export type Caller =
  | { readonly kind: 'user'; readonly ext: string }
  | { readonly kind: 'external'; readonly number: string; readonly name: string | null };

export type Ctx = {
  readonly plan: Plan;
  readonly instant: number;
  readonly toggles: Toggles;
  readonly caller: Caller;
  /** Variant of the schedule that led here (menus without their own schedule use it). */
  readonly variant: MenuVariant;
  /** Public number of the user whose forwarding sent the call out (Diversion, RFC 5806). */
  readonly divertedBy: string | null;
  readonly depth: number;
  /** False on the engine's hot path (DecideOptions.trace): no trace text is built, `trace` stays empty. */
  readonly tracing: boolean;
  readonly trace: string[];
  readonly resolve: (d: Destination, ctx: Ctx) => Decision;
};

export const MAX_DEPTH = 4;

/** SIP status → Q.850 cause (RFC 3398 §8.2.6.1, used in the SIP → ISDN direction). */
const CAUSES: Readonly<Record<number, number>> = { 403: 21, 404: 1, 480: 18, 482: 25, 483: 25, 484: 28, 486: 17, 500: 41, 503: 41, 603: 21 };

export function reject(status: number, reason: string, trace: readonly string[], intercepted = false): Decision {
  return { kind: 'reject', status, cause: CAUSES[status] ?? 31, reason, intercepted, trace };
}

export function nightFor(toggles: Toggles, schedule: string | null): NightState {
  const own = schedule === null ? undefined : toggles.nightBySchedule?.[schedule];
  if (own !== undefined && own !== 'auto') return own;
  return toggles.night ?? 'auto';
}

/** DND as set by feature code, else as written in the YAML. */
export function userDnd(ctx: Ctx, u: User): boolean {
  return ctx.toggles.users?.[u.ext]?.dnd ?? u.dnd;
}

/** Forward-always as set by feature code (null clears it), else as written in the YAML. */
export function userAlways(ctx: Ctx, u: User): Destination | null {
  const o = ctx.toggles.users?.[u.ext];
  return o !== undefined && o.forwardAlways !== undefined ? o.forwardAlways : u.forward.always;
}

export function isBusy(ctx: Ctx, ext: string): boolean {
  return (ctx.toggles.busyCounts?.[ext] ?? 0) > 0;
}

/** Public number of a user for caller id and Diversion: presentation, own DID, department. */
export function publicNumber(plan: Plan, u: User): string | null {
  if (u.callerId.startsWith('+')) return u.callerId;
  const dept = u.department === null ? null : (plan.departments.get(u.department)?.number ?? null);
  if (u.callerId === 'department') return dept;
  return plan.userNumbers.get(u.ext) ?? dept;
}

/** A child context with its own trace (fallbacks explain themselves). Written out, not spread: this is the hot path. */
export function sub(ctx: Ctx, divertedBy: string | null = ctx.divertedBy, variant: MenuVariant = ctx.variant): Ctx {
  return {
    plan: ctx.plan, instant: ctx.instant, toggles: ctx.toggles, caller: ctx.caller, variant, divertedBy,
    depth: ctx.depth + 1, tracing: ctx.tracing, trace: [], resolve: ctx.resolve,
  };
}
