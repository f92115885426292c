/**
 * A carrier for integration tests, on belfry's own src/sip stack, bound to
 * another loopback address (127.0.0.2, 127.0.0.3…) so belfry can tell it
 * from the phones. It plays a registrar that challenges REGISTER with
 * digest (and verifies the answer), answers or ignores OPTIONS, receives
 * calls (optionally challenging INVITE with 407, or failing with a status)
 * and places calls to belfry as a carrier would (no credentials).
 * Everything it received is kept for assertions.
 */
import { randomBytes } from 'node:crypto';
import { cryptoIds, silentLogger, systemClock } from '../../src/common/index.ts';
import {
  createResponse,
  createSipStack,
  createSipTimers,
  dialogKey,
  DigestServer,
  headerValue,
  UacLeg,
  UasLeg,
  type DialogTarget,
  type LegContext,
  type LegEvent,
  type ServerTransactionHandle,
  type SipRequest,
  type SipStack,
} from '../../src/sip/index.ts';
import { rtpEndpoint, sdpFor, sdpTarget, type RtpEndpoint } from './test-ua.ts';

/** The carrier's RTP endpoint: the test UA's, bound on the trunk's address. */
export type TrunkRtp = RtpEndpoint;
const trunkRtp = (host: string): Promise<TrunkRtp> => rtpEndpoint(host);

export interface TrunkBehaviour {
  /** Act as registrar: challenge REGISTER (401), verify, grant `expires`. Without it REGISTER gets 200. */
  readonly registrar?: { readonly username: string; readonly password: string; readonly expires: number };
  /** Drop every request unanswered (a dead carrier). */
  readonly silent?: boolean;
  /** Final status for INVITEs (e.g. 503); 200 answers after 180. */
  readonly inviteStatus?: number;
  /** Challenge INVITEs without Proxy-Authorization with 407 and verify these credentials. */
  readonly inviteAuth?: { readonly username: string; readonly password: string };
  readonly ringMs?: number;
}

export interface TrunkCall {
  readonly leg: UacLeg | UasLeg;
  readonly rtp: TrunkRtp;
  readonly events: LegEvent[];
  readonly final: Promise<number>;
  readonly byeReceived: Promise<void>;
}

const REALM = 'carrier.test';

export class TestTrunk {
  readonly host: string;
  readonly stack: SipStack;
  readonly ctx: LegContext;
  switchPort: number;
  behaviour: TrunkBehaviour = {};
  /** Every request received outside a dialog, in order. */
  readonly received: SipRequest[] = [];
  /** REGISTERs whose digest verified (or all, without `registrar`). */
  readonly registered: SipRequest[] = [];
  readonly #digest = new DigestServer({ secret: randomBytes(32), nonceLifetimeMs: 300_000, maxTrackedNonces: 1000, random: (n) => randomBytes(n) });
  readonly #dialogs = new Map<string, DialogTarget>();
  readonly #pending = new Map<string, UasLeg>();
  #waiters: Array<(c: TrunkCall) => void> = [];
  #queue: TrunkCall[] = [];
  #closers: Array<() => void> = [];

