/**
 * Mid-call requests of an answered B2BUA call, carried from one party to
 * the other: re-INVITE and UPDATE (hold, resume, codec or address change,
 * RFC 3261 §14, RFC 3311) with the SDP rewritten by the bridge so each
 * phone only sees belfry's address, and INFO/MESSAGE/NOTIFY (DTMF relay,
 * RFC 6086) passed on with their body and content type. The response of
 * the far party becomes the response to the near one.
 *
 * One offer at a time per call: a second offer while one is being relayed
 * gets 491 (§14.2). An offerless re-INVITE (session refresh) is answered
 * here with our current SDP and not relayed. REFER is not handled here
 * (transfer.ts).
 */
import type { Logger } from '../common/index.ts';
import type { DialogLeg, HeaderField, InDialogRequest, SipResponse } from '../sip/index.ts';
import type { MediaBridge, Side } from './bridge.ts';

/** Headers that belong to the request's meaning and travel with it (RFC 6086 §4.2, RFC 6665 §8.2). */
const CARRIED = new Set(['info-package', 'event', 'subscription-state']);

export class MidCallRelay {
  readonly #bridge: MediaBridge;
  readonly #log: Logger;
  #pendingOffer: InDialogRequest | undefined;

  constructor(bridge: MediaBridge, log: Logger) {
    this.#bridge = bridge;
    this.#log = log;
  }

  /** `req` arrived from the party on `side`; `other` is the party it is carried to. */
  relay(side: Side, req: InDialogRequest, other: DialogLeg): void {
    const m = req.request.method;
    if (m === 'OPTIONS') {
      req.respond(200);
      return;
    }
    if (m === 'INVITE' || m === 'UPDATE') {
      this.#offer(side, m, req, other);
      return;
    }
    const ct = req.request.headers.find((h) => h.name === 'content-type')?.value;
    const headers: HeaderField[] = req.request.headers.filter((h) => CARRIED.has(h.name));
    const body = req.request.body.length > 0 && ct ? { body: req.request.body, contentType: ct } : undefined;
    this.#send(other, m, { body, headers }, (resp) => req.respond(resp.status));
  }

  #offer(side: Side, m: 'INVITE' | 'UPDATE', req: InDialogRequest, other: DialogLeg): void {
    if (this.#pendingOffer !== undefined) {
      req.respond(491); // RFC 3261 §14.2: an offer is already in progress
      return;
    }
    const body = req.request.body;
    if (body.length === 0) {
      // Offerless re-INVITE (session refresh): our current SDP is the offer; the
      // answer comes in the ACK and changes nothing we relay.
      req.respond(200, { body: this.#bridge.currentOffer(side) });
      return;
    }
    const offer = this.#bridge.reofferFrom(side, body);
    if (!offer.ok) {
      req.respond(488);
      return;
    }
    this.#pendingOffer = req;
    this.#send(other, m, { body: offer.value }, (resp) => {
      this.#pendingOffer = undefined;
      if (resp.status >= 200 && resp.status < 300) {
        const ans = this.#bridge.reanswerFrom(side === 'a' ? 'b' : 'a', resp.body);
        if (ans.ok) req.respond(200, { body: ans.value });
        else req.respond(488);
      } else {
        req.respond(resp.status);
      }
    });
  }

  #send(leg: DialogLeg, method: string, opts: Parameters<DialogLeg['request']>[1], done: (r: SipResponse) => void): void {
    leg.request(method, opts).then(done, (e: unknown) => {
      // The far leg has no dialog any more (it just ended): nothing to carry to.
      this.#pendingOffer = undefined;
      this.#log.warn({ err: e, method }, 'mid-call request not relayed');
    });
  }
}
