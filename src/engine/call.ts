/**
 * One B2BUA call: the caller's UAS leg (A), the UAC legs that ring the
 * targets of a Route (B forks), and the media bridge that anchors RTP.
 *
 *   routing ──ring──► ringing ──first 2xx──► answered ──BYE/silence──► ended
 *      │                 │  every fork failed / timeout → onFailure route → ringing
 *      └──reject─────────┴── CANCEL from A / no route ──────────────────► ended
 *
 * Forks ring in parallel within a stage; stages run in order (hunt). The
 * first 2xx wins; the others are CANCELled with `Reason: SIP;cause=200;
 * text="Call completed elsewhere"` (RFC 3326). Each leg has its own Call-ID
 * and tags, and both phones only ever see belfry's addresses.
 *
 * Mid-call, re-INVITE/UPDATE (hold, resume, codec change) and INFO are
 * carried to the other leg with SDP rewritten by the bridge; blind and
 * attended transfer (REFER, RFC 3515/3891) are handed to the owner through
 * `onRefer`; transfer.ts then swaps a party with `replaceParty` /
 * `detachParty`. The CDR is written once, at the end.
 */
import type { Clock, Ids, Logger, TimerHandle } from '../common/index.ts';
import type { DialogLeg, InDialogRequest, LegListener, SipResponse, UacLeg, UasLeg, UacLegOptions } from '../sip/index.ts';
import type { MediaBridge, Side } from './bridge.ts';
import { callLegRecords, callRecord, rejectOutcome, type Fork } from './call-legs.ts';
import { MidCallRelay } from './mid-call.ts';
import { uacOptionsFor } from './ring-target.ts';
import { q850ForStatus, type CallRecord, type CdrSink, type Disposition } from './cdr-types.ts';
import type { CallDirection, GroupMember, RingStage, RingTarget, Route, RouteFailure } from './route-types.ts';

export type CallState = 'routing' | 'ringing' | 'answered' | 'ended';

export interface CallDeps {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly cdr: CdrSink;
  readonly newUacLeg: (o: UacLegOptions) => UacLeg;
  readonly domain: string;
  /** Called once when the call has ended (the switch forgets it). */
  readonly onEnded: (call: Call) => void;
  /** A REFER arrived on one leg (transfer): the switch decides. */
  readonly onRefer?: (call: Call, side: 'a' | 'b', req: InDialogRequest) => void;
  /** A ring-group member answered, or its answered call ended (GroupStats, engine/group-stats.ts). */
  readonly onGroupMember?: (e: { readonly kind: 'answered' | 'ended'; readonly group: GroupMember; readonly at: number }) => void;
}

const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

export class Call {
  readonly id: string;
  readonly a: UasLeg;
  readonly bridge: MediaBridge;
  readonly log: Logger;
  readonly started: number;
  #deps: CallDeps;
  #state: CallState = 'routing';
  #route: Extract<Route, { kind: 'ring' }> | undefined;
  #stageIndex = 0;
  #stageTimer: TimerHandle | undefined;
  #delayTimers: TimerHandle[] = [];
  #forks: Fork[] = [];
  #allForks: Fork[] = [];
  #winner: Fork | undefined;
  /** The answered far side: the winning fork's leg, or the phone that picked the call up. */
  #bLeg: DialogLeg | undefined;
  #picker: { leg: UasLeg; user: string; start: number } | undefined;
  /** The party on the A side: the caller's UAS leg until a transfer replaces it. */
  #aParty: DialogLeg;
  readonly #midCall: MidCallRelay;
  /** Parties that joined by transfer (RFC 3515/3891), for the CDR and the final hangup. */
  #adopted: Array<{ leg: DialogLeg; side: Side; target: string; start: number }> = [];
  /** Legs handed over to another call: never signalled by this one. */
  #detached = new Set<DialogLeg>();
  #answeredAt: number | undefined;
  #earlyMediaFrom: UacLeg | undefined;
  #ringingSent = false;
  #failures: number[] = [];
  #hangupSide: CallRecord['hangupSide'];
  #hangupReason = 'normal';
  #finalStatus = 0;
  #direction: CallDirection = 'internal';
  #src: string;
  #srcName: string | undefined;
  #dst = '';
  #dstName: string | undefined;
  #trunk: string | undefined;
  #offerForB: { body: Buffer; contentType: string } | undefined;
  #openMarker = false;
  /** The user whose calls count this call as busy (callee and caller). */
  readonly users = new Set<string>();
  /**
   * Our listeners on legs, removed once the call has ended and its CDR is
   * out: a leg that lingers (the INVITE client transaction keeps its leg
   * for 64·T1 to ACK late 2xx, RFC 6026) must not keep the whole call alive.
   */
  #listening: Array<{ readonly leg: DialogLeg; readonly listener: LegListener }> = [];

