/**
 * Call transfer handled inside belfry (the B2BUA terminates REFER instead of
 * passing it on): blind transfer by REFER (RFC 3515), attended transfer by
 * REFER whose Refer-To carries Replaces (RFC 3891 §6.1 inside a REFER, RFC
 * 5589 §7), and an INVITE with Replaces taking over one of our dialogs
 * (RFC 3891 §3).
 *
 * The media anchor makes every case a swap of one party: the party that
 * stays keeps its dialog, its SDP and its RTP path; only the side of the
 * bridge the leaving party used moves to the new party (an offer from
 * belfry's port for that side, `MediaBridge.offerOn`). The transferor gets
 * the implicit subscription's NOTIFYs (message/sipfrag: `SIP/2.0 100
 * Trying`, then the final status of the new leg) and, on success, a BYE
 * from belfry.
 *
 * Leaves out: REFER outside a dialog, `Refer-Sub: false` (RFC 4488; we
 * always notify), transfer to trunk targets with failover, transfer of a
 * call that is not answered yet, and Replaces for early dialogs.
 */
import type { Clock, Logger, TimerHandle } from '../common/index.ts';
import { headerValue, type DialogLeg, type InDialogRequest, type ServerTransactionHandle, type UacLeg, type UacLegOptions, type UasLeg } from '../sip/index.ts';
import type { Side } from './bridge.ts';
import type { Call } from './call.ts';
import type { CallerInfo } from './router.ts';
import { uacOptionsFor } from './ring-target.ts';
import type { RingTarget, Route } from './route-types.ts';

export interface TransferDeps {
  readonly calls: () => Iterable<Call>;
  readonly route: (caller: CallerInfo, dialled: string) => Route;
  readonly newUacLeg: (o: UacLegOptions) => UacLeg;
  readonly newUasLeg: (tx: ServerTransactionHandle) => UasLeg;
  readonly respond: (tx: ServerTransactionHandle, status: number, reason?: string) => void;
  readonly clock: Clock;
  readonly log: Logger;
  readonly domain: string;
}

/** The dialog a Replaces value names (RFC 3891 §6.1): to-tag is the recipient's (our) tag. */
export interface ReplacesTarget {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
}

const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';
const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

/** `callid;to-tag=x;from-tag=y` (already URI-decoded) → its parts, or undefined. */
export function parseReplaces(value: string): ReplacesTarget | undefined {
  const parts = value.split(';').map((p) => p.trim());
  const callId = parts[0];
  let toTag: string | undefined;
  let fromTag: string | undefined;
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const k = p.slice(0, eq).toLowerCase();
    if (k === 'to-tag') toTag = p.slice(eq + 1);
    else if (k === 'from-tag') fromTag = p.slice(eq + 1);
  }
  if (!callId || toTag === undefined || fromTag === undefined) return undefined;
  return { callId, toTag, fromTag };
}

/** Refer-To (RFC 3515 §2.1) → the target's user part and an embedded Replaces, if any. */
export function parseReferTo(value: string): { user: string; replaces: ReplacesTarget | undefined } | undefined {
  const m = /<([^>]*)>/.exec(value);
  const uri = (m?.[1] ?? value.split(';')[0] ?? '').trim();
  const u = /^(?:sips?|tel):([^@;?]+)/i.exec(uri);
  if (!u?.[1]) return undefined;
  let user: string;
  try {
    user = decodeURIComponent(u[1]);
  } catch {
    return undefined;
  }
  const q = uri.indexOf('?');
  let replaces: ReplacesTarget | undefined;
  if (q >= 0) {
    for (const h of uri.slice(q + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq < 0 || h.slice(0, eq).toLowerCase() !== 'replaces') continue;
      try {
        replaces = parseReplaces(decodeURIComponent(h.slice(eq + 1)));
      } catch {
        return undefined;
      }
      if (replaces === undefined) return undefined;
    }
  }
  return { user, replaces };
}

export class TransferService {
  readonly #d: TransferDeps;

  constructor(d: TransferDeps) {
    this.#d = d;
  }