  private constructor(host: string, stack: SipStack, switchPort: number) {
    this.host = host;
    this.stack = stack;
    this.switchPort = switchPort;
    const port = this.port;
    this.ctx = {
      transactions: stack,
      routing: { register: (k, t) => this.#dialogs.set(k, t), unregister: (k) => this.#dialogs.delete(k) },
      clock: systemClock,
      ids: cryptoIds(),
      timers: createSipTimers({ T1: 100, T2: 4000, T4: 5000 }),
      log: silentLogger(),
      product: 'test-carrier',
      via: (_f, branch) => `SIP/2.0/UDP ${host}:${port};branch=${branch};rport`,
      contact: () => `<sip:carrier@${host}:${port}>`,
    };
    stack.onRequest((tx) => this.#onRequest(tx));
    stack.onAck((ack, flow) => {
      const key = ack.to.tag === undefined ? undefined : dialogKey({ callId: ack.callId, localTag: ack.to.tag, remoteTag: ack.from.tag ?? '' });
      if (key !== undefined) this.#dialogs.get(key)?.onAck(ack, flow);
    });
  }

  /** Binds on `host` (default 127.0.0.2); belfry's SIP port may be set later (`setSwitchPort`) for calls to it. */
  static async start(o: { host?: string; switchPort?: number } = {}): Promise<TestTrunk> {
    const host = o.host ?? '127.0.0.2';
    const stack = await createSipStack({ listeners: [{ protocol: 'udp', host, port: 0 }], timers: { T1: 100 }, logger: silentLogger() });
    return new TestTrunk(host, stack, o.switchPort ?? 0);
  }

  get port(): number {
    return this.stack.addresses().find((a) => a.protocol === 'udp')?.port ?? 0;
  }

  methods(method: string): SipRequest[] {
    return this.received.filter((r) => r.method === method);
  }

  #verify(tx: ServerTransactionHandle, header: 'authorization' | 'proxy-authorization', cred: { username: string; password: string }): 'ok' | 'challenged' | 'rejected' {
    const req = tx.request;
    const value = headerValue(req, header);
    if (value === undefined) {
      const challenge = this.#digest.createChallenge({ realm: REALM, now: Date.now(), algorithms: ['MD5'] });
      const name = header === 'authorization' ? 'www-authenticate' : 'proxy-authenticate';
      tx.respond(createResponse(req, header === 'authorization' ? 401 : 407, undefined, { toTag: 'ch1', headers: challenge.map((v) => ({ name, value: v })) }));
      return 'challenged';
    }
    const r = this.#digest.verifyAuthorization({ method: req.method, requestUri: req.uri, authorizationValue: value, realm: REALM, lookup: (u) => (u === cred.username ? { password: cred.password } : undefined), now: Date.now() });
    if (r.kind === 'ok') return 'ok';
    tx.respond(createResponse(req, 403, undefined, { toTag: 'ch1' }));
    return 'rejected';
  }

  #onRequest(tx: ServerTransactionHandle): void {
    const req = tx.request;
    if (this.behaviour.silent) return;
    if (req.to.tag !== undefined) {
      const t = this.#dialogs.get(dialogKey({ callId: req.callId, localTag: req.to.tag, remoteTag: req.from.tag ?? '' }));
      if (t) t.onRequest(tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    this.received.push(req);
    if (req.method === 'CANCEL') {
      const leg = this.#pending.get(tx.cancels?.key ?? '');
      if (leg) leg.cancelledBy(tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    if (req.method === 'REGISTER') {
      const reg = this.behaviour.registrar;
      if (reg !== undefined && this.#verify(tx, 'authorization', reg) !== 'ok') return;
      this.registered.push(req);
      const contact = headerValue(req, 'contact') ?? '';
      const asked = Number(headerValue(req, 'expires') ?? '3600');
      const granted = asked === 0 ? 0 : Math.min(asked, reg?.expires ?? asked);
      tx.respond(createResponse(req, 200, undefined, { toTag: 'reg1', headers: granted === 0 ? [] : [{ name: 'contact', value: `${contact};expires=${granted}` }] }));
      return;
    }
    if (req.method !== 'INVITE') {
      tx.respond(createResponse(req, 200));
      return;
    }
    const b = this.behaviour;
    if (b.inviteAuth !== undefined && this.#verify(tx, 'proxy-authorization', b.inviteAuth) !== 'ok') return;
    void this.#answer(tx);
  }

  async #answer(tx: ServerTransactionHandle): Promise<void> {
    const b = this.behaviour;
    const leg = new UasLeg(this.ctx, tx);
    this.#pending.set(tx.key, leg);
    const rtp = await trunkRtp(this.host);
    const call = this.#wrap(leg, rtp);
    const offer = sdpTarget(tx.request.body);
    if (offer) rtp.remote = { address: offer.address, port: offer.port };
    const w = this.#waiters.shift();
    if (w) w(call);
    else this.#queue.push(call);
    if (b.inviteStatus !== undefined && b.inviteStatus !== 200) {
      leg.reject(b.inviteStatus);
      return;
    }
    leg.progress(180);
    await new Promise((r) => setTimeout(r, b.ringMs ?? 50));
    if (leg.ended) return;
    leg.answer({ body: Buffer.from(sdpFor(rtp.port, [offer?.pt === 8 ? 'PCMA' : 'PCMU']).replaceAll('127.0.0.1', this.host)), contentType: 'application/sdp' });
  }

  #wrap(leg: UacLeg | UasLeg, rtp: TrunkRtp): TrunkCall {
    const events: LegEvent[] = [];
    let resolveFinal: (s: number) => void = () => {};
    let resolveBye: () => void = () => {};
    const final = new Promise<number>((r) => (resolveFinal = r));
    const byeReceived = new Promise<void>((r) => (resolveBye = r));
    leg.on((e) => {
      events.push(e);
      if (e.kind === 'answered') {
        const t = sdpTarget(e.response.body);
        if (t) rtp.remote = { address: t.address, port: t.port };
        resolveFinal(200);
      }
      if (e.kind === 'failed') resolveFinal(e.response.status);
      if (e.kind === 'bye') resolveBye();
      if (e.kind === 'request') e.req.respond(200);
    });
    this.#closers.push(() => rtp.close());
    return { leg, rtp, events, final, byeReceived };
  }

  /** The next INVITE belfry sent us (after any 407 round). */
  nextIncoming(timeoutMs = 5000): Promise<TrunkCall> {
    const q = this.#queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`carrier ${this.host}: no incoming call within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push((c) => {
        clearTimeout(t);
        res(c);
      });
    });
  }

  /** A carrier call to belfry: Request-URI `sip:<ruriUser>@belfry`, To `<did>`, From `<caller>`; no credentials. */
  async call(o: { did: string; caller: string; ruriUser?: string }): Promise<TrunkCall> {
    const rtp = await trunkRtp(this.host);
    const flow = { protocol: 'udp' as const, remoteAddress: '127.0.0.1', remotePort: this.switchPort, localAddress: this.host, localPort: this.port };
    const leg = new UacLeg(this.ctx, {
      flow,
      requestUri: `sip:${o.ruriUser ?? o.did}@127.0.0.1:${this.switchPort}`,
      from: `"Carrier Caller" <sip:${o.caller}@${this.host}>`,
      to: `<sip:${o.did}@127.0.0.1>`,
      body: { body: Buffer.from(sdpFor(rtp.port, ['PCMU']).replaceAll('127.0.0.1', this.host)), contentType: 'application/sdp' },
    });
    const call = this.#wrap(leg, rtp);
    leg.start();
    return call;
  }

  async close(): Promise<void> {
    for (const c of this.#closers) c();
    await this.stack.close({ graceMs: 0 });
  }
}
