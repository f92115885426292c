/**
 * decide(plan, facts, instant, toggles) → Decision (STYLE G13): a total, pure
 * function. Inbound calls: blacklist (rejected and flagged `intercepted`),
 * DID lookup, schedule/holiday/night state, destination. Internal calls:
 * feature codes, extensions, then outbound. Every step appends to `trace`.
 * The engine follows the Decision, including its run-time fallbacks
 * (no answer, busy, unreachable); the dialplan never asks whether a phone is
 * registered and never reads the clock.
 * Leaves out: SIP (the engine maps facts and decisions), media.
 */
import type { CallFacts, DecideOptions, Decision, Destination, MenuKeyResult, MenuVariant, Plan, Toggles } from './plan-types.ts';
import type { Ctx } from './decide-context.ts';
import { nightFor, reject, sub, MAX_DEPTH } from './decide-context.ts';
import { decideRingGroup, decideUser } from './decide-ring.ts';
import { decideExternal } from './decide-outbound.ts';
import { decideFeature } from './decide-feature.ts';
import { decideMenuKeyWith, menuDecision } from './decide-menu.ts';
import { isOpen } from './schedule.ts';
import { canonicalCaller, normaliseNumber } from './e164.ts';
import { destinationText } from './destination.ts';

const E164_SHAPE = /^\+[1-9][0-9]{6,14}$/;
/** Visual separators people type in numbers (hoisted: a literal in the function is a new RegExp per call). */
const SEPARATORS = /[\s\-().]/g;
const SEPARATOR = /[\s\-().]/;
const DIAL_STRING = /^[+0-9]+$/;

function resolve(d: Destination, ctx: Ctx): Decision {
  if (ctx.depth > MAX_DEPTH * 2) {
    if (ctx.tracing) ctx.trace.push(`routing chain deeper than ${MAX_DEPTH * 2}: stopped`);
    return reject(483, 'Too Many Hops', ctx.trace);
  }
  switch (d.kind) {
    case 'user':
      return decideUser(ctx, d.ext);
    case 'ring_group': {
      const g = ctx.plan.ringGroups.get(d.id);
      return g ? decideRingGroup(ctx, g) : reject(404, `No ring group ${d.id}`, ctx.trace);
    }
    case 'queue': {
      const q = ctx.plan.queues.get(d.id);
      if (!q) return reject(404, `No queue ${d.id}`, ctx.trace);
      if (ctx.tracing) ctx.trace.push(`queue ${q.id}: ${q.strategy} over ${q.members.join(', ')}, max wait ${q.maxWait} s, then ${destinationText(q.overflow)}`);
      const c = sub(ctx);
      // Decided when first read (the engine reads it when the queue gives up); see userFallbacks in decide-ring.ts.
      let overflow: Decision | undefined;
      return {
        kind: 'queue', queue: q.id, members: q.members, maxWait: q.maxWait,
        get overflow(): Decision {
          return (overflow ??= resolve(q.overflow, c));
        },
        trace: ctx.trace,
      };
    }
    case 'menu':
      return menuDecision(ctx, d.id);
    case 'voicemail':
      if (ctx.tracing) ctx.trace.push(`voicemail box ${d.box}`);
      return { kind: 'voicemail', box: d.box, reason: 'direct', trace: ctx.trace };
    case 'external':
      return decideExternal(ctx, d.number);
    case 'announce':
      if (ctx.tracing) ctx.trace.push(`announce ${d.prompt}, then hang up`);
      return { kind: 'announce-hangup', prompt: d.prompt, trace: ctx.trace };
    case 'reject':
      if (ctx.tracing) ctx.trace.push(`reject ${d.status} ${d.reason}`);
      return reject(d.status, d.reason, ctx.trace);
  }
}

function makeCtx(plan: Plan, instant: number, toggles: Toggles, caller: Ctx['caller'], variant: MenuVariant, trace: string[], tracing = true): Ctx {
  return { plan, instant, toggles, caller, variant, divertedBy: null, depth: 0, tracing, trace, resolve };
}