  /** A REFER arrived on `side` of an answered call: the party on that side is the transferor. */
  onRefer(call: Call, side: Side, req: InDialogRequest): void {
    const referrer = call.party(side);
    const raw = headerValue(req.request, 'refer-to');
    const target = raw === undefined ? undefined : parseReferTo(raw);
    if (referrer === undefined || target === undefined) {
      // RFC 3515 §2.4.2: a REFER without exactly one usable Refer-To gets 400.
      req.respond(referrer === undefined ? 481 : 400, { reason: referrer === undefined ? undefined : 'Bad Refer-To' });
      return;
    }
    // Only a phone of ours may transfer: its REFER is routed with its own rights.
    const user = side === 'a' ? (call.direction === 'inbound' ? undefined : call.from) : call.direction === 'outbound' ? undefined : call.to;
    if (user === undefined) {
      req.respond(403, { reason: 'Forbidden (transfer from a trunk leg)' });
      return;
    }
    req.respond(202);
    void this.#notify(referrer, '100 Trying', false);
    call.log.info({ side, target: target.user, attended: target.replaces !== undefined }, 'transfer requested');
    if (target.replaces !== undefined) this.#attended(call, side, referrer, target.replaces);
    else this.#blind(call, side, referrer, { user, number: user, name: undefined }, target.user);
  }

  /**
   * RFC 3891 §3: an INVITE with Replaces. Returns false when the request
   * has no Replaces header (a normal call); otherwise it has been answered.
   */
  inviteWithReplaces(tx: ServerTransactionHandle, caller: CallerInfo): boolean {
    const raw = headerValue(tx.request, 'replaces');
    if (raw === undefined) return false;
    const r = parseReplaces(raw);
    if (r === undefined) {
      this.#d.respond(tx, 400, 'Bad Replaces');
      return true;
    }
    const found = this.#find(r, undefined);
    if (found === undefined) {
      // §3: "If no match is found, the UAS rejects the INVITE and returns a 481".
      this.#d.respond(tx, 481);
      return true;
    }
    const { call, side } = found;
    if (tx.request.body.length === 0) {
      this.#d.respond(tx, 488, 'Not Acceptable Here (offer required with Replaces)');
      return true;
    }
    const sdp = call.bridge.answerOfferOn(side, tx.request.body);
    if (!sdp.ok) {
      this.#d.respond(tx, 488, `Not Acceptable Here (${sdp.error})`);
      return true;
    }
    const leg = this.#d.newUasLeg(tx);
    const old = call.replaceParty(side, leg, caller.user ?? caller.number);
    leg.answer(sdp.value);
    call.log.info({ side, by: caller.number }, 'dialog replaced (INVITE with Replaces)');
    old?.hangup();
    return true;
  }

