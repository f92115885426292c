/**
 * Signalling for the RTP bench (bench/rtp-calls.ts): one SIP stack that
 * places calls (the "carrier" side, trunk bench-in) and one that answers them
 * (trunk bench-out), built on belfry's own src/sip legs like the test UA, but
 * with the SDP ports chosen by the caller so the bench owns the RTP sockets.
 * No RTP here; no digest (trunks are identified by address).
 */
import { cryptoIds, silentLogger, systemClock } from '../src/common/index.ts';
import {
  createResponse,
  createSipStack,
  createSipTimers,
  dialogKey,
  UacLeg,
  UasLeg,
  type DialogTarget,
  type Flow,
  type LegContext,
  type ServerTransactionHandle,
  type SipStack,
} from '../src/sip/index.ts';

export function pcmuSdp(port: number): Buffer {
  return Buffer.from(['v=0', `o=- ${port} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n'));
}

export function sdpPort(body: Buffer): number | undefined {
  const m = /m=audio (\d+) /.exec(body.toString('latin1'));
  return m?.[1] ? Number(m[1]) : undefined;
}

/** An incoming call: the port belfry offered, and how to answer with ours. */
export interface Incoming {
  readonly offerPort: number;
  readonly leg: UasLeg;
}

export class LoadUa {
  readonly stack: SipStack;
  readonly ctx: LegContext;
  readonly port: number;
  readonly #dialogs = new Map<string, DialogTarget>();
  #onInvite: (inc: Incoming) => void = () => undefined;

  private constructor(stack: SipStack) {
    this.stack = stack;
    this.port = stack.addresses().find((a) => a.protocol === 'udp')?.port ?? 0;
    const ids = cryptoIds();
    const port = this.port;
    this.ctx = {
      transactions: stack,
      routing: { register: (k, t) => this.#dialogs.set(k, t), unregister: (k) => this.#dialogs.delete(k) },
      clock: systemClock,
      ids,
      timers: createSipTimers({ T1: 500, T2: 4000, T4: 5000 }),
      log: silentLogger(),
      product: 'belfry-bench-ua',
      via: (_f, branch) => `SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport`,
      contact: () => `<sip:bench@127.0.0.1:${port}>`,
    };
    stack.onRequest((tx) => this.#onRequest(tx));
    stack.onAck((ack, flow) => {
      const key = ack.to.tag === undefined ? undefined : dialogKey({ callId: ack.callId, localTag: ack.to.tag, remoteTag: ack.from.tag ?? '' });
      if (key !== undefined) this.#dialogs.get(key)?.onAck(ack, flow);
    });
  }

  static async start(port = 0): Promise<LoadUa> {
    const stack = await createSipStack({ listeners: [{ protocol: 'udp', host: '127.0.0.1', port }], timers: { T1: 500 }, logger: silentLogger() });
    return new LoadUa(stack);
  }

  onInvite(f: (inc: Incoming) => void): void {
    this.#onInvite = f;
  }

  /** INVITE sip:user@switch with our RTP port; resolves with belfry's answer port, or rejects with the status. */
  call(switchPort: number, user: string, rtpPort: number): { leg: UacLeg; answered: Promise<number> } {
    const flow: Flow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: switchPort, localAddress: '127.0.0.1', localPort: this.port };
    const leg = new UacLeg(this.ctx, {
      flow,
      requestUri: `sip:${user}@127.0.0.1:${switchPort}`,
      from: '<sip:+31201110000@127.0.0.1>',
      to: `<sip:${user}@127.0.0.1>`,
      body: { body: pcmuSdp(rtpPort), contentType: 'application/sdp' },
    });
    const answered = new Promise<number>((res, rej) => {
      leg.on((e) => {
        if (e.kind === 'answered') {
          const p = sdpPort(e.response.body);
          if (p === undefined) rej(new Error('200 without SDP'));
          else res(p);
        }
        if (e.kind === 'failed') rej(new Error(`call failed: ${e.response.status}`));
        if (e.kind === 'request') e.req.respond(200);
      });
    });
    leg.start();
    return { leg, answered };
  }

  #onRequest(tx: ServerTransactionHandle): void {
    const req = tx.request;
    if (req.to.tag !== undefined) {
      const t = this.#dialogs.get(dialogKey({ callId: req.callId, localTag: req.to.tag, remoteTag: req.from.tag ?? '' }));
      if (t) t.onRequest(tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    if (req.method !== 'INVITE') {
      tx.respond(createResponse(req, req.method === 'OPTIONS' ? 200 : 481));
      return;
    }
    const offerPort = sdpPort(req.body);
    const leg = new UasLeg(this.ctx, tx);
    leg.on((e) => {
      if (e.kind === 'request') e.req.respond(200);
    });
    if (offerPort === undefined) {
      leg.reject(488);
      return;
    }
    this.#onInvite({ offerPort, leg });
  }

  async close(): Promise<void> {
    await this.stack.close({ graceMs: 0 });
  }
}
