/**
 * Ring decisions: a user (desk phone plus Anywhere legs, forwarding and DND)
 * and ring groups with their strategies. Busy is belfry's own count of the
 * member's calls (Toggles.busyCounts), not what the phone says.
 *
 * Strategies (names as Asterisk app_queue):
 *   ringall      all members at once
 *   hunt         one after another in the order written
 *   rrmemory     one after another, starting after the member who answered last
 *   leastrecent  one after another, least recently finished call first
 *   fewestcalls  one after another, fewest completed calls first
 *   random       one after another in a seeded random order (Toggles.seed)
 * Sequential strategies become targets with growing `delay` so the engine runs
 * every strategy the same way: start each target at its delay, stop it after
 * its timeout, stop everything at totalTimeout, then follow fallbacks.noAnswer.
 * Leaves out: queue agents, wrap-up time and penalties (queues are a separate app).
 */
import type { Decision, Fallbacks, GroupStats, RingGroup, RingMember, RingTarget, User } from './plan-types.ts';
import type { Ctx } from './decide-context.ts';
import { userDnd, userAlways, isBusy, MAX_DEPTH, publicNumber, reject, sub } from './decide-context.ts';
import { trunkRoutes } from './decide-outbound.ts';
import { destinationText } from './destination.ts';

function memberKey(m: RingMember): string {
  return m.target.kind === 'user' ? m.target.ext : m.target.number;
}

/** mulberry32: a tiny seeded PRNG so `random` is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash(s: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

/**
 * Members in ringing order. The result is only read: with no statistics for
 * the group (every key equal, ties kept in the written order) it is the
 * plan's own array, so the common case allocates nothing.
 */
export function orderMembers(g: RingGroup, stats: GroupStats | undefined, seed: number): readonly RingMember[] {
  switch (g.strategy) {
    case 'ringall':
    case 'hunt':
      return g.members;
    case 'rrmemory': {
      const last = stats?.lastAnswered;
      const ms = g.members;
      const i = last === undefined ? -1 : ms.findIndex((m) => memberKey(m) === last);
      return i < 0 ? ms : [...ms.slice(i + 1), ...ms.slice(0, i + 1)];
    }
    case 'leastrecent': {
      const end = stats?.lastCallEnd;
      if (end === undefined) return g.members;
      return g.members.map((m, i) => ({ m, i, k: end[memberKey(m)] ?? -Infinity })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.m);
    }
    case 'fewestcalls': {
      const count = stats?.callCount;
      if (count === undefined) return g.members;
      return g.members.map((m, i) => ({ m, i, k: count[memberKey(m)] ?? 0 })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.m);
    }
    case 'random': {
      const ms = [...g.members];
      const rnd = prng(seed ^ hash(g.id));
      for (let i = ms.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        const a = ms[i];
        const b = ms[j];
        if (a && b) {
          ms[i] = b;
          ms[j] = a;
        }
      }
      return ms;
    }
  }
}

function externalTarget(ctx: Ctx, number: string, delay: number, timeout: number, keepCallerId: boolean, diversion: string | null): RingTarget | null {
  const found = trunkRoutes(ctx.plan, number, number);
  if (found === null || found.routes.length === 0) {
    if (ctx.tracing) ctx.trace.push(`no outbound rule for ${number}; leg skipped`);
    return null;
  }
  return { kind: 'external', number, routes: found.routes, delay, timeout, keepCallerId, diversion };
}

function userFallback(ctx: Ctx, u: User, which: 'noAnswer' | 'busy' | 'unreachable', divertedBy: string): Decision {
  const fwd = u.forward[which];
  const c = sub(ctx, divertedBy);
  const reason = which === 'noAnswer' ? 'no-answer' : which;
  if (fwd !== null) {
    if (c.tracing) c.trace.push(`${u.ext} ${reason}: forward to ${destinationText(fwd)}`);
    if (fwd.kind === 'voicemail') return { kind: 'voicemail', box: fwd.box, reason, trace: c.trace };
    return c.depth > MAX_DEPTH ? reject(483, 'Forwarding chain too long', c.trace) : ctx.resolve(fwd, c);
  }
  if (u.voicemail !== null) {
    if (c.tracing) c.trace.push(`${u.ext} ${reason}: voicemail ${u.voicemail}`);
    return { kind: 'voicemail', box: u.voicemail, reason, trace: c.trace };
  }
  if (c.tracing) c.trace.push(`${u.ext} ${reason}: no forwarding and no voicemail`);
  return which === 'busy' ? reject(486, 'Busy Here', c.trace) : reject(480, 'Temporarily Unavailable', c.trace);
}