  #find(r: ReplacesTarget, except: Call | undefined): { call: Call; side: Side } | undefined {
    for (const call of this.#d.calls()) {
      if (call === except) continue;
      // RFC 3891 §3: Call-ID, our tag (the to-tag) and the peer's tag (from-tag) must all match.
      for (const side of ['a', 'b'] as const) {
        const id = call.party(side)?.dialogId;
        if (id !== undefined && id.callId === r.callId && id.localTag === r.toTag && id.remoteTag === r.fromTag) return { call, side };
      }
    }
    return undefined;
  }

  /** RFC 3515 §2.4.5: NOTIFY with a sipfrag of the new leg's status; resolves when answered. */
  async #notify(leg: DialogLeg, status: string, final: boolean): Promise<void> {
    if (leg.ended) return;
    try {
      await leg.request('NOTIFY', {
        headers: [
          { name: 'event', value: 'refer' },
          { name: 'subscription-state', value: final ? 'terminated;reason=noresource' : 'active;expires=60' },
        ],
        body: { body: Buffer.from(`SIP/2.0 ${status}\r\n`), contentType: 'message/sipfrag;version=2.0' },
      });
    } catch (e) {
      this.#d.log.warn({ err: e }, 'transfer NOTIFY not sent');
    }
  }

  /** Success: final NOTIFY to the transferor, then belfry releases it with BYE. */
  async #release(referrer: DialogLeg | undefined): Promise<void> {
    if (referrer === undefined) return;
    await this.#notify(referrer, '200 OK', true);
    referrer.hangup();
  }

  #blind(call: Call, side: Side, referrer: DialogLeg, as: CallerInfo, dialled: string): void {
    const route = this.#d.route(as, dialled);
    const stage = route.kind === 'ring' ? route.stages[0] : undefined;
    if (route.kind !== 'ring' || stage === undefined || stage.targets.length === 0) {
      const status = route.kind === 'reject' ? `${route.status} ${route.reason}` : '480 Temporarily Unavailable';
      call.log.info({ to: dialled, status }, 'blind transfer: nothing to ring');
      void this.#notify(referrer, status, true);
      return;
    }
    // The new party sees the transferee (the party that stays) as the caller.
    const staying = side === 'a' ? call.to : call.from;
    const offer = call.bridge.offerOn(side);
    const legs: Array<{ leg: UacLeg; t: RingTarget }> = [];
    // The transferor may hang up now (RFC 5589 §6 flows): the call waits for the outcome.
    call.transferStarted(side);
    let won = false;
    let failures = 0;
    let lastStatus = '480 Temporarily Unavailable';
    let timer: TimerHandle | undefined;
    const giveUp = (status: string) => {
      timer?.cancel();
      call.transferFinished(false);
      for (const l of legs) if (!l.leg.ended) l.leg.cancel();
      call.log.info({ to: dialled, status }, 'blind transfer failed; the call stays as it was');
      void this.#notify(referrer, status, true);
    };
    for (const t of stage.targets) {
      const opts = uacOptionsFor(t, 0, { number: staying, name: undefined }, this.#d.domain, offer);
      if (opts === undefined) continue;
      const leg = this.#d.newUacLeg(opts);
      legs.push({ leg, t });
      leg.on((e) => {
        if (e.kind === 'answered') {
          if (won || call.state !== 'answered' || call.party(side) !== referrer) {
            leg.hangup(); // too late: another fork won, or the call changed meanwhile
            return;
          }
          won = true;
          timer?.cancel();
          for (const l of legs) if (l.leg !== leg && !l.leg.ended) l.leg.cancel(COMPLETED_ELSEWHERE);
          const media = call.bridge.answerOn(side, e.response.body);
          if (!media.ok) {
            leg.hangup([{ name: 'reason', value: 'SIP;cause=488;text="Not Acceptable Here"' }]);
            void this.#notify(referrer, '488 Not Acceptable Here', true);
            return;
          }
          const who = t.kind === 'contact' ? t.user : dialled;
          const old = call.replaceParty(side, leg, who);
          call.transferFinished(true);
          call.log.info({ to: who }, 'blind transfer completed');
          void this.#release(old);
        } else if (e.kind === 'failed') {
          failures++;
          lastStatus = `${e.response.status} ${e.response.reason}`;
          if (!won && failures === legs.length) giveUp(lastStatus);
        }
      });
      leg.start();
    }
    if (legs.length === 0) {
      giveUp('480 Temporarily Unavailable');
      return;
    }
    timer = this.#d.clock.setTimer(stage.timeoutMs, () => {
      if (!won) giveUp('408 Request Timeout');
    });
    call.onEnd(() => {
      // The transferee hung up while the target was ringing.
      timer?.cancel();
      if (!won) for (const l of legs) if (!l.leg.ended) l.leg.cancel();
    });
  }

  /**
   * Attended: the transferor's other call (named by Replaces) already talks
   * to the target. That party leaves its call and takes the transferor's
   * place here; a re-INVITE moves its media to this call's bridge; both of
   * the transferor's dialogs end.
   */
  #attended(call: Call, side: Side, referrer: DialogLeg, r: ReplacesTarget): void {
    const found = this.#find(r, call);
    if (found === undefined) {
      void this.#notify(referrer, '481 Call/Transaction Does Not Exist', true);
      return;
    }
    const { call: consult, side: referrerSide } = found;
    const targetSide = other(referrerSide);
    const target = consult.party(targetSide);
    if (target === undefined) {
      void this.#notify(referrer, '481 Call/Transaction Does Not Exist', true);
      return;
    }
    const who = targetSide === 'a' ? consult.from : consult.to;
    consult.detachParty(targetSide);
    consult.hangup('transferred (attended)', 'system');
    const old = call.replaceParty(side, target, who);
    void target.request('INVITE', { body: call.bridge.offerOn(side) }).then((resp) => {
      const media = resp.status >= 200 && resp.status < 300 ? call.bridge.answerOn(side, resp.body) : undefined;
      if (media === undefined || !media.ok) {
        call.log.warn({ status: resp.status }, 'attended transfer: the target refused the new media');
        void this.#notify(referrer, `${resp.status >= 300 ? resp.status : 488} Not Acceptable Here`, true);
        call.hangup('attended transfer failed', 'system');
        return;
      }
      call.log.info({ to: who }, 'attended transfer completed');
      void this.#release(old);
    });
  }
}
