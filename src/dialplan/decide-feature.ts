/**
 * Feature codes dialled by internal users (defaults follow the Dutch hosted-PBX
 * guides: *98 group pickup, **<ext> directed pickup, *97 own voicemail; see
 * docs/dialplan.md for the others and the FreePBX collisions). The decision
 * says what to do; the engine performs it and stores the new DND, forwarding
 * or night state, then passes it back in Toggles.
 * Leaves out: PIN-protected codes.
 */
import type { Decision, FeatureAction, Destination } from './plan-types.ts';
import type { Ctx } from './decide-context.ts';
import { userDnd, userAlways, nightFor, reject } from './decide-context.ts';
import { isOpen } from './schedule.ts';
import { normaliseNumber } from './e164.ts';

function feature(ctx: Ctx, f: FeatureAction, what: string): Decision {
  if (ctx.tracing) ctx.trace.push(`feature code: ${what}`);
  return { kind: 'feature', feature: f, trace: ctx.trace };
}

/** The feature this dialled string asks for, or null when it is not a feature code. */
export function decideFeature(ctx: Ctx, ext: string, dialled: string): Decision | null {
  const { plan } = ctx;
  const fc = plan.settings.featureCodes;
  if (dialled[0] !== '*' && dialled[0] !== '#') return null;
  const u = plan.users.get(ext);
  if (!u) return null;
  const sched = plan.settings.defaultSchedule;
  switch (dialled) {
    case fc.pickupGroup: {
      const groups = plan.pickupOf.get(ext) ?? [];
      const members = [...new Set(groups.flatMap((g) => plan.pickupGroups.get(g)?.members ?? []))].filter((m) => m !== ext);
      if (groups.length === 0) {
        if (ctx.tracing) ctx.trace.push(`feature code ${dialled}: ${ext} is in no pickup group`);
        return reject(404, 'Not in a pickup group', ctx.trace);
      }
      return feature(ctx, { kind: 'pickup-group', groups, members }, `group pickup (${groups.join(', ')}: ${members.join(', ')})`);
    }
    case fc.voicemail:
      return feature(ctx, { kind: 'voicemail', box: u.voicemail }, `voicemail box ${u.voicemail ?? '(none)'}`);
    case fc.dndToggle: {
      const dnd = !userDnd(ctx, u);
      return feature(ctx, { kind: 'dnd-toggle', ext, dnd }, `do-not-disturb ${dnd ? 'on' : 'off'} for ${ext}`);
    }
    case fc.forwardOff:
      return feature(ctx, { kind: 'forward-off', ext }, `forwarding off for ${ext}`);
    case fc.nightAuto:
      return feature(ctx, { kind: 'night-set', schedule: sched, state: 'auto' }, 'night switch auto (follow the schedule)');
    case fc.nightOpen:
      return feature(ctx, { kind: 'night-set', schedule: sched, state: 'open' }, 'night switch forced open');
    case fc.nightClosed:
      return feature(ctx, { kind: 'night-set', schedule: sched, state: 'closed' }, 'night switch forced closed');
    case fc.nightToggle: {
      // Toggle flips what callers get now: an override goes back to auto; auto becomes the opposite of the schedule.
      const current = nightFor(ctx.toggles, sched);
      let state: 'auto' | 'open' | 'closed' = 'auto';
      if (current === 'auto') {
        const s = sched === null ? undefined : plan.schedules.get(sched);
        state = s && !isOpen(s, ctx.instant, 'auto').open ? 'open' : 'closed';
      }
      return feature(ctx, { kind: 'night-set', schedule: sched, state }, `night switch toggle: ${current} → ${state}`);
    }
    default:
      break;
  }
  if (dialled.startsWith(fc.pickupDirect) && dialled.length > fc.pickupDirect.length) {
    const target = dialled.slice(fc.pickupDirect.length);
    if (!plan.users.has(target)) {
      if (ctx.tracing) ctx.trace.push(`directed pickup of ${target}: no such user`);
      return reject(404, `No user ${target}`, ctx.trace);
    }
    return feature(ctx, { kind: 'pickup-direct', ext: target }, `directed pickup of ${target}`);
  }
  if (dialled.startsWith(fc.forwardOn)) {
    const rest = dialled.slice(fc.forwardOn.length);
    if (rest === '') {
      if (ctx.tracing) ctx.trace.push(`feature code ${fc.forwardOn} needs a number after it`);
      return reject(484, 'Address Incomplete', ctx.trace);
    }
    let to: Destination | null = plan.extensions.get(rest) ?? null;
    if (to === null) {
      const n = normaliseNumber(rest, plan.settings.defaultCountry);
      to = n === null ? null : { kind: 'external', number: n };
    }
    if (to === null) {
      if (ctx.tracing) ctx.trace.push(`forwarding target ${rest} is neither an extension nor a valid number`);
      return reject(484, 'Address Incomplete', ctx.trace);
    }
    return feature(ctx, { kind: 'forward-on', ext, to }, `forward ${ext} always to ${rest}`);
  }
  return null;
}