function decideInbound(plan: Plan, facts: Extract<CallFacts, { kind: 'inbound' }>, instant: number, toggles: Toggles, tracing: boolean): Decision {
  const trace: string[] = tracing ? [`inbound call on trunk ${facts.trunk} to ${facts.did} from ${facts.callerNumber || '(anonymous)'}`] : [];
  const country = plan.settings.defaultCountry;
  if (!plan.trunks.has(facts.trunk)) {
    if (tracing) trace.push(`trunk ${facts.trunk} is not in the dialplan`);
    return reject(403, 'Unknown trunk', trace);
  }
  if (plan.blacklist.size > 0 && facts.callerNumber !== '') {
    // Blacklist entries are E.164: a caller already sent as +digits is compared as is; only other
    // forms pay for libphonenumber (tens of µs, the cost that dominated inbound decisions).
    const n = facts.callerNumber;
    const caller = E164_SHAPE.test(n) ? n : canonicalCaller(n, country);
    if (plan.blacklist.has(caller)) {
      if (tracing) trace.push(`caller ${caller} is on the blacklist: rejected and logged as intercepted`);
      return reject(603, 'Decline', trace, true);
    }
  }
  const did = plan.numbers.has(facts.did) ? facts.did : normaliseNumber(facts.did, country);
  const entry = did === null ? undefined : plan.numbers.get(did);
  const ctx = makeCtx(plan, instant, toggles, { kind: 'external', number: facts.callerNumber, name: facts.callerName ?? null }, 'open', trace, tracing);
  if (!entry) {
    if (tracing) trace.push(`number ${did ?? facts.did} is not assigned → ${destinationText(plan.settings.unassigned)}`);
    return resolve(plan.settings.unassigned, ctx);
  }
  let dest = entry.open;
  let variant: MenuVariant = 'open';
  if (entry.schedule !== null) {
    const s = plan.schedules.get(entry.schedule);
    if (s) {
      const night = nightFor(toggles, entry.schedule);
      const st = isOpen(s, instant, night);
      if (tracing) trace.push(`number ${entry.did}: schedule ${s.id}, night switch ${night}: ${st.reason}`);
      if (!st.open) {
        variant = 'closed';
        dest = st.holiday !== null ? entry.holiday : entry.closed;
      }
    }
  }
  if (tracing) trace.push(`number ${entry.did} (${variant}${variant === 'closed' && dest === entry.holiday && entry.holiday !== entry.closed ? ', holiday' : ''}) → ${destinationText(dest)}`);
  return resolve(dest, { ...ctx, variant });
}

function decideInternal(plan: Plan, facts: Extract<CallFacts, { kind: 'internal' }>, instant: number, toggles: Toggles, tracing: boolean): Decision {
  const trace: string[] = tracing ? [`internal call from ${facts.caller} to ${facts.dialled}`] : [];
  if (!plan.users.has(facts.caller)) {
    if (tracing) trace.push(`caller ${facts.caller} is not a user of this plan`);
    return reject(403, 'Unknown caller', trace);
  }
  const ctx = makeCtx(plan, instant, toggles, { kind: 'user', ext: facts.caller }, 'open', trace, tracing);
  // Phones send what the user keyed in; drop the visual separators people type in numbers.
  const dialled = SEPARATOR.test(facts.dialled) ? facts.dialled.replace(SEPARATORS, '') : facts.dialled;
  const f = decideFeature(ctx, facts.caller, dialled);
  if (f !== null) return f;
  const ext = plan.extensions.get(dialled);
  if (ext !== undefined) {
    if (tracing) trace.push(`extension ${dialled} → ${destinationText(ext)}`);
    return resolve(ext, ctx);
  }
  if (dialled === '' || !DIAL_STRING.test(dialled)) {
    if (tracing) trace.push(`\`${dialled}\` is neither a feature code, an extension nor a number`);
    return reject(404, 'Not Found', trace);
  }
  return decideExternal(ctx, dialled);
}

/**
 * `options.trace: false` builds no trace text (every `trace` of the decision
 * and its fallbacks is empty) and is otherwise the same decision: for a hot
 * path that does not log the trace. The default keeps the trace.
 */
export function decide(plan: Plan, facts: CallFacts, instant: number, toggles: Toggles = {}, options: DecideOptions = {}): Decision {
  const tracing = options.trace !== false;
  switch (facts.kind) {
    case 'inbound':
      return decideInbound(plan, facts, instant, toggles, tracing);
    case 'internal':
      return decideInternal(plan, facts, instant, toggles, tracing);
  }
}

/** What a key press (or 'timeout' / 'invalid') in a menu leads to; see decide-menu.ts. */
export function decideMenuKey(
  plan: Plan, menuId: string, variant: MenuVariant, key: string, attempt: number, instant = 0, toggles: Toggles = {},
  caller: Ctx['caller'] = { kind: 'external', number: '', name: null },
): MenuKeyResult {
  return decideMenuKeyWith(
    { makeCtx: (p, i, t, v, tr) => makeCtx(p, i, t, caller, v, tr) },
    plan, menuId, variant, key, attempt, instant, toggles,
  );
}
