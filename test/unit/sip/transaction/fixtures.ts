/**
 * Arrange builders for the transaction tests: real messages from the
 * message module's builders, a fixed set of timers, and a recorder for the
 * effects of a machine run.
 */
import { buildRequest, buildResponse, createAckForNonSuccess, createResponse } from '../../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/index.ts';
import { ManualClock, type TimerHandle } from '../../../../src/common/index.ts';
import { createSipTimers, type Step, type TimerName, type TransactionEffect } from '../../../../src/sip/transaction/index.ts';
import type { Flow } from '../../../../src/sip/transport/index.ts';

export const TIMERS = createSipTimers();

export interface RequestOpts {
  readonly method?: string;
  readonly branch?: string;
  readonly host?: string;
  readonly port?: number;
  readonly transport?: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly uri?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly viaExtra?: string;
}

export function request(opts: RequestOpts = {}): SipRequest {
  const method = opts.method ?? 'INVITE';
  const branch = opts.branch === undefined ? ';branch=z9hG4bKabc1' : opts.branch === '' ? '' : `;branch=${opts.branch}`;
  const port = opts.port === undefined ? ':5060' : `:${opts.port}`;
  const cseqMethod = method;
  return buildRequest({
    method,
    uri: opts.uri ?? 'sip:bob@example.com',
    headers: [
      { name: 'via', value: `SIP/2.0/${opts.transport ?? 'UDP'} ${opts.host ?? '192.0.2.10'}${port}${branch}${opts.viaExtra ?? ''}` },
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: `<sip:alice@example.com>;tag=${opts.fromTag ?? 'ft1'}` },
      { name: 'to', value: opts.toTag === undefined ? '<sip:bob@example.com>' : `<sip:bob@example.com>;tag=${opts.toTag}` },
      { name: 'call-id', value: opts.callId ?? 'call-1@example.com' },
      { name: 'cseq', value: `${opts.cseq ?? 1} ${cseqMethod}` },
    ],
  });
}

export function response(req: SipRequest, status: number, toTag = 'tt1'): SipResponse {
  return createResponse(req, status, undefined, { toTag });
}

/** A response made from parts, for stray-response tests. */
export function responseWith(branch: string, method: string, status: number): SipResponse {
  return buildResponse({
    status,
    headers: [
      { name: 'via', value: `SIP/2.0/UDP 192.0.2.10:5060;branch=${branch}` },
      { name: 'from', value: '<sip:alice@example.com>;tag=ft1' },
      { name: 'to', value: '<sip:bob@example.com>;tag=tt1' },
      { name: 'call-id', value: 'call-1@example.com' },
      { name: 'cseq', value: `1 ${method}` },
    ],
  });
}

export const builders = {
  ackForNonSuccess: createAckForNonSuccess,
  trying: (invite: SipRequest) => createResponse(invite, 100),
};

export const UDP_FLOW: Flow = { protocol: 'udp', remoteAddress: '192.0.2.10', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 };
export const TCP_FLOW: Flow = { protocol: 'tcp', remoteAddress: '192.0.2.10', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060, connectionId: 1 };

/** Compact views of effects for assertions. */
export function kinds(effects: readonly TransactionEffect[]): string[] {
  return effects.map((e) => {
    switch (e.kind) {
      case 'send':
        return e.message.kind === 'request' ? `send ${e.message.method}` : `send ${e.message.status}`;
      case 'start-timer':
        return `start ${e.name} ${e.ms}`;
      case 'cancel-timer':
        return `cancel ${e.name}`;
      case 'tu-response':
        return `tu ${e.response.status}`;
      case 'tu-ack':
        return 'tu ACK';
      case 'tu-timeout':
        return `tu-timeout ${e.timer}`;
      case 'tu-transport-error':
        return 'tu-transport-error';
      case 'terminated':
        return 'terminated';
      default:
        return 'unknown';
    }
  });
}

export const TRANSPORT_ERROR = { code: 'SIP_TRANSPORT_SEND_FAILED', message: 'EHOSTUNREACH' } as const;

/**
 * Runs one pure machine against a ManualClock: timer effects become clock
 * timers whose firing feeds a timer event back in, so tests can say "advance
 * 500 ms" and look at what was sent when. Everything else is recorded.
 */
export class MachineHarness<S extends { readonly kind: string }, E> {
  state: S;
  readonly clock: ManualClock;
  readonly log: { at: number; effect: TransactionEffect }[] = [];
  readonly #timers = new Map<string, TimerHandle>();
  readonly #step: (state: S, event: E) => Step<S>;
  readonly #timerEvent: (name: TimerName) => E;

  constructor(initial: S, step: (state: S, event: E) => Step<S>, timerEvent: (name: TimerName) => E, clock = new ManualClock()) {
    this.state = initial;
    this.#step = step;
    this.#timerEvent = timerEvent;
    this.clock = clock;
  }

  feed(event: E): readonly TransactionEffect[] {
    const next = this.#step(this.state, event);
    this.state = next.state;
    for (const effect of next.effects) {
      this.log.push({ at: this.clock.now(), effect });
      if (effect.kind === 'start-timer') {
        this.#timers.get(effect.name)?.cancel();
        this.#timers.set(
          effect.name,
          this.clock.setTimer(effect.ms, () => {
            this.#timers.delete(effect.name);
            this.feed(this.#timerEvent(effect.name));
          }),
        );
      } else if (effect.kind === 'cancel-timer') {
        this.#timers.get(effect.name)?.cancel();
        this.#timers.delete(effect.name);
      }
    }
    return next.effects;
  }

  /** Times at which messages matching `what` (e.g. 'send INVITE') were sent. */
  sendTimes(what: string): number[] {
    return this.log.filter((l) => kinds([l.effect])[0] === what).map((l) => l.at);
  }

  get runningTimers(): string[] {
    return [...this.#timers.keys()].sort();
  }
}
