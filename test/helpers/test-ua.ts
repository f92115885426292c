/**
 * A SIP user agent for integration tests, built on belfry's own src/sip
 * (stack, transactions, dialogs, legs and the digest client), plus a plain
 * RTP endpoint. It registers with digest auth, places and answers calls,
 * sends and records RTP, re-INVITEs for hold, and hangs up. Everything goes
 * over real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { cryptoIds, silentLogger, systemClock } from '../../src/common/index.ts';
import {
  answerChallenge,
  buildRequest,
  createResponse,
  createSipStack,
  createSipTimers,
  dialogKey,
  headerValues,
  pickChallenge,
  UacLeg,
  UasLeg,
  type DialogTarget,
  type Flow,
  type LegContext,
  type LegEvent,
  type ServerTransactionHandle,
  type SipResponse,
  type SipStack,
} from '../../src/sip/index.ts';

export type Codec = 'PCMU' | 'PCMA';

export interface RtpEndpoint {
  readonly port: number;
  readonly received: Buffer[];
  readonly receivedPts: number[];
  /** Where we send: taken from the far SDP. */
  remote: { address: string; port: number } | undefined;
  send(payload: Buffer, pt: number, opts?: { marker?: boolean }): void;
  close(): void;
}

/** A plain RTP endpoint on `host` (the trunk helper binds it on 127.0.0.x). */
export async function rtpEndpoint(host = '127.0.0.1'): Promise<RtpEndpoint> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, host, () => res()));
  let seq = 1000;
  let ts = 5000;
  const ssrc = Math.floor(Math.random() * 0xffffffff) >>> 0;
  const ep: RtpEndpoint = {
    port: sock.address().port,
    received: [],
    receivedPts: [],
    remote: undefined,
    send(payload, pt, opts = {}) {
      if (!ep.remote) return;
      const b = Buffer.alloc(12 + payload.length);
      b[0] = 0x80;
      b[1] = (opts.marker ? 0x80 : 0) | (pt & 0x7f);
      b.writeUInt16BE(seq++ & 0xffff, 2);
      b.writeUInt32BE(ts >>> 0, 4);
      ts += payload.length;
      b.writeUInt32BE(ssrc, 8);
      payload.copy(b, 12);
      sock.send(b, ep.remote.port, ep.remote.address);
    },
    close() {
      try {
        sock.close();
      } catch {
        /* closed */
      }
    },
  };
  sock.on('message', (m) => {
    if (m.length < 12) return;
    ep.receivedPts.push(m[1]! & 0x7f);
    ep.received.push(Buffer.from(m.subarray(12)));
  });
  return ep;
}