  #listen(leg: DialogLeg, listener: LegListener): void {
    this.#listening.push({ leg, listener });
    leg.on(listener);
  }

  constructor(deps: CallDeps, a: UasLeg, bridge: MediaBridge, caller: { number: string; name: string | undefined; user?: string }) {
    this.#deps = deps;
    this.a = a;
    this.#aParty = a;
    this.bridge = bridge;
    this.#midCall = new MidCallRelay(bridge, deps.log);
    this.id = a.invite.callId;
    this.log = deps.log.child({ callId: this.id });
    this.started = deps.clock.wallNow();
    this.#src = caller.number;
    this.#srcName = caller.name;
    if (caller.user !== undefined) this.users.add(caller.user);
    this.#listen(a, (e) => {
      if (this.#detached.has(a)) return;
      if (this.#aParty !== a && (e.kind === 'bye' || e.kind === 'ack-timeout' || e.kind === 'request')) {
        // Replaced by a transfer: the leg only winds down now.
        if (e.kind === 'request') e.req.respond(481);
        return;
      }
      switch (e.kind) {
        case 'cancelled':
          this.#hangupSide = 'caller';
          this.#finish('CANCELLED', 487, 'caller cancelled');
          break;
        case 'bye':
          this.#partyLeft('a', 'caller', 'caller hung up');
          break;
        case 'ack-timeout':
          this.#hangupSide = 'system';
          this.#finish('ANSWERED', 200, 'no ACK from caller');
          break;
        case 'confirmed':
          this.log.debug('caller leg confirmed');
          if (this.a.invite.body.length === 0 && e.ackBody !== undefined && this.#state === 'answered') {
            // Late offer: the caller's answer to our offer came in the ACK (§13.2.1).
            const r = this.bridge.answerFromA(e.ackBody);
            if (!r.ok) {
              this.log.warn({ error: r.error }, 'caller answer in ACK unusable');
              this.hangup('unusable SDP answer in ACK');
            }
          }
          break;
        case 'request':
          this.#onInDialog('a', e.req);
          break;
        default:
          break;
      }
    });
  }

  get state(): CallState {
    return this.#state;
  }

  get direction(): CallDirection {
    return this.#direction;
  }

  get from(): string {
    return this.#src;
  }

  get to(): string {
    return this.#dst;
  }

  get answeredAt(): number | undefined {
    return this.#answeredAt;
  }

  get ringingUsers(): string[] {
    const out: string[] = [];
    if (this.#state !== 'ringing') return out;
    for (const f of this.#forks) if (f.target.kind === 'contact' && !f.leg.ended) out.push(f.target.user);
    return out;
  }

  /** Follow a route: ring its stages, or reject. `offer` is the caller's SDP (undefined = late offer). */
  start(route: Route, offerBody: Buffer | undefined): void {
    this.#direction = route.direction;
    this.#dst = route.destination;
    if (!this.#openMarker) {
      this.#openMarker = true;
      this.#deps.cdr.callStarted({ callId: this.id, linkedId: this.id, start: this.started, src: this.#src, dst: this.#dst, direction: this.#direction });
    }
    for (const line of route.trace) this.log.debug({ route: line }, 'route');
    if (route.kind === 'reject') {
      if (route.intercepted) this.log.warn({ from: this.#src, to: route.destination, status: route.status }, 'call intercepted');
      const { disposition, q850 } = rejectOutcome(route.status, route.q850, this.#afterFailure);
      this.a.reject(route.status, { reason: route.reason, headers: [{ name: 'reason', value: `Q.850;cause=${q850}` }] });
      this.#hangupSide = 'system';
      this.#finish(disposition, route.status, route.reason, q850);
      return;
    }
    if (this.#offerForB === undefined) {
      const offer = this.bridge.offerForB(offerBody);
      if (!offer.ok) {
        this.a.reject(488, { reason: `Not Acceptable Here (${offer.error})` });
        this.#hangupSide = 'system';
        this.#finish('FAILED', 488, offer.error);
        return;
      }
      this.#offerForB = offer.value;
    }
    this.#route = route;
    this.#dstName = route.destinationName;
    this.#stageIndex = 0;
    this.#state = 'ringing';
    this.#runStage();
  }

  #runStage(): void {
    const route = this.#route;
    if (route === undefined || this.#state !== 'ringing') return;
    const stage: RingStage | undefined = route.stages[this.#stageIndex];
    if (stage === undefined) {
      this.#routeFailed();
      return;
    }
    this.log.info({ stage: stage.label, targets: stage.targets.length }, 'ringing');
    this.#forks = [];
    for (const t of stage.targets) {
      if (t.delayMs > 0) this.#delayTimers.push(this.#deps.clock.setTimer(t.delayMs, () => this.#ring(t, 0)));
      else this.#ring(t, 0);
    }
    this.#stageTimer = this.#deps.clock.setTimer(stage.timeoutMs, () => {
      this.log.info({ stage: stage.label }, 'ring timeout');
      this.#failures.push(408);
      this.#endStage('no-answer');
    });
    if (stage.targets.length === 0) this.#endStage('unreachable');
  }

  #ring(t: RingTarget, trunkIndex: number): void {
    if (this.#state !== 'ringing' || this.#route === undefined) return;
    const offer = this.#offerForB;
    const route = this.#route;
    if (t.kind === 'contact' && t.user) this.users.add(t.user);
    const opts = uacOptionsFor(t, trunkIndex, { number: route.callerNumber, name: route.callerName }, this.#deps.domain, offer);
    if (opts === undefined) return;
    if (t.kind === 'trunk') this.#trunk = t.trunks[trunkIndex]?.trunk;
    const leg = this.#deps.newUacLeg(opts);
    const fork: Fork = { leg, target: t, start: this.#deps.clock.wallNow(), answer: undefined, end: undefined, status: undefined, trunkIndex };
    this.#forks.push(fork);
    this.#allForks.push(fork);
    this.#listen(leg, (e) => {
      if (this.#detached.has(leg)) return;
      switch (e.kind) {
        case 'provisional':
          this.#onProvisional(fork, e.response);
          break;
        case 'answered':
          this.#onAnswered(fork, e.response);
          break;
        case 'failed':
          this.#onForkFailed(fork, e.response);
          break;
        case 'bye':
          if (this.#winner === fork && this.#bLeg === fork.leg) this.#partyLeft('b', 'callee', 'callee hung up');
          break;
        case 'request':
          if (this.#winner === fork && this.#bLeg === fork.leg) this.#onInDialog('b', e.req);
          else e.req.respond(481);
          break;
        case 'ended':
          fork.end ??= this.#deps.clock.wallNow();
          break;
        default:
          break;
      }
    });
    leg.start();
  }

  #onProvisional(fork: Fork, r: SipResponse): void {
    if (this.#state !== 'ringing') return;
    const hasSdp = r.body.length > 0 && r.status === 183;
    if (hasSdp && this.#earlyMediaFrom === undefined) {
      const ans = this.bridge.answerFromB(r.body);
      if (ans.ok) {
        this.#earlyMediaFrom = fork.leg;
        this.a.progress(183, { body: ans.value });
        return;
      }
    }
    if (!this.#ringingSent) {
      this.#ringingSent = true;
      this.a.progress(180);
    }
  }

  #onAnswered(fork: Fork, r: SipResponse): void {
    if (this.#state !== 'ringing') {
      fork.leg.hangup();
      return;
    }
    this.#winner = fork;
    this.#bLeg = fork.leg;
    fork.answer = this.#deps.clock.wallNow();
    fork.status = 200;
    this.#clearStage();
    for (const f of this.#forks) if (f !== fork && !f.leg.ended) f.leg.cancel(COMPLETED_ELSEWHERE);
    const ans = r.body.length > 0 ? this.bridge.answerFromB(r.body) : undefined;
    if (ans === undefined || !ans.ok) {
      this.log.warn({ error: ans?.ok === false ? ans.error : 'no SDP in 2xx' }, 'callee answer unusable');
      fork.leg.hangup([{ name: 'reason', value: 'SIP;cause=488;text="Not Acceptable Here"' }]);
      this.a.reject(488);
      this.#hangupSide = 'system';
      this.#finish('FAILED', 488, 'unusable SDP answer');
      return;
    }
    this.#state = 'answered';
    this.#answeredAt = fork.answer;
    if (fork.target.kind === 'contact') this.#dst = fork.target.user;
    if (fork.target.group !== undefined) this.#deps.onGroupMember?.({ kind: 'answered', group: fork.target.group, at: fork.answer });
    this.a.answer(ans.value);
    this.bridge.answered();
    this.log.info({ to: this.#dst, codecs: this.bridge.codecs() }, 'answered');
  }

  #onForkFailed(fork: Fork, r: SipResponse): void {
    fork.status = r.status;
    fork.end = this.#deps.clock.wallNow();
    this.log.info({ status: r.status, reason: r.reason, target: fork.leg.options.requestUri }, 'fork failed');
    if (this.#state !== 'ringing') return;
    // Trunk failover: 5xx, 408 and 503 (timeout/transport) move to the next trunk.
    if (fork.target.kind === 'trunk' && (r.status >= 500 || r.status === 408) && fork.trunkIndex + 1 < fork.target.trunks.length) {
      this.log.warn({ trunk: fork.target.trunks[fork.trunkIndex]?.trunk, status: r.status }, 'trunk failed: trying the next one');
      this.#ring(fork.target, fork.trunkIndex + 1);
      return;
    }
    this.#failures.push(r.status);
    // 6xx: a global failure, stop ringing everything (RFC 3261 §16.7 step 5 in spirit).
    if (r.status >= 600) {
      this.#endStage('busy');
      return;
    }
    const pendingDelayed = this.#delayTimers.length > 0 && this.#forks.length < (this.#route?.stages[this.#stageIndex]?.targets.length ?? 0);
    if (!pendingDelayed && this.#forks.every((f) => f.leg.ended || f.status !== undefined)) {
      this.#endStage(this.#failures.includes(486) || this.#failures.includes(600) ? 'busy' : 'unreachable');
    }
  }

  #clearStage(): void {
    this.#stageTimer?.cancel();
    this.#stageTimer = undefined;
    for (const t of this.#delayTimers) t.cancel();
    this.#delayTimers = [];
  }

  #endStage(why: RouteFailure): void {
    this.#clearStage();
    for (const f of this.#forks) if (!f.leg.ended) f.leg.cancel();
    if (this.#state !== 'ringing' || this.#route === undefined) return;
    this.#lastFailure = why;
    this.#stageIndex++;
    if (this.#stageIndex < this.#route.stages.length) this.#runStage();
    else this.#routeFailed();
  }

  #lastFailure: RouteFailure = 'unreachable';
  /** Set once ringing has failed and the route's onFailure was followed. */
  #afterFailure: RouteFailure | undefined;

  #routeFailed(): void {
    const route = this.#route;
    const why = this.#lastFailure;
    const next = route?.onFailure?.(why);
    if (next !== undefined) {
      this.log.info({ why }, 'following the failure route');
      this.#afterFailure = why;
      this.#failures = [];
      this.start(next, undefined);
      return;
    }
    const status = why === 'busy' ? 486 : why === 'no-answer' ? 480 : this.#failures.find((s) => s >= 400 && s !== 408 && s !== 487) ?? 480;
    this.#afterFailure = why;
    const { disposition, q850 } = rejectOutcome(status, q850ForStatus(status), this.#afterFailure);
    this.a.reject(status, { headers: [{ name: 'reason', value: `Q.850;cause=${q850}` }] });
    this.#hangupSide = 'system';
    this.#finish(disposition, status, why, q850);
  }

  /** In-dialog request on one leg after the answer: carry it to the other. */
  #onInDialog(side: 'a' | 'b', req: InDialogRequest): void {
    const m = req.request.method;
    const other = side === 'a' ? this.#bLeg : this.#aParty;
    if (this.#state !== 'answered' || other === undefined) {
      req.respond(m === 'INVITE' ? 491 : 481);
      return;
    }
    if (m === 'REFER') {
      if (this.#deps.onRefer) this.#deps.onRefer(this, side, req);
      else req.respond(501);
      return;
    }
    this.#midCall.relay(side, req, other);
  }

  /**
   * *98 / **ext: another phone takes this ringing call. Its INVITE (with an
   * SDP offer) becomes the answered far side; the forks are CANCELled with
   * "Call completed elsewhere". Returns false when the call is no longer
   * ringing or the offer is unusable.
   */
  pickup(leg: UasLeg, user: string): boolean {
    if (this.#state !== 'ringing') return false;
    const body = leg.invite.body;
    if (body.length === 0) return false;
    const sdp = this.bridge.answerOfferOnB(body);
    if (!sdp.ok) {
      this.log.warn({ error: sdp.error }, 'pickup offer unusable');
      return false;
    }
    this.#clearStage();
    for (const f of this.#forks) if (!f.leg.ended) f.leg.cancel(COMPLETED_ELSEWHERE);
    const now = this.#deps.clock.wallNow();
    this.#picker = { leg, user, start: now };
    this.#bLeg = leg;
    this.users.add(user);
    this.#listen(leg, (e) => {
      if (this.#bLeg !== leg || this.#detached.has(leg)) return;
      if (e.kind === 'bye' || e.kind === 'ack-timeout') {
        this.#partyLeft('b', 'callee', e.kind === 'bye' ? 'callee hung up' : 'no ACK from the picking phone');
      } else if (e.kind === 'request') {
        this.#onInDialog('b', e.req);
      }
    });
    this.#state = 'answered';
    this.#answeredAt = now;
    this.#dst = user;
    leg.answer(sdp.value.forB);
    this.a.answer(sdp.value.forA);
    this.bridge.answered();
    this.log.info({ by: user }, 'call picked up');
    return true;
  }

  /**
   * A party hung up. During a blind transfer the transferor may hang up
   * right after the 202 (many phones do): the call then waits for the
   * transfer's outcome instead of ending (transferFinished decides).
   */
  #partyLeft(side: Side, who: 'caller' | 'callee', reason: string): void {
    if (this.#transferFrom === side) {
      this.log.info({ side }, 'transferor hung up; the transfer goes on');
      this.#transferorGone = reason;
      return;
    }
    this.#hangupSide = who;
    this.#finish('ANSWERED', 200, reason);
  }

  #transferFrom: Side | undefined;
  #transferorGone: string | undefined;
  #endListeners: Array<() => void> = [];

  /** transfer.ts: a blind transfer away from `side` has started. */
  transferStarted(side: Side): void {
    this.#transferFrom = side;
    this.#transferorGone = undefined;
  }

  /** transfer.ts: the transfer ended; when it failed and the transferor already left, the call ends. */
  transferFinished(ok: boolean): void {
    const side = this.#transferFrom;
    this.#transferFrom = undefined;
    if (ok || side === undefined || this.#transferorGone === undefined) return;
    this.#hangupSide = side === 'a' ? 'caller' : 'callee';
    this.#finish('ANSWERED', 200, `${this.#transferorGone}; transfer failed`);
  }

  /** Called once when the call ends (transfer.ts stops ringing a target for a call that is gone). */
  onEnd(listener: () => void): void {
    if (this.#state === 'ended') listener();
    else this.#endListeners.push(listener);
  }

  /** The answered party on one side (transfer.ts), or undefined before the answer. */
  party(side: Side): DialogLeg | undefined {
    if (this.#state !== 'answered') return undefined;
    return side === 'a' ? this.#aParty : this.#bLeg;
  }

  /**
   * Transfer: `leg` becomes the party on `side` (its media already moved to
   * that side of the bridge). Returns the party it replaces; the caller
   * releases it (NOTIFY, BYE). Its BYE and requests no longer reach the call.
   */
  replaceParty(side: Side, leg: DialogLeg, target: string): DialogLeg | undefined {
    if (this.#state !== 'answered') return undefined;
    const old = side === 'a' ? this.#aParty : this.#bLeg;
    if (side === 'a') this.#aParty = leg;
    else this.#bLeg = leg;
    this.#detached.delete(leg);
    this.#adopted.push({ leg, side, target, start: this.#deps.clock.wallNow() });
    this.users.add(target); // busy counts follow the new party
    if (side === 'b') this.#dst = target;
    this.#listen(leg, (e) => {
      if ((side === 'a' ? this.#aParty : this.#bLeg) !== leg || this.#detached.has(leg)) return;
      if (e.kind === 'bye' || e.kind === 'ack-timeout') {
        this.#partyLeft(side, side === 'a' ? 'caller' : 'callee', `${target} hung up (after transfer)`);
      } else if (e.kind === 'request') {
        this.#onInDialog(side, e.req);
      }
    });
    this.log.info({ side, to: target }, 'party replaced (transfer)');
    return old;
  }

  /**
   * Transfer: take `side`'s party out of this call without signalling it
   * (it joins another call); end this call afterwards with `hangup`.
   */
  detachParty(side: Side): DialogLeg | undefined {
    const leg = this.party(side);
    if (leg === undefined) return undefined;
    this.#detached.add(leg);
    return leg;
  }

  /** Hang up from outside (admin API, silence timeout, shutdown). */
  hangup(reason: string, side: CallRecord['hangupSide'] = 'system'): void {
    if (this.#state === 'ended') return;
    this.#hangupSide = side;
    if (this.#state === 'answered') {
      this.#finish('ANSWERED', 200, reason);
    } else {
      this.a.reject(480, { reason: 'Temporarily Unavailable' });
      this.#finish('FAILED', 480, reason);
    }
  }

  #finish(disposition: Disposition, status: number, reason: string, q850?: number): void {
    if (this.#state === 'ended') return;
    const wasAnswered = this.#state === 'answered';
    this.#state = 'ended';
    this.#clearStage();
    this.#hangupReason = reason;
    this.#finalStatus = status;
    for (const f of this.#forks) {
      if (f.leg.ended || this.#detached.has(f.leg)) continue;
      if (f === this.#winner) f.leg.hangup();
      else f.leg.cancel();
    }
    if (this.#picker !== undefined && !this.#picker.leg.ended && !this.#detached.has(this.#picker.leg)) this.#picker.leg.hangup();
    for (const x of this.#adopted) if (!x.leg.ended && !this.#detached.has(x.leg)) x.leg.hangup();
    if (!this.a.ended && !this.#detached.has(this.a)) this.a.hangup();
    const end = this.#deps.clock.wallNow();
    const won = this.#winner?.target.group;
    if (wasAnswered && won !== undefined) this.#deps.onGroupMember?.({ kind: 'ended', group: won, at: end });
    const codecs = this.bridge.codecs();
    // The relay's figures may come from a worker thread: the CDR is written
    // when they arrive (bounded by a timeout in the bridge), then the ports go back.
    void this.bridge.stats().then((stats) => {
      this.bridge.close();
      const legs = callLegRecords({
        id: this.id,
        a: { flow: this.a.flow, src: this.#src, start: this.started, answer: this.#answeredAt, sipCode: wasAnswered ? 200 : status },
        forks: this.#allForks,
        winner: this.#winner,
        picker: this.#picker,
        adopted: this.#adopted,
        end,
        codecs,
        stats,
      });
      const record = callRecord({
        id: this.id,
        start: this.started,
        answer: this.#answeredAt,
        end,
        src: this.#src,
        srcName: this.#srcName,
        dst: this.#dst,
        dstName: this.#dstName,
        direction: this.#direction,
        trunk: this.#trunk,
        disposition: wasAnswered ? 'ANSWERED' : disposition,
        sipCode: wasAnswered ? 200 : this.#finalStatus,
        q850: q850 ?? q850ForStatus(wasAnswered ? 200 : status),
        hangupSide: this.#hangupSide,
        hangupReason: this.#hangupReason,
        codecs,
      });
      try {
        this.#deps.cdr.callEnded(record, legs);
      } catch (e) {
        this.log.error({ err: e }, 'CDR write failed');
      }
      this.log.info({ disposition: record.disposition, status: record.sipCode, reason, hangupSide: record.hangupSide }, 'call ended');
      for (const l of this.#endListeners.splice(0)) {
        try {
          l();
        } catch (e) {
          this.log.error({ err: e }, 'end listener threw');
        }
      }
      this.#deps.onEnded(this);
      for (const { leg, listener } of this.#listening) leg.off(listener);
      this.#listening = [];
    });
  }
}
