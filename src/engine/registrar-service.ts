/**
 * The registrar on the wire (RFC 3261 §10.3): authenticates REGISTER with
 * digest (via AuthGate), checks that the authenticated user owns the AOR in
 * To, runs the pure registrar core against the persistent BindingStore, and
 * answers. Bindings keep the flow the REGISTER came from: requests to a
 * contact are sent back along that flow (NAT-friendly, RFC 5626 §5.2 in
 * spirit), never to the Contact's own address.
 *
 * Qualify: every `qualifyIntervalMs` each binding gets an OPTIONS along its
 * flow; no answer (408/503) marks it unreachable until an answer comes. The
 * round is spread over the interval in QUALIFY_SLICES ticks rather than sent
 * at once: 10,000 OPTIONS in one go made 10,000 client transactions at the
 * same moment (each alive for Timer F, 32 s, when unanswered), a CPU burst
 * and a heap high-water of some 6 KB per contact that RSS kept afterwards.
 */
import type { Clock, Ids, Logger, TimerHandle } from '../common/index.ts';
import {
  buildRequest,
  contacts as parseContacts,
  createResponse,
  headerValue,
  processRegister,
  type Binding,
  type BindingStore,
  type ContactFact,
  type Flow,
  type RegistrarPolicy,
  type ServerTransactionHandle,
} from '../sip/index.ts';
import type { AuthGate } from './auth-gate.ts';
import type { LegTransactionsAndContext } from './sip-context.ts';

export interface RegistrarServiceOptions {
  readonly store: BindingStore;
  readonly auth: AuthGate;
  readonly policy: RegistrarPolicy;
  readonly maxContactsFor: (user: string) => number;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly sip: LegTransactionsAndContext;
  readonly domain: () => string;
  /** 0 disables qualify. */
  readonly qualifyIntervalMs: number;
}

/** The user part of the To URI: the AOR's identity (`sip:1001@belfry` → `1001`). */
function aorUser(toValue: string): string | undefined {
  const m = /<?\s*sips?:([^@;>]+)@/i.exec(toValue);
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
}

/** Ticks per qualify round (one a second for the default 60 s interval). */
const QUALIFY_SLICES = 60;

export class RegistrarService {
  readonly #o: RegistrarServiceOptions;
  readonly #unreachable = new Set<string>();
  #qualifyTimer: TimerHandle | undefined;
  #closed = false;

  constructor(o: RegistrarServiceOptions) {
    this.#o = o;
    if (o.qualifyIntervalMs > 0) this.#scheduleQualify();
  }