export function decideUser(ctx: Ctx, ext: string): Decision {
  const u = ctx.plan.users.get(ext);
  if (!u) return reject(404, `No user ${ext}`, ctx.trace);
  const always = userAlways(ctx, u);
  if (always !== null) {
    if (ctx.tracing) ctx.trace.push(`${ext} forwards always to ${destinationText(always)}`);
    if (ctx.depth >= 8) return reject(483, 'Forwarding chain too long', ctx.trace);
    const c: Ctx = { ...ctx, depth: ctx.depth + 1, divertedBy: publicNumber(ctx.plan, u) ?? u.ext };
    return ctx.resolve(always, c);
  }
  const publicNo = publicNumber(ctx.plan, u) ?? ext;
  if (userDnd(ctx, u)) {
    if (ctx.tracing) ctx.trace.push(`${ext} has do-not-disturb on: treated as busy`);
    const d = userFallback(ctx, u, 'busy', publicNo);
    return { ...d, trace: [...ctx.trace, ...d.trace] };
  }
  if (isBusy(ctx, ext) && u.forward.busy !== null) {
    if (ctx.tracing) ctx.trace.push(`${ext} is busy (belfry's call count)`);
    const d = userFallback(ctx, u, 'busy', publicNo);
    return { ...d, trace: [...ctx.trace, ...d.trace] };
  }
  const timeout = u.forward.noAnswerAfter;
  const targets: RingTarget[] = [{ kind: 'user', ext, delay: 0, timeout }];
  if (u.anywhere !== null) {
    const a = u.anywhere;
    const diversion = a.diversion ? publicNo : null;
    for (const n of a.numbers) {
      const t = externalTarget(ctx, n, a.delay, Math.max(1, timeout - a.delay), a.keepCallerId, diversion);
      if (t) targets.push(t);
    }
    if (ctx.tracing) ctx.trace.push(`Anywhere for ${ext}: ${a.numbers.join(', ')} after ${a.delay} s, caller id ${a.keepCallerId ? 'kept' : 'own'}${diversion ? `, Diversion ${diversion}` : ''}`);
  }
  if (ctx.tracing) ctx.trace.push(`ring ${ext} for ${timeout} s`);
  return {
    kind: 'ring', via: `user:${ext}`, strategy: 'user', targets, totalTimeout: timeout, recording: u.recording, callerNamePrefix: '',
    fallbacks: new UserFallbacks(ctx, u, publicNo),
    trace: ctx.trace,
  };
}

/**
 * The three fallbacks of a user, each decided the first time it is read and
 * then kept. The engine reads one only when the call fails, so most calls
 * never pay for them. Deciding later gives the same answer as deciding now:
 * decide() is pure and plan, toggles and instant are captured values (the
 * fallback's own trace never touches the parent's). A class with prototype
 * getters, not an object literal with getters: V8 builds those through a slow
 * runtime path (measured: 5x slower decisions). `toJSON` keeps
 * `JSON.stringify(decision)` as it was.
 */
