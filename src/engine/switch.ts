/**
 * The switch: the transaction user of the SIP stack. It owns the registrar,
 * the live calls, the door (per-IP limits), the router and the admin view.
 *
 *   REGISTER          → RegistrarService (digest 401, bindings in SQLite)
 *   INVITE (new)      → trunk by source address, or AuthGate (407) → Router → Call
 *   CANCEL            → the UAS leg of the INVITE it matched (§9.2)
 *   in-dialog request → DialogRouter → the leg that owns the dialog
 *   ACK for 2xx       → DialogRouter
 */
import { randomInt } from 'node:crypto';
import type { Clock, Ids, Logger } from '../common/index.ts';
import type { NightState, Toggles } from '../dialplan/index.ts';
import type { AnchorHost } from '../rtp/index.ts';
import {
  createResponse,
  headerValue,
  maxForwards,
  parseNameAddr,
  UacLeg,
  UasLeg,
  type Flow,
  type LegContext,
  type ServerTransactionHandle,
  type SipRequest,
  type SipResponse,
  type SipStack,
} from '../sip/index.ts';
import type { AuthGate } from './auth-gate.ts';
import { MediaBridge } from './bridge.ts';
import { Call } from './call.ts';
import { GroupStatsBook } from './group-stats.ts';
import type { CdrSink } from './cdr-types.ts';
import type { DialogRouter } from './dialog-router.ts';
import type { Door } from './door.ts';
import type { PlanHolder } from './plan-holder.ts';
import type { RegistrarService } from './registrar-service.ts';
import { Router, type CallerInfo } from './router.ts';
import type { TogglesStore } from './toggles-store.ts';
import type { TrunkDirectory } from './trunk-directory.ts';
import { TransferService } from './transfer.ts';