export function sdpFor(port: number, codecs: readonly Codec[], direction = 'sendrecv', version = 1): string {
  const pts = codecs.map((c) => (c === 'PCMU' ? 0 : 8));
  return [
    'v=0',
    `o=- 4242 ${version} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${pts.join(' ')} 101`,
    ...codecs.map((c) => `a=rtpmap:${c === 'PCMU' ? 0 : 8} ${c}/8000`),
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

/** The c=/m= address and port of an SDP body, and its first payload type. */
export function sdpTarget(body: Buffer): { address: string; port: number; pt: number; direction: string } | undefined {
  const t = body.toString('utf8');
  const c = /c=IN IP4 (\S+)/.exec(t);
  const m = /m=audio (\d+) RTP\/AVP (\d+)/.exec(t);
  if (!c?.[1] || !m?.[1] || !m[2]) return undefined;
  const dir = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(t)?.[1] ?? 'sendrecv';
  return { address: c[1], port: Number(m[1]), pt: Number(m[2]), direction: dir };
}

export interface TestCall {
  readonly leg: UacLeg | UasLeg;
  readonly rtp: RtpEndpoint;
  readonly events: LegEvent[];
  /** Resolves with the final status of an outgoing call (200 or the failure). */
  readonly final: Promise<number>;
  /** Resolves when the peer sends BYE. */
  readonly byeReceived: Promise<void>;
  readonly provisional: number[];
  hangup(): void;
  cancel(): void;
  /** re-INVITE with our SDP in the given direction; resolves with the response status. */
  reinvite(direction: string): Promise<SipResponse>;
}

export interface IncomingBehaviour {
  /** Final status to send; 200 answers (default). */
  readonly status?: number;
  readonly ringMs?: number;
  readonly codecs?: readonly Codec[];
  /** Send 180 first (default true). */
  readonly ring?: boolean;
  /** Never answer (for no-answer/CANCEL tests). */
  readonly never?: boolean;
  /** Send 183 Session Progress with our SDP (early media) instead of 180. */
  readonly earlyMedia?: boolean;
}

export class TestUa {
  readonly user: string;
  readonly password: string;
  readonly stack: SipStack;
  readonly switchFlow: Flow;
  readonly ctx: LegContext;
  readonly calls: TestCall[] = [];
  readonly #dialogs = new Map<string, DialogTarget>();
  #behaviour: IncomingBehaviour = {};
  #incoming: Array<(c: TestCall) => void> = [];
  #incomingQueue: TestCall[] = [];
  #closers: Array<() => void> = [];
  #cseq = 1;
  readonly #callId: string;

  readonly host: string;
  /** Delay before this UA answers a re-INVITE/UPDATE (to hold an offer open, e.g. for glare tests). */
  reinviteDelayMs = 0;

  private constructor(user: string, password: string, stack: SipStack, switchPort: number, t1: number, host: string) {
    this.host = host;
    this.user = user;
    this.password = password;
    this.stack = stack;
    const local = stack.addresses().find((a) => a.protocol === 'udp');
    const localPort = local?.port ?? 0;
    this.switchFlow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: switchPort, localAddress: host, localPort };
    const ids = cryptoIds();
    this.#callId = ids.callId();
    this.ctx = {
      transactions: stack,
      routing: { register: (k, t) => this.#dialogs.set(k, t), unregister: (k) => this.#dialogs.delete(k) },
      clock: systemClock,
      ids,
      timers: createSipTimers({ T1: t1, T2: 4000, T4: 5000 }),
      log: silentLogger(),
      product: 'belfry-test-ua',
      via: (_f, branch) => `SIP/2.0/UDP ${host}:${localPort};branch=${branch};rport`,
      contact: () => `<sip:${user}@${host}:${localPort}>`,
    };
    stack.onRequest((tx) => this.#onRequest(tx));
    stack.onAck((ack, flow) => {
      const key = ack.to.tag === undefined ? undefined : dialogKey({ callId: ack.callId, localTag: ack.to.tag, remoteTag: ack.from.tag ?? '' });
      if (key !== undefined) this.#dialogs.get(key)?.onAck(ack, flow);
    });
  }

  /** `host` binds the UA to another loopback address (127.0.0.x) to play a second source address. */
  static async start(o: { user: string; password: string; switchPort: number; t1?: number; host?: string }): Promise<TestUa> {
    const host = o.host ?? '127.0.0.1';
    const stack = await createSipStack({ listeners: [{ protocol: 'udp', host, port: 0 }], timers: { T1: o.t1 ?? 100 }, logger: silentLogger() });
    return new TestUa(o.user, o.password, stack, o.switchPort, o.t1 ?? 100, host);
  }

  get port(): number {
    return this.switchFlow.localPort;
  }

  /** REGISTER (answering one 401); resolves with the final status. */
  register(o: { expires?: number; password?: string; contactUser?: string; contact?: string; toUser?: string } = {}): Promise<SipResponse> {
    const aorUser = o.toUser ?? this.user;
    const send = (auth: string | undefined): Promise<SipResponse> =>
      new Promise((res) => {
        const uri = `sip:127.0.0.1:${this.switchFlow.remotePort}`;
        const req = buildRequest({
          method: 'REGISTER',
          uri,
          headers: [
            { name: 'via', value: this.ctx.via(this.switchFlow, this.ctx.ids.branch()) },
            { name: 'max-forwards', value: '70' },
            { name: 'from', value: `<sip:${aorUser}@127.0.0.1>;tag=${this.ctx.ids.tag()}` },
            { name: 'to', value: `<sip:${aorUser}@127.0.0.1>` },
            { name: 'call-id', value: this.#callId },
            { name: 'cseq', value: `${this.#cseq++} REGISTER` },
            { name: 'contact', value: o.contact ?? `<sip:${o.contactUser ?? this.user}@${this.host}:${this.port}>` },
            { name: 'expires', value: String(o.expires ?? 300) },
            ...(auth ? [{ name: 'authorization', value: auth }] : []),
          ],
        });
        this.stack.sendRequest(req, this.switchFlow, (r) => {
          if (r.status >= 200) res(r);
        });
      });
    return send(undefined).then((r) => {
      if (r.status !== 401) return r;
      const ch = pickChallenge(headerValues(r, 'www-authenticate'));
      if (!ch) return r;
      const a = answerChallenge({ challengeValue: ch, method: 'REGISTER', uri: `sip:127.0.0.1:${this.switchFlow.remotePort}`, username: this.user, password: o.password ?? this.password, cnonce: this.ctx.ids.token(8), nc: 1 });
      return a.ok ? send(a.value) : r;
    });
  }

  /** How this UA answers the next incoming INVITEs. */
  onIncoming(b: IncomingBehaviour): void {
    this.#behaviour = b;
  }

  nextIncoming(timeoutMs = 10_000): Promise<TestCall> {
    const q = this.#incomingQueue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${this.user}: no incoming call within ${timeoutMs} ms`)), timeoutMs);
      this.#incoming.push((c) => {
        clearTimeout(t);
        res(c);
      });
    });
  }

  async call(target: string, o: { codecs?: readonly Codec[]; noSdp?: boolean; headers?: Array<{ name: string; value: string }> } = {}): Promise<TestCall> {
    const rtp = await rtpEndpoint();
    const body = o.noSdp ? undefined : { body: Buffer.from(sdpFor(rtp.port, o.codecs ?? ['PCMU'])), contentType: 'application/sdp' };
    const leg = new UacLeg(this.ctx, {
      flow: this.switchFlow,
      requestUri: `sip:${target}@127.0.0.1:${this.switchFlow.remotePort}`,
      from: `"User ${this.user}" <sip:${this.user}@127.0.0.1>`,
      to: `<sip:${target}@127.0.0.1>`,
      body,
      headers: o.headers,
      credentials: { username: this.user, password: this.password },
      // Late offer: answer belfry's offer in the ACK with the first codec it offers.
      lateAnswer: (offer) => ({ body: Buffer.from(sdpFor(rtp.port, [sdpTarget(offer)?.pt === 8 ? 'PCMA' : 'PCMU'])), contentType: 'application/sdp' }),
    });
    const call = this.#wrap(leg, rtp);
    leg.start();
    return call;
  }

  #wrap(leg: UacLeg | UasLeg, rtp: RtpEndpoint): TestCall {
    const events: LegEvent[] = [];
    const provisional: number[] = [];
    let resolveFinal: (s: number) => void = () => {};
    let resolveBye: () => void = () => {};
    const final = new Promise<number>((r) => (resolveFinal = r));
    const byeReceived = new Promise<void>((r) => (resolveBye = r));
    let sdpVersion = 1;
    leg.on((e) => {
      events.push(e);
      if (e.kind === 'provisional') {
        provisional.push(e.response.status);
        const t = e.response.body.length > 0 ? sdpTarget(e.response.body) : undefined;
        if (t) rtp.remote = { address: t.address, port: t.port };
      }
      if (e.kind === 'answered') {
        const t = sdpTarget(e.response.body);
        if (t) rtp.remote = { address: t.address, port: t.port };
        resolveFinal(200);
      }
      if (e.kind === 'failed' || e.kind === 'cancel-completed') resolveFinal(e.response.status);
      if (e.kind === 'bye') resolveBye();
      if (e.kind === 'request') {
        const m = e.req.request.method;
        if (m === 'INVITE' || m === 'UPDATE') {
          const t = e.req.request.body.length > 0 ? sdpTarget(e.req.request.body) : undefined;
          if (t) rtp.remote = { address: t.address, port: t.port };
          const answerDir = t?.direction === 'sendonly' ? 'recvonly' : t?.direction === 'recvonly' ? 'sendonly' : (t?.direction ?? 'sendrecv');
          const answer = { body: Buffer.from(sdpFor(rtp.port, [t?.pt === 8 ? 'PCMA' : 'PCMU'], answerDir, ++sdpVersion)), contentType: 'application/sdp' };
          const req = e.req;
          if (this.reinviteDelayMs > 0) setTimeout(() => req.respond(200, { body: answer }), this.reinviteDelayMs);
          else req.respond(200, { body: answer });
        } else {
          e.req.respond(200);
        }
      }
    });
    const call: TestCall = {
      leg,
      rtp,
      events,
      final,
      byeReceived,
      provisional,
      hangup: () => leg.hangup(),
      cancel: () => (leg instanceof UacLeg ? leg.cancel() : undefined),
      reinvite: (direction) => leg.request('INVITE', { body: { body: Buffer.from(sdpFor(rtp.port, ['PCMU', 'PCMA'], direction, ++sdpVersion)), contentType: 'application/sdp' } }),
    };
    this.calls.push(call);
    this.#closers.push(() => rtp.close());
    return call;
  }

  #onRequest(tx: ServerTransactionHandle): void {
    const req = tx.request;
    if (req.to.tag !== undefined) {
      const key = dialogKey({ callId: req.callId, localTag: req.to.tag, remoteTag: req.from.tag ?? '' });
      const t = this.#dialogs.get(key);
      if (t) t.onRequest(tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    if (req.method === 'CANCEL') {
      const leg = this.#pendingInvites.get(tx.cancels?.key ?? '');
      if (leg) leg.cancelledBy(tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    if (req.method !== 'INVITE') {
      tx.respond(createResponse(req, 200));
      return;
    }
    void this.#answerIncoming(tx);
  }

  #pendingInvites = new Map<string, UasLeg>();

  async #answerIncoming(tx: ServerTransactionHandle): Promise<void> {
    const b = this.#behaviour;
    const leg = new UasLeg(this.ctx, tx);
    this.#pendingInvites.set(tx.key, leg);
    const rtp = await rtpEndpoint();
    const call = this.#wrap(leg, rtp);
    const offer = sdpTarget(tx.request.body);
    if (offer) rtp.remote = { address: offer.address, port: offer.port };
    const waiter = this.#incoming.shift();
    if (waiter) waiter(call);
    else this.#incomingQueue.push(call);
    if (b.status !== undefined && b.status !== 200) {
      leg.reject(b.status);
      return;
    }
    if (b.earlyMedia) leg.progress(183, { body: { body: Buffer.from(sdpFor(rtp.port, [offer?.pt === 8 ? 'PCMA' : 'PCMU'])), contentType: 'application/sdp' } });
    else if (b.ring !== false) leg.progress(180);
    if (b.never) return;
    await new Promise((r) => setTimeout(r, b.ringMs ?? 50));
    if (leg.ended) return;
    const codecs = b.codecs ?? ['PCMU', 'PCMA'];
    // Answer with the first offered codec we accept, like a phone would.
    const offeredPt = offer?.pt;
    const pick: Codec = codecs.includes(offeredPt === 8 ? 'PCMA' : 'PCMU') ? (offeredPt === 8 ? 'PCMA' : 'PCMU') : (codecs[0] ?? 'PCMU');
    leg.answer({ body: Buffer.from(sdpFor(rtp.port, [pick])), contentType: 'application/sdp' });
  }

  async close(): Promise<void> {
    for (const c of this.#closers) c();
    await this.stack.close({ graceMs: 0 });
  }
}

export function waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  return new Promise((res, rej) => {
    const tick = () => {
      if (pred()) return res();
      if (Date.now() - start > timeoutMs) return rej(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/**
 * Ten 20 ms packets each way between two call ends; asserts both ends
 * received at least five, each byte-identical to what the other sent.
 */
export async function assertAudioBothWays(a: { rtp: Pick<RtpEndpoint, 'send' | 'received'> }, b: { rtp: Pick<RtpEndpoint, 'send' | 'received'> }): Promise<void> {
  const ab = Buffer.alloc(160, 0x33);
  const ba = Buffer.alloc(160, 0x44);
  for (let i = 0; i < 10; i++) {
    a.rtp.send(ab, 0);
    b.rtp.send(ba, 0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => a.rtp.received.length >= 5 && b.rtp.received.length >= 5, 3000, 'RTP both ways');
  assert.ok(b.rtp.received.every((p) => p.equals(ab)), 'callee hears exactly what the caller sent');
  assert.ok(a.rtp.received.every((p) => p.equals(ba)), 'caller hears exactly what the callee sent');
}