class UserFallbacks implements Fallbacks {
  #noAnswer: Decision | undefined;
  #busy: Decision | undefined;
  #unreachable: Decision | undefined;
  readonly #ctx: Ctx;
  readonly #u: User;
  readonly #publicNo: string;
  constructor(ctx: Ctx, u: User, publicNo: string) {
    this.#ctx = ctx;
    this.#u = u;
    this.#publicNo = publicNo;
  }
  get noAnswer(): Decision {
    return (this.#noAnswer ??= userFallback(this.#ctx, this.#u, 'noAnswer', this.#publicNo));
  }
  get busy(): Decision {
    return (this.#busy ??= userFallback(this.#ctx, this.#u, 'busy', this.#publicNo));
  }
  get unreachable(): Decision {
    return (this.#unreachable ??= userFallback(this.#ctx, this.#u, 'unreachable', this.#publicNo));
  }
  toJSON(): Fallbacks {
    return { noAnswer: this.noAnswer, busy: this.busy, unreachable: this.unreachable };
  }
}

/**
 * A ring group's overflow, decided when first read, behind all three
 * fallbacks; see UserFallbacks. It has its own context and trace, so deciding
 * it later changes nothing else. Data, not a closure: tsx (esbuild keepNames)
 * names every closure it creates, which cost more than the overflow itself.
 */
function groupOverflow(ctx: Ctx, g: RingGroup): Decision {
  const c = sub(ctx);
  if (c.tracing) c.trace.push(`ring group ${g.id} overflow → ${destinationText(g.overflow)}`);
  return ctx.depth >= 8 ? reject(483, 'Overflow chain too long', c.trace) : ctx.resolve(g.overflow, c);
}

class OverflowFallbacks implements Fallbacks {
  #d: Decision | undefined;
  readonly #ctx: Ctx;
  readonly #g: RingGroup;
  constructor(ctx: Ctx, g: RingGroup) {
    this.#ctx = ctx;
    this.#g = g;
  }
  get noAnswer(): Decision {
    return (this.#d ??= groupOverflow(this.#ctx, this.#g));
  }
  get busy(): Decision {
    return this.noAnswer;
  }
  get unreachable(): Decision {
    return this.noAnswer;
  }
  toJSON(): Fallbacks {
    return { noAnswer: this.noAnswer, busy: this.noAnswer, unreachable: this.noAnswer };
  }
}

export function decideRingGroup(ctx: Ctx, g: RingGroup): Decision {
  const ordered = orderMembers(g, ctx.toggles.groupStats?.[g.id], ctx.toggles.seed ?? 0);
  if (ctx.tracing) {
    let orderText = '';
    for (const m of ordered) orderText += orderText === '' ? memberKey(m) : `, ${memberKey(m)}`;
    ctx.trace.push(`ring group ${g.id}: strategy ${g.strategy}, order ${orderText}`);
  }
  const parallel = g.strategy === 'ringall';
  const targets: RingTarget[] = [];
  let delay = 0;
  for (const m of ordered) {
    if (!parallel && delay >= g.totalRingTime) {
      if (ctx.tracing) ctx.trace.push(`total ring time ${g.totalRingTime} s reached before ${memberKey(m)}`);
      break;
    }
    const timeout = Math.min(m.ringTime, g.totalRingTime - delay);
    let t: RingTarget | null = null;
    if (m.target.kind === 'external') {
      t = externalTarget(ctx, m.target.number, delay, timeout, true, null);
    } else {
      const ext = m.target.ext;
      const u = ctx.plan.users.get(ext);
      if (!u) continue;
      if (userDnd(ctx, u)) {
        if (ctx.tracing) ctx.trace.push(`${ext} skipped: do-not-disturb`);
        continue;
      }
      const always = g.followForwarding ? userAlways(ctx, u) : null;
      if (always !== null) {
        const to = always;
        if (to.kind === 'user') t = { kind: 'user', ext: to.ext, delay, timeout };
        else if (to.kind === 'external') t = externalTarget(ctx, to.number, delay, timeout, true, publicNumber(ctx.plan, u) ?? ext);
        if (ctx.tracing) ctx.trace.push(t ? `${ext} forwards always: ringing ${destinationText(to)} instead` : `${ext} forwards to ${destinationText(to)}, not ringable in a group: skipped`);
      } else if (isBusy(ctx, ext) && g.busy === 'skip') {
        if (ctx.tracing) ctx.trace.push(`${ext} skipped: busy (belfry's call count)`);
        continue;
      } else {
        if (ctx.tracing && isBusy(ctx, ext)) ctx.trace.push(`${ext} is busy: ringing anyway (busy: ring, call waiting)`);
        t = { kind: 'user', ext, delay, timeout };
      }
    }
    if (t === null) continue;
    targets.push(t);
    if (!parallel) delay += timeout;
  }
  if (targets.length === 0) {
    const overflow = groupOverflow(ctx, g);
    if (ctx.tracing) ctx.trace.push(`no member of ${g.id} can ring: straight to overflow ${destinationText(g.overflow)}`);
    return { ...overflow, trace: [...ctx.trace, ...overflow.trace] };
  }
  let longest = 0;
  let targetText = '';
  for (const t of targets) {
    if (t.timeout > longest) longest = t.timeout;
    if (ctx.tracing) targetText += `${targetText === '' ? '' : ', '}${t.kind === 'user' ? t.ext : t.number}@${t.delay}s/${t.timeout}s`;
  }
  const total = parallel ? Math.min(g.totalRingTime, longest) : Math.min(g.totalRingTime, delay);
  if (ctx.tracing) ctx.trace.push(`targets ${targetText}; total ${total} s then overflow`);
  return {
    kind: 'ring', via: `ring_group:${g.id}`, strategy: g.strategy, targets, totalTimeout: total, recording: 'never', callerNamePrefix: g.callerIdPrefix,
    fallbacks: new OverflowFallbacks(ctx, g),
    trace: ctx.trace,
  };
}