export interface SwitchDeps {
  readonly stack: SipStack;
  readonly legs: LegContext;
  readonly dialogs: DialogRouter;
  readonly registrar: RegistrarService;
  readonly auth: AuthGate;
  readonly door: Door;
  readonly plans: PlanHolder;
  readonly toggles: TogglesStore;
  readonly trunks: () => TrunkDirectory;
  readonly anchors: AnchorHost;
  readonly cdr: CdrSink;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly domain: string;
  readonly rtpAdvertise: string;
  readonly silenceTimeoutMs: number;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, REFER, NOTIFY';

function userOf(uri: string): string {
  const m = /^(?:sips?|tel):([^@;?]+)/i.exec(uri);
  if (!m?.[1]) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

export class Switch {
  readonly #d: SwitchDeps;
  readonly #calls = new Map<string, Call>();
  /** UAS legs still ringing, by their INVITE server transaction key (for CANCEL). */
  readonly #ringing = new Map<string, UasLeg>();
  readonly router: Router;
  readonly #transfers: TransferService;
  /** rrmemory / leastrecent / fewestcalls state per ring group, fed by call outcomes. */
  readonly groupStats = new GroupStatsBook();
  #closing = false;

  constructor(d: SwitchDeps) {
    this.#d = d;
    this.router = new Router({
      plan: () => d.plans.plan,
      toggles: () => this.toggles(),
      contactsOf: (ext) => d.registrar.contactsOf(ext),
      trunks: d.trunks,
      domain: d.domain,
      now: () => d.clock.wallNow(),
      traced: () => d.log.isLevelEnabled('debug'),
    });
    d.plans.onSwap((plan) => this.groupStats.retain(plan.ringGroups));
    this.#transfers = new TransferService({
      calls: () => this.#calls.values(),
      route: (caller, dialled) => this.router.route(caller, dialled).route,
      newUacLeg: (o) => new UacLeg(d.legs, o),
      newUasLeg: (tx) => new UasLeg(d.legs, tx),
      respond: (tx, status, reason) => tx.respond(createResponse(tx.request, status, reason, { toTag: d.ids.tag() })),
      clock: d.clock,
      log: d.log,
      domain: d.domain,
    });
    d.stack.onRequest((tx) => this.#onRequest(tx));
    d.stack.onAck((ack, flow) => d.dialogs.dispatchAck(ack, flow));
  }

  /**
   * The stack's stateless hook: a REGISTER, or an INVITE from a phone (not a
   * trunk), that carries no credentials gets its 401/407 challenge without a
   * transaction — the cheapest answer to the most common first request, and
   * no state kept for a peer that never authenticates.
   */
  statelessAnswer(req: SipRequest, flow: Flow): Buffer | undefined {
    if (req.to.tag !== undefined) return undefined;
    if (req.method === 'REGISTER') return this.#d.auth.statelessChallenge(req);
    if (req.method === 'INVITE' && this.#d.trunks().trunkForSource(flow.remoteAddress) === undefined) return this.#d.auth.statelessChallenge(req);
    return undefined;
  }

  /**
   * The dialplan toggles: persisted switches (night, DND, forwarding), belfry's
   * own busy counts, the ring groups' statistics and a fresh seed for `random`
   * (drawn here so decide() stays pure).
   *
   * Busy = a call the user is really on, counted by belfry, not by the phone:
   * the caller of any live call (internal or outbound), and the callee of an
   * answered one (the member who answered, or the phone that picked it up).
   * A phone that is only ringing is not busy, and the other members a
   * ring group rang are not either (they were cancelled).
   */
  toggles(): Toggles {
    const t = this.#d.toggles.toggles();
    return new CallToggles(t.night, t.nightBySchedule, t.users, () => this.#busyCounts(), () => this.groupStats.snapshot(), randomInt(0x7fffffff));
  }

  #busyCounts(): Record<string, number> {
    const busy: Record<string, number> = {};
    const users = this.#d.plans.plan.users;
    for (const c of this.#calls.values()) {
      if (c.state === 'ended') continue;
      if (c.direction !== 'inbound' && c.users.has(c.from) && users.has(c.from)) busy[c.from] = (busy[c.from] ?? 0) + 1;
      if (c.state === 'answered' && c.to !== c.from && users.has(c.to)) busy[c.to] = (busy[c.to] ?? 0) + 1;
    }
    return busy;
  }

  get calls(): ReadonlyMap<string, Call> {
    return this.#calls;
  }

  #onRequest(tx: ServerTransactionHandle): void {
    const req = tx.request;
    // Per-IP blocking and rate limits happen in the stack's admission hook
    // (Door.admit, before parsing); a source blocked by auth failures is
    // dropped there from its next packet on.
    if (req.method === 'CANCEL') {
      const leg = tx.cancels === undefined ? undefined : this.#ringing.get(tx.cancels.key);
      if (leg === undefined) tx.respond(createResponse(req, 481));
      else leg.cancelledBy(tx);
      return;
    }
    if (req.to.tag !== undefined && req.method !== 'REGISTER') {
      this.#d.dialogs.dispatchRequest(tx);
      return;
    }
    switch (req.method) {
      case 'REGISTER':
        this.#d.registrar.handle(tx);
        return;
      case 'INVITE':
        if (this.#closing) {
          tx.respond(createResponse(req, 503, undefined, { headers: [{ name: 'retry-after', value: '5' }] }));
          return;
        }
        this.#onInvite(tx);
        return;
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
      case 'REFER':
      case 'NOTIFY':
        // §12.2.2 / §15.1.2: a mid-dialog method outside any dialog.
        tx.respond(createResponse(req, 481));
        return;
      case 'OPTIONS':
        // OPTIONS to a user of ours (RFC 3261 §11.2): answered by the switch
        // with its capabilities, as Asterisk does; nothing about the user leaks.
        tx.respond(
          createResponse(req, 200, undefined, {
            toTag: this.#d.ids.tag(),
            headers: [
              { name: 'allow', value: ALLOW },
              { name: 'accept', value: 'application/sdp' },
              { name: 'supported', value: 'replaces' },
            ],
          }),
        );
        return;
      default:
        tx.respond(createResponse(req, 405, undefined, { headers: [{ name: 'allow', value: ALLOW }] }));
    }
  }

  #identify(tx: ServerTransactionHandle): CallerInfo | undefined {
    const req = tx.request;
    const fromName = req.from.displayName;
    const trunk = this.#d.trunks().trunkForSource(tx.flow.remoteAddress);
    if (trunk !== undefined) {
      // Carriers put the caller in P-Asserted-Identity (RFC 3325) or From.
      const pai = headerValue(req, 'p-asserted-identity');
      const paiNa = pai === undefined ? null : parseNameAddr(pai);
      const number = userOf(paiNa && 'raw' in paiNa.uri ? paiNa.uri.raw : req.from.uri.raw);
      return { trunk, number, name: paiNa?.displayName ?? fromName };
    }
    const auth = this.#d.auth.check(tx);
    if (auth.kind === 'answered') return undefined;
    const user = this.#d.plans.plan.users.get(auth.user);
    return { user: auth.user, number: auth.user, name: user?.name ?? fromName };
  }

