/**
 * The INVITE server transaction (RFC 3261 §17.2.1) with the Accepted state
 * of RFC 6026 §7.1: a pure machine (STYLE G1/G2). It owns the automatic
 * 100 Trying, resending the last response on INVITE retransmissions, final
 * response retransmission (Timer G, UDP only), the wait for the ACK
 * (Timer H) and ACK absorption (Timer I).
 *
 * 100 Trying choice: sent at once when the INVITE arrives, as Asterisk and
 * Kamailio do. §17.2.1 asks for it unless the TU is known to answer within
 * 200 ms; a B2BUA consults the dialplan, the registrar and a second leg
 * before it answers, so that is never known, and answering at once stops
 * the caller's Timer A retransmissions soonest.
 *
 * RFC 6026 §7.1 also keeps the state on a transport error (the TU is told;
 * Timers H and L, or the TU's final response, end the transaction), where
 * RFC 3261's figure went to Terminated.
 *
 * Leaves out: 2xx retransmission, which RFC 6026 gives to the TU (the
 * Accepted state forwards every 2xx the TU hands it and passes ACKs up).
 *
 *                               |INVITE
 *                               |pass INV to TU
 *            INVITE             V send 100 (at once)
 *            send response +-----------+
 *                 +--------|           |--------+ 101-199 from TU
 *                 |        | Proceeding|        | send response
 *                 +------->|           |<-------+
 *                          |           |--------+ Transport Err.
 *                          |           |        | Inform TU
 *                          |           |<-------+ (RFC 6026: state kept)
 *                          +-----------+
 *           300-699 from TU |         | 2xx from TU
 *           send response   |         | send response
 *                           V         V
 *  INVITE          +-----------+   +-----------+  2xx from TU: send response
 *  send response   |           |   |           |  ACK: pass to TU
 *  Timer G fires   | Completed |   | Accepted  |  INVITE: absorb
 *  send response   |           |   |  (6026)   |  Transport Err.: inform TU
 *  Transport Err.  +-----------+   +-----------+
 *  inform TU          |      |           |
 *                 ACK |      |           | Timer L fires
 *                 -   |      | Timer H   |
 *                     V      | fires     |
 *            +-----------+   | inform TU |
 *  ACK, INV  |           |   |           |
 *  absorbed  | Confirmed |   |           |
 *            |           |   |           |
 *            +-----------+   |           |
 *                 |          |           |
 *                 |Timer I   |           |
 *                 V          V           V
 *            +-------------------------------+
 *            |          Terminated           |
 *            +-------------------------------+
 */
import { assertNever, IllegalTransitionError } from '../../common/index.ts';
import type { SipResponse } from '../message/index.ts';
import { nextInterval, timerDuration } from './timers.ts';
import {
  isProvisional,
  isSuccess,
  type MachineContext,
  type ServerEvent,
  type Step,
  type TransactionBuilders,
  type TransactionEffect,
} from './transaction-types.ts';

export type InviteServerState =
  | { readonly kind: 'initial' }
  /** lastResponse: the most recent provisional, resent on INVITE retransmission. */
  | { readonly kind: 'proceeding'; readonly lastResponse: SipResponse }
  | { readonly kind: 'completed'; readonly finalResponse: SipResponse; readonly intervalG: number }
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'terminated' };

export interface InviteServerContext extends MachineContext {
  readonly builders: Pick<TransactionBuilders, 'trying'>;
}

export const INVITE_SERVER_INITIAL: InviteServerState = { kind: 'initial' };

const TERMINATED: InviteServerState = { kind: 'terminated' };

