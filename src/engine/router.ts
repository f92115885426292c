/**
 * The engine's one routing function: call facts → Route. It asks the
 * dialplan (pure `decide`) where the call goes, then fills in what only the
 * engine knows: registered contacts (a user with none is "unreachable"),
 * belfry's own busy counts and group statistics, and trunk addresses.
 * Fallbacks in the Decision (no answer / busy / unreachable) become the
 * Route's onFailure.
 *
 * Strategies → stages: `ringall` and a single user (desk phone plus Anywhere
 * legs) are one stage whose targets start at their own delay; the sequential
 * strategies (hunt, rrmemory, leastrecent, fewestcalls, random) are one stage
 * per member in the order decide() chose, each for that member's ring time.
 * Forks of a ring group carry {group, member} so the call can report answers
 * and ends to the GroupStatsBook.
 *
 * The plan is captured when the call is decided: the fallback routes built
 * later (no answer, busy, unreachable) read that plan, never the live one, so
 * a reload does not change a call in progress (STYLE G13). Contacts and trunk
 * addresses are live facts and are read when a route is built.
 *
 * Decisions that need media applications (IVR menu, voicemail, announcement)
 * are answered 480 with a reason naming what is missing until the IVR
 * engine lands (docs/dialplan-wiring.md). A queue is rung like a ring group
 * over its members for max_wait, then its overflow.
 */
import { decide, type CallFacts, type Decision, type Plan, type RingTarget as PlanTarget, type Toggles } from '../dialplan/index.ts';
import type { Binding } from '../sip/index.ts';
import type { CallDirection, RingStage, RingTarget, Route, RouteFailure, TrunkTarget } from './route-types.ts';
import type { TrunkDirectory } from './trunk-directory.ts';

export interface RouterDeps {
  readonly plan: () => Plan;
  readonly toggles: () => Toggles;
  readonly contactsOf: (ext: string) => readonly Binding[];
  readonly trunks: () => TrunkDirectory;
  readonly domain: string;
  readonly now: () => number;
  /**
   * Whether decisions carry their step-by-step trace. Building it costs about
   * half of a decision; the engine only logs it at debug level.
   */
  readonly traced?: () => boolean;
}

export interface CallerInfo {
  /** The authenticated user, for internal and outbound calls. */
  readonly user?: string;
  /** The trunk an inbound call arrived on. */
  readonly trunk?: string;
  readonly number: string;
  readonly name: string | undefined;
}

const SECOND = 1000;

/** RFC 5806 §3 diversion-reason values belfry sends. */
type DiversionReason = 'unconditional' | 'user-busy' | 'no-answer' | 'unavailable' | 'follow-me';

const REASON_FOR: Readonly<Record<RouteFailure, DiversionReason>> = { busy: 'user-busy', 'no-answer': 'no-answer', unreachable: 'unavailable', failed: 'unavailable' };

export class Router {
  readonly #d: RouterDeps;
  constructor(d: RouterDeps) {
    this.#d = d;
  }

  /** Facts for the dialplan from what the engine saw. */
  static facts(caller: CallerInfo, dialled: string): CallFacts {
    if (caller.trunk !== undefined) return { kind: 'inbound', trunk: caller.trunk, did: dialled, callerNumber: caller.number, callerName: caller.name };
    return { kind: 'internal', caller: caller.user ?? caller.number, dialled };
  }

  /** The decision for these facts under the running plan, and that plan (kept for the call's fallbacks). */
  decide(facts: CallFacts): Decision {
    return this.decideWithPlan(facts).decision;
  }