  #onInvite(tx: ServerTransactionHandle): void {
    const req = tx.request;
    const caller = this.#identify(tx);
    if (caller === undefined) return;
    const mf = maxForwards(req);
    if (typeof mf === 'number' && mf <= 1) {
      // We would forward with Max-Forwards 0: a loop or a far too long path (§16.3 step 3 in spirit).
      tx.respond(createResponse(req, 483));
      return;
    }
    // RFC 3891 §3: an INVITE with Replaces takes over one of our dialogs (transfer.ts).
    if (this.#transfers.inviteWithReplaces(tx, caller)) return;
    // Trunk calls: the DID from the R-URI (or To when the R-URI is our registered Contact), made E.164.
    const dialled = caller.trunk !== undefined ? this.#d.trunks().inboundDid(caller.trunk, req) : userOf(req.uri);
    // Decided once, under the plan running now; the call keeps that plan for its fallbacks (G13).
    const { decision, plan } = this.router.decideWithPlan(Router.facts(caller, dialled));
    if (decision.kind === 'feature') {
      this.#feature(tx, caller, decision.feature, decision.trace);
      return;
    }
    const route = this.router.routeFor(decision, plan, caller, dialled);
    const planVersion = this.#d.plans.version;
    const leg = new UasLeg(this.#d.legs, tx);
    this.#ringing.set(tx.key, leg);
    leg.on((e) => {
      if (e.kind === 'ended' || e.kind === 'confirmed' || e.kind === 'cancelled') this.#ringing.delete(tx.key);
    });
    void MediaBridge.open({
      anchors: this.#d.anchors,
      clock: this.#d.clock,
      ids: this.#d.ids,
      log: this.#d.log,
      advertise: this.#d.rtpAdvertise,
      silenceTimeoutMs: this.#d.silenceTimeoutMs,
      onEvent: (e) => {
        if (e.kind === 'silence') this.#calls.get(req.callId)?.hangup(`no RTP for ${Math.round(e.silentMs / 1000)} s`, 'system');
      },
    }).then((b) => {
      if (!b.ok) {
        this.#d.log.error({ callId: req.callId, error: b.error }, 'no RTP ports for the call');
        leg.reject(503, { reason: 'Service Unavailable (no media ports)' });
        return;
      }
      if (leg.ended) {
        b.value.close();
        return;
      }
      const call = new Call(
        {
          clock: this.#d.clock,
          ids: this.#d.ids,
          log: this.#d.log,
          cdr: this.#d.cdr,
          domain: this.#d.domain,
          newUacLeg: (o) => new UacLeg(this.#d.legs, { ...o, headers: [...(o.headers ?? []), { name: 'max-forwards', value: String(Math.max(1, (typeof mf === 'number' ? mf : 70) - 1)) }] }),
          onEnded: (c) => this.#calls.delete(c.id),
          onRefer: (c, side, r) => this.#transfers.onRefer(c, side, r),
          onGroupMember: (e) => {
            if (e.kind === 'answered') this.groupStats.answered(e.group.id, e.group.member);
            else this.groupStats.ended(e.group.id, e.group.member, e.at);
          },
        },
        leg,
        b.value,
        caller,
      );
      this.#calls.set(call.id, call);
      call.log.info({ from: caller.number, to: dialled, direction: route.direction, plan: planVersion }, 'new call');
      call.start(route, req.body.length > 0 ? req.body : undefined);
    });
  }

  #feature(tx: ServerTransactionHandle, caller: CallerInfo, f: Extract<ReturnType<Router['decide']>, { kind: 'feature' }>['feature'], trace: readonly string[]): void {
    const req: SipRequest = tx.request;
    const done = (status: number, reason: string) => {
      this.#d.log.info({ callId: req.callId, from: caller.number, feature: f.kind, trace }, reason);
      tx.respond(createResponse(req, status, reason, { toTag: this.#d.ids.tag() }));
    };
    switch (f.kind) {
      case 'dnd-toggle':
        this.#d.toggles.setUser(f.ext, { dnd: f.dnd });
        return done(480, f.dnd ? 'Do Not Disturb On' : 'Do Not Disturb Off');
      case 'forward-on':
        this.#d.toggles.setUser(f.ext, { forwardAlways: f.to });
        return done(480, 'Call Forwarding On');
      case 'forward-off':
        this.#d.toggles.setUser(f.ext, { forwardAlways: null });
        return done(480, 'Call Forwarding Off');
      case 'night-set':
        // One night switch for the company: the codes act on the same global state as
        // PUT /api/v1/night (a per-schedule override would silently outrank the API).
        this.#d.toggles.setNight(f.state);
        return done(480, `Night Switch ${f.state}`);
      case 'pickup-group':
      case 'pickup-direct': {
        const members = f.kind === 'pickup-group' ? f.members : [f.ext];
        const target = [...this.#calls.values()].find((c) => c.state === 'ringing' && c.ringingUsers.some((u) => members.includes(u)));
        if (target === undefined) return done(404, 'Nothing To Pick Up');
        this.#pickup(tx, caller, target);
        return;
      }
      case 'voicemail':
        return done(480, 'Temporarily Unavailable (voicemail needs the IVR engine)');
    }
  }

  /** *98 / **ext: the picker's INVITE takes over a ringing call (the forks are cancelled). */
  #pickup(tx: ServerTransactionHandle, caller: CallerInfo, call: Call): void {
    const leg = new UasLeg(this.#d.legs, tx);
    const ok = call.pickup(leg, caller.user ?? caller.number);
    if (!ok) leg.reject(404, { reason: 'Nothing To Pick Up' });
  }

  setNight(state: NightState): void {
    this.#d.toggles.setNight(state);
  }

  hangup(id: string): boolean {
    const c = this.#calls.get(id);
    if (c === undefined) return false;
    c.hangup('hung up by the admin API', 'system');
    return true;
  }

  /** Shutdown: refuse new calls, hang up live ones. */
  close(): void {
    this.#closing = true;
    for (const c of [...this.#calls.values()]) c.hangup('switch shutting down', 'system');
  }

  flowDescription(f: Flow): string {
    return `${f.protocol}:${f.remoteAddress}:${f.remotePort}`;
  }
}

/**
 * The toggles one decision sees. Busy counts and group statistics are
 * computed when the decision first reads them (a call to a trunk never does):
 * counting busy users walks every live call, which must not be paid for
 * every new call. A class with memoised getters, not an object literal with
 * getters (docs/dialplan.md: V8 builds accessor literals on a slow path).
 */
class CallToggles implements Toggles {
  #busy: Readonly<Record<string, number>> | undefined;
  #stats: Toggles['groupStats'];
  constructor(
    readonly night: Toggles['night'],
    readonly nightBySchedule: Toggles['nightBySchedule'],
    readonly users: Toggles['users'],
    private readonly countBusy: () => Readonly<Record<string, number>>,
    private readonly snapshotStats: () => Toggles['groupStats'],
    readonly seed: number,
  ) {}
  get busyCounts(): Readonly<Record<string, number>> {
    return (this.#busy ??= this.countBusy());
  }
  get groupStats(): Toggles['groupStats'] {
    return (this.#stats ??= this.snapshotStats());
  }
}