export function stepInviteServer(ctx: InviteServerContext, state: InviteServerState, event: ServerEvent): Step<InviteServerState> {
  const illegal = (): never => {
    throw new IllegalTransitionError('invite-server', state.kind, event.kind === 'timer' ? `timer ${event.name}` : event.kind);
  };
  switch (state.kind) {
    case 'initial': {
      if (event.kind !== 'receive-request') return illegal();
      const trying = ctx.builders.trying(ctx.request);
      return { state: { kind: 'proceeding', lastResponse: trying }, effects: [{ kind: 'send', message: trying }] };
    }
    case 'proceeding':
      switch (event.kind) {
        case 'request-retransmission':
          // §17.2.1: "the most recent provisional response that was received
          // from the TU MUST be passed to the transport layer".
          return { state, effects: [{ kind: 'send', message: state.lastResponse }] };
        case 'tu-response':
          return onTuResponse(ctx, event.response);
        // RFC 6026 §7.1: "The server transaction MUST NOT discard transaction
        // state based only on encountering a non-recoverable transport error
        // when sending a response." The TU is told; the state stays (so INVITE
        // retransmissions are still absorbed) and timers end it later.
        case 'transport-error':
          return { state, effects: [{ kind: 'tu-transport-error', error: event.error }] };
        // An ACK before any final response matches nothing sensible: drop it.
        case 'ack':
          return { state, effects: [] };
        case 'receive-request':
        case 'timer':
          return illegal();
        default:
          return assertNever(event, 'invite-server event');
      }
    case 'completed': {
      const cancelG: TransactionEffect[] = ctx.reliable ? [] : [{ kind: 'cancel-timer', name: 'G' }];
      switch (event.kind) {
        case 'request-retransmission':
          return { state, effects: [{ kind: 'send', message: state.finalResponse }] };
        case 'timer':
          if (event.name === 'G') {
            const ms = nextInterval(ctx.timers, 'G', state.intervalG);
            return {
              state: { ...state, intervalG: ms },
              effects: [{ kind: 'send', message: state.finalResponse }, { kind: 'start-timer', name: 'G', ms }],
            };
          }
          if (event.name === 'H') {
            // §17.2.1: H fired without an ACK: "the server transaction SHOULD
            // inform the TU that a failure has occurred".
            return { state: TERMINATED, effects: [...cancelG, { kind: 'tu-timeout', timer: 'H' }, { kind: 'terminated' }] };
          }
          return illegal();
        case 'ack': {
          const effects: TransactionEffect[] = [...cancelG, { kind: 'cancel-timer', name: 'H' }];
          const i = timerDuration(ctx.timers, 'I', ctx.reliable);
          if (i === 0) return { state: TERMINATED, effects: [...effects, { kind: 'terminated' }] };
          return { state: { kind: 'confirmed' }, effects: [...effects, { kind: 'start-timer', name: 'I', ms: i }] };
        }
        // RFC 6026 §7.1 (see Proceeding): inform the TU, keep the state; Timer H ends it.
        case 'transport-error':
          return { state, effects: [{ kind: 'tu-transport-error', error: event.error }] };
        case 'tu-response':
        case 'receive-request':
          return illegal();
        default:
          return assertNever(event, 'invite-server event');
      }
    }
    case 'confirmed':
      switch (event.kind) {
        // §17.2.1: Confirmed absorbs ACK retransmissions until Timer I fires.
        case 'ack':
        case 'request-retransmission':
        case 'transport-error':
          return { state, effects: [] };
        case 'timer':
          if (event.name === 'I') return { state: TERMINATED, effects: [{ kind: 'terminated' }] };
          return illegal();
        case 'tu-response':
        case 'receive-request':
          return illegal();
        default:
          return assertNever(event, 'invite-server event');
      }
    case 'accepted':
      switch (event.kind) {
        case 'tu-response':
          // RFC 6026 §7.1: the TU retransmits its 2xx through the transaction.
          if (isSuccess(event.response)) return { state, effects: [{ kind: 'send', message: event.response }] };
          return illegal();
        case 'ack':
          return { state, effects: [{ kind: 'tu-ack', ack: event.ack }] };
        // RFC 6026 §7.1: INVITE retransmissions in Accepted are absorbed; the
        // TU's own 2xx retransmission answers them.
        case 'request-retransmission':
          return { state, effects: [] };
        case 'transport-error':
          return { state, effects: [{ kind: 'tu-transport-error', error: event.error }] };
        case 'timer':
          if (event.name === 'L') return { state: TERMINATED, effects: [{ kind: 'terminated' }] };
          return illegal();
        case 'receive-request':
          return illegal();
        default:
          return assertNever(event, 'invite-server event');
      }
    case 'terminated':
      return illegal();
    default:
      return assertNever(state, 'invite-server state');
  }
}

function onTuResponse(ctx: InviteServerContext, response: SipResponse): Step<InviteServerState> {
  const send: TransactionEffect = { kind: 'send', message: response };
  if (isProvisional(response)) return { state: { kind: 'proceeding', lastResponse: response }, effects: [send] };
  if (isSuccess(response)) {
    return { state: { kind: 'accepted' }, effects: [send, { kind: 'start-timer', name: 'L', ms: ctx.timers.L }] };
  }
  const effects: TransactionEffect[] = [send];
  // §17.2.1: Timer G only for unreliable transports; Timer H always.
  if (!ctx.reliable) effects.push({ kind: 'start-timer', name: 'G', ms: ctx.timers.G });
  effects.push({ kind: 'start-timer', name: 'H', ms: ctx.timers.H });
  return { state: { kind: 'completed', finalResponse: response, intervalG: ctx.timers.G }, effects };
}