  handle(tx: ServerTransactionHandle): void {
    const req = tx.request;
    const auth = this.#o.auth.check(tx);
    if (auth.kind === 'answered') return;
    const toValue = headerValue(req, 'to') ?? '';
    const user = aorUser(toValue);
    if (user === undefined || user !== auth.user) {
      // §10.3 step 3: the registrar decides whether this user may modify this AOR.
      tx.respond(createResponse(req, 403, 'Forbidden (AOR does not belong to the authenticated user)'));
      return;
    }
    const list = parseContacts(req);
    if (list === null) {
      tx.respond(createResponse(req, 400, 'Bad Contact'));
      return;
    }
    const contacts: Array<ContactFact | '*'> =
      list.kind === 'star'
        ? ['*']
        : list.contacts.map((c) => ({
            uri: 'raw' in c.uri ? c.uri.raw : '',
            expires: paramString(c.params.get('expires')),
            q: paramString(c.params.get('q')),
            instanceId: paramString(c.params.get('+sip.instance'))?.replace(/^"?<|>"?$/g, ''),
            regId: paramString(c.params.get('reg-id')),
          }));
    const aor = `sip:${user}@${this.#o.domain()}`;
    const now = this.#o.clock.wallNow();
    const current = this.#o.store.bindingsFor(aor, now);
    const outcome = processRegister(
      current,
      {
        aor,
        contacts,
        expiresHeader: headerValue(req, 'expires'),
        callId: req.callId,
        cseq: req.cseq.seq,
        flow: tx.flow,
        userAgent: headerValue(req, 'user-agent'),
        now,
      },
      { ...this.#o.policy, maxContacts: this.#o.maxContactsFor(user) },
    );
    if (outcome.response.status === 200 && (outcome.upsert.length > 0 || outcome.remove.length > 0)) {
      try {
        this.#o.store.applyBindingChanges(aor, outcome.upsert, outcome.remove);
      } catch (e) {
        // §10.3 step 7: "If the binding cannot be updated, the registrar MUST return 500".
        this.#o.log.error({ err: e, aor }, 'binding write failed');
        tx.respond(createResponse(req, 500, 'Server Internal Error (bindings not stored)'));
        return;
      }
      for (const b of outcome.upsert) this.#unreachable.delete(`${aor}\u0000${b.key}`);
      // The fields are built only when the line is written (the benches and busy switches log at warn).
      if (this.#o.log.isLevelEnabled('info')) {
        this.#o.log.info({ aor, peer: `${tx.flow.protocol}:${tx.flow.remoteAddress}:${tx.flow.remotePort}`, bindings: outcome.bindings.length }, 'registration updated');
      }
    }
    tx.respond(createResponse(req, outcome.response.status, outcome.response.reason, { headers: outcome.response.headers }));
  }

  /** Current, reachable bindings of a user (the contacts an incoming call rings). */
  contactsOf(user: string): readonly Binding[] {
    const aor = `sip:${user}@${this.#o.domain()}`;
    return this.#o.store.bindingsFor(aor, this.#o.clock.wallNow()).filter((b) => !this.#unreachable.has(`${aor}\u0000${b.key}`));
  }

  /** Every binding (for the admin API), with its reachability. */
  allBindings(list: (now: number) => readonly Binding[]): Array<Binding & { reachable: boolean }> {
    return list(this.#o.clock.wallNow()).map((b) => ({ ...b, reachable: !this.#unreachable.has(`${b.aor}\u0000${b.key}`) }));
  }

  #qualifyTicks = 0;
  /** The round in progress: the bindings of the moment it started, and the next to qualify. */
  #round: { readonly list: readonly Binding[]; next: number; readonly perTick: number } | undefined;

  #scheduleQualify(): void {
    if (this.#closed) return;
    this.#qualifyTimer = this.#o.clock.setTimer(Math.max(1, Math.floor(this.#o.qualifyIntervalMs / QUALIFY_SLICES)), () => {
      this.#qualifyTick();
      this.#scheduleQualify();
    });
  }

  /**
   * Every QUALIFY_SLICES ticks (one interval; the first round one interval
   * after start, as before) a round starts with the bindings of that moment;
   * each tick sends the next slice, so a round ends within its interval. A
   * binding added meanwhile waits for the next round.
   */
  #qualifyTick(): void {
    if (++this.#qualifyTicks % QUALIFY_SLICES === 0) {
      const list = this.#listAll?.(this.#o.clock.wallNow()) ?? [];
      this.#round = { list, next: 0, perTick: Math.ceil(list.length / QUALIFY_SLICES) };
    }
    const r = this.#round;
    if (r === undefined) return;
    const end = Math.min(r.list.length, r.next + r.perTick);
    this.qualifyNow(r.list.slice(r.next, end));
    r.next = end;
    if (end >= r.list.length) this.#round = undefined;
  }

  #listAll: ((now: number) => readonly Binding[]) | undefined;
  setBindingLister(f: (now: number) => readonly Binding[]): void {
    this.#listAll = f;
  }

  /** Sends OPTIONS to each binding along its flow; marks unreachable on 408/503. */
  qualifyNow(bindings: readonly Binding[]): void {
    for (const b of bindings) {
      const key = `${b.aor}\u0000${b.key}`;
      const flow: Flow = b.flow;
      const req = buildRequest({
        method: 'OPTIONS',
        uri: b.contact,
        headers: [
          { name: 'via', value: this.#o.sip.via(flow, this.#o.ids.branch()) },
          { name: 'max-forwards', value: '70' },
          { name: 'from', value: `<sip:belfry@${this.#o.domain()}>;tag=${this.#o.ids.tag()}` },
          { name: 'to', value: `<${b.contact}>` },
          { name: 'call-id', value: this.#o.ids.callId() },
          { name: 'cseq', value: '1 OPTIONS' },
        ],
      });
      this.#o.sip.transactions.sendRequest(req, flow, (r) => {
        if (r.status === 408 || r.status === 503) {
          if (!this.#unreachable.has(key)) this.#o.log.warn({ aor: b.aor, contact: b.contact, status: r.status }, 'contact unreachable');
          this.#unreachable.add(key);
        } else if (r.status >= 200) {
          this.#unreachable.delete(key);
        }
      });
    }
  }

  close(): void {
    this.#closed = true;
    this.#qualifyTimer?.cancel();
  }
}

function paramString(v: string | null | undefined): string | undefined {
  return v === null || v === undefined ? undefined : v;
}