  decideWithPlan(facts: CallFacts): { decision: Decision; plan: Plan } {
    const plan = this.#d.plan();
    const trace = this.#d.traced?.() ?? true;
    return { decision: decide(plan, facts, this.#d.now(), this.#d.toggles(), { trace }), plan };
  }

  route(caller: CallerInfo, dialled: string): { route: Route; decision: Decision } {
    const { decision, plan } = this.decideWithPlan(Router.facts(caller, dialled));
    return { route: this.routeFor(decision, plan, caller, dialled), decision };
  }

  /** The Route for a decision already taken under `plan` (the switch decides once per INVITE). */
  routeFor(decision: Decision, plan: Plan, caller: CallerInfo, dialled: string): Route {
    const direction: CallDirection = caller.trunk !== undefined ? 'inbound' : decision.kind === 'external' ? 'outbound' : 'internal';
    return this.toRoute(decision, plan, caller, dialled, direction, 0);
  }

  /** `why`: the diversion reason of this route (a fallback followed after busy / no answer / unreachable). */
  toRoute(d: Decision, plan: Plan, caller: CallerInfo, dialled: string, direction: CallDirection, depth: number, why: DiversionReason = 'unconditional'): Route {
    const trace = d.trace;
    const reject = (status: number, reason: string, q850: number, intercepted = false): Route => ({ kind: 'reject', status, reason, q850, destination: dialled, direction, trace, intercepted });
    if (depth > 8) return reject(482, 'Loop Detected', 25);
    switch (d.kind) {
      case 'reject':
        return reject(d.status, d.reason, d.cause, d.intercepted);
      case 'ring':
      case 'queue':
      case 'external': {
        const isQueue = d.kind === 'queue';
        const planTargets: readonly PlanTarget[] =
          d.kind === 'ring' ? d.targets : d.kind === 'queue' ? d.members.map((ext) => ({ kind: 'user' as const, ext, delay: 0, timeout: d.maxWait })) : [{ kind: 'external', number: d.number, routes: d.routes, delay: 0, timeout: 120, keepCallerId: false, diversion: d.diversion }];
        const sequential = d.kind === 'ring' && d.strategy !== 'ringall' && d.strategy !== 'user';
        const group = d.kind === 'ring' && d.via.startsWith('ring_group:') ? d.via.slice('ring_group:'.length) : undefined;
        // decide() expresses a sequential order as growing delays; here each member is its own stage, so its delay is 0.
        // Anywhere legs ring because the user asked to be followed, not because the desk failed.
        const reason = d.kind === 'ring' && d.strategy === 'user' ? 'follow-me' : why;
        const targets = planTargets.map((t) => this.#target(t, caller, d.kind === 'external' ? d.callerId : null, sequential, group, reason));
        const flat = targets.flatMap((t) => t.t);
        const totalMs = d.kind === 'ring' ? d.totalTimeout * SECOND : d.kind === 'queue' ? d.maxWait * SECOND : 120 * SECOND;
        const stages: RingStage[] = sequential
          ? targets.filter((t) => t.t.length > 0).map((t) => ({ targets: t.t, timeoutMs: Math.min(t.timeoutMs, totalMs), label: t.label }))
          : flat.length > 0
            ? [{ targets: flat, timeoutMs: totalMs, label: d.kind === 'ring' ? `${d.via} (${d.strategy})` : isQueue ? `queue ${d.queue}` : `external ${d.number}` }]
            : [];
        const fallbacks = d.kind === 'ring' ? d.fallbacks : d.kind === 'queue' ? { noAnswer: d.overflow, busy: d.overflow, unreachable: d.overflow } : undefined;
        const onFailure = fallbacks
          ? (failure: RouteFailure): Route | undefined => {
              const next = failure === 'busy' ? fallbacks.busy : failure === 'no-answer' ? fallbacks.noAnswer : fallbacks.unreachable;
              return this.toRoute(next, plan, caller, dialled, direction, depth + 1, REASON_FOR[failure]);
            }
          : undefined;
        if (stages.length === 0) {
          // Nobody to ring: the unreachable fallback, decided now.
          if (onFailure) return onFailure('unreachable') ?? reject(480, 'Temporarily Unavailable', 18);
          return reject(d.kind === 'external' ? 503 : 480, d.kind === 'external' ? 'No trunk available' : 'Temporarily Unavailable', d.kind === 'external' ? 34 : 18);
        }
        const destUser = planTargets.length === 1 && planTargets[0]?.kind === 'user' ? planTargets[0].ext : undefined;
        return {
          kind: 'ring',
          stages,
          callerName: caller.name,
          callerNumber: caller.number,
          destination: d.kind === 'external' ? d.number : (destUser ?? dialled),
          destinationName: destUser === undefined ? undefined : plan.users.get(destUser)?.name,
          direction: d.kind === 'external' && caller.trunk === undefined ? 'outbound' : direction,
          onFailure,
          trace,
        };
      }
      case 'voicemail':
        return reject(480, `Temporarily Unavailable (voicemail ${d.box} needs the IVR engine)`, 18);
      case 'menu':
        return reject(480, `Temporarily Unavailable (IVR menu ${d.menu} needs the IVR engine)`, 18);
      case 'announce-hangup':
        return reject(480, 'Temporarily Unavailable (announcements need the IVR engine)', 18);
      case 'feature':
        // Feature codes are executed by the switch before routing; reaching here is a programmer error.
        return reject(500, 'Feature code reached the router', 41);
    }
  }

  #target(
    t: PlanTarget,
    caller: CallerInfo,
    callerId: string | null,
    sequential: boolean,
    group: string | undefined,
    reason: DiversionReason,
  ): { t: RingTarget[]; timeoutMs: number; label: string } {
    const delayMs = sequential ? 0 : t.delay * SECOND;
    if (t.kind === 'user') {
      const contacts = this.#d.contactsOf(t.ext);
      const member = group === undefined ? {} : { group: { id: group, member: t.ext } };
      return { t: contacts.map((binding) => ({ kind: 'contact', user: t.ext, binding, delayMs, ...member })), timeoutMs: t.timeout * SECOND, label: `user ${t.ext}` };
    }
    const trunks: TrunkTarget[] = [];
    const dir = this.#d.trunks();
    for (const r of t.routes) {
      // Anywhere / forwarded legs keep the original caller (keepCallerId); a user's own outbound call presents its caller id policy.
      const target = dir.target(r.trunk, r.dial, t.keepCallerId ? caller.number : (callerId ?? caller.number));
      if (target) trunks.push(target);
    }
    if (trunks.length === 0) return { t: [], timeoutMs: t.timeout * SECOND, label: `external ${t.number}` };
    // RFC 5806: the number the call was diverted from, so the carrier (and the mobile) can show it.
    const headers = t.diversion ? [{ name: 'diversion', value: `<sip:${t.diversion}@${this.#d.domain}>;reason=${reason}` }] : [];
    const member = group === undefined ? {} : { group: { id: group, member: t.number } };
    return { t: [{ kind: 'trunk', trunks, delayMs, headers, ...member }], timeoutMs: t.timeout * SECOND, label: `external ${t.number}` };
  }
}
