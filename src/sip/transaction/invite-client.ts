/**
 * The INVITE client transaction (RFC 3261 §17.1.1) with the Accepted state
 * of RFC 6026 §7.2: a pure machine (STYLE G1/G2). It owns request
 * retransmission (Timer A, UDP only), the transaction timeout (Timer B), the
 * ACK for 300–699 responses (§17.1.1.3) and the absorption of final response
 * retransmissions. Leaves out: the ACK for 2xx (a TU/dialog matter, §13.2.2.4)
 * and CANCEL, which is its own non-INVITE transaction (§9.1).
 *
 *                                |INVITE from TU
 *              Timer A fires     |INVITE sent
 *              Reset A,          V                      Timer B fires
 *              INVITE sent +-----------+                or Transport Err.
 *                +---------|           |---------------+inform TU
 *                |         |  Calling  |               |
 *                +-------->|           |-------------->|
 *                          +-----------+ 2xx           |
 *                             |  |       2xx to TU     |
 *                             |  |1xx                  |
 *     300-699 +---------------+  |1xx to TU            |
 *    ACK sent |                  |                     |
 * resp. to TU |  1xx             V                     |
 *             |  1xx to TU  -----------+               |
 *             |  +---------|           |               |
 *             |  |         |Proceeding |-------------->|
 *             |  +-------->|           | 2xx           |
 *             |            +-----------+ 2xx to TU     |
 *             |       300-699    |                     |
 *             |       ACK sent,  |                     |
 *             |       resp. to TU|                     |
 *             |                  |                     |
 *             |                  V                     |
 *             |            +-----------+               |
 *             +----------->|           |               |
 *  300-699 / ACK sent      | Completed |               |
 *             +------------|           |               |
 *             |            +-----------+               |
 *             |                  |                     |
 *             |  Timer D fires   |  (RFC 6026)         |
 *             |                  |  +-----------+      |
 *             |                  |  | Accepted  |<--- 2xx from Calling/Proceeding
 *             |                  |  +-----------+  2xx: to TU
 *             |                  |        | Timer M fires
 *             |                  V        V
 *             |            +-----------+
 *             +----------->| Terminated|
 *                          +-----------+
 */
import { assertNever, IllegalTransitionError } from '../../common/index.ts';
import type { SipRequest } from '../message/index.ts';
import { nextInterval, timerDuration } from './timers.ts';
import {
  isProvisional,
  isSuccess,
  type ClientEvent,
  type MachineContext,
  type Step,
  type TransactionBuilders,
  type TransactionEffect,
} from './transaction-types.ts';

export type InviteClientState =
  | { readonly kind: 'initial' }
  /** intervalA: the interval Timer A is currently running with (UDP only). */
  | { readonly kind: 'calling'; readonly intervalA: number }
  | { readonly kind: 'proceeding' }
  | { readonly kind: 'completed'; readonly ack: SipRequest }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'terminated' };

export interface InviteClientContext extends MachineContext {
  readonly builders: Pick<TransactionBuilders, 'ackForNonSuccess'>;
}

export const INVITE_CLIENT_INITIAL: InviteClientState = { kind: 'initial' };

const TERMINATED: InviteClientState = { kind: 'terminated' };

export function stepInviteClient(ctx: InviteClientContext, state: InviteClientState, event: ClientEvent): Step<InviteClientState> {
  const illegal = (): never => {
    throw new IllegalTransitionError('invite-client', state.kind, event.kind === 'timer' ? `timer ${event.name}` : event.kind);
  };
  switch (state.kind) {
    case 'initial': {
      if (event.kind !== 'send-request') return illegal();
      const effects: TransactionEffect[] = [{ kind: 'send', message: ctx.request }];
      // §17.1.1.2: Timer A only for unreliable transports.
      if (!ctx.reliable) effects.push({ kind: 'start-timer', name: 'A', ms: ctx.timers.A });
      effects.push({ kind: 'start-timer', name: 'B', ms: ctx.timers.B });
      return { state: { kind: 'calling', intervalA: ctx.timers.A }, effects };
    }
    case 'calling':
      switch (event.kind) {
        case 'timer':
          if (event.name === 'A') {
            const ms = nextInterval(ctx.timers, 'A', state.intervalA);
            return {
              state: { kind: 'calling', intervalA: ms },
              effects: [{ kind: 'send', message: ctx.request }, { kind: 'start-timer', name: 'A', ms }],
            };
          }
          if (event.name === 'B') {
            return { state: TERMINATED, effects: [...cancelA(ctx), { kind: 'tu-timeout', timer: 'B' }, { kind: 'terminated' }] };
          }
          return illegal();
        case 'transport-error':
          return {
            state: TERMINATED,
            effects: [...cancelA(ctx), { kind: 'cancel-timer', name: 'B' }, { kind: 'tu-transport-error', error: event.error }, { kind: 'terminated' }],
          };
        case 'response': {
          // Leaving Calling stops retransmission and Timer B (B applies only in Calling).
          const stop: TransactionEffect[] = [...cancelA(ctx), { kind: 'cancel-timer', name: 'B' }];
          return onResponse(ctx, event.response, stop);
        }
        case 'send-request':
          return illegal();
        default:
          return assertNever(event, 'invite-client event');
      }
    case 'proceeding':
      switch (event.kind) {
        case 'response':
          return onResponse(ctx, event.response, []);
        // A late error report for an earlier retransmission: a provisional has
        // already proven the path, so it changes nothing.
        case 'transport-error':
          return { state, effects: [] };
        case 'timer':
        case 'send-request':
          return illegal();
        default:
          return assertNever(event, 'invite-client event');
      }
    case 'completed':
      switch (event.kind) {
        case 'response':
          // §17.1.1.2: "Any retransmissions of the final response that are
          // received while in the Completed state MUST cause the ACK to be
          // re-passed to the transport layer for retransmission, but the newly
          // received response MUST NOT be passed up to the TU."
          if (!isProvisional(event.response) && !isSuccess(event.response)) {
            return { state, effects: [{ kind: 'send', message: state.ack }] };
          }
          return { state, effects: [] };
        case 'timer':
          if (event.name === 'D') return { state: TERMINATED, effects: [{ kind: 'terminated' }] };
          return illegal();
        // The ACK could not be sent: the TU already has its final response.
        case 'transport-error':
          return { state: TERMINATED, effects: [{ kind: 'cancel-timer', name: 'D' }, { kind: 'terminated' }] };
        case 'send-request':
          return illegal();
        default:
          return assertNever(event, 'invite-client event');
      }
    case 'accepted':
      switch (event.kind) {
        case 'response':
          // RFC 6026 §7.2: 2xx retransmissions (and 2xx from other forks) go
          // to the TU, which sends the ACK; anything else is discarded.
          if (isSuccess(event.response)) return { state, effects: [{ kind: 'tu-response', response: event.response }] };
          return { state, effects: [] };
        case 'timer':
          if (event.name === 'M') return { state: TERMINATED, effects: [{ kind: 'terminated' }] };
          return illegal();
        case 'transport-error':
          return { state, effects: [] };
        case 'send-request':
          return illegal();
        default:
          return assertNever(event, 'invite-client event');
      }
    case 'terminated':
      return illegal();
    default:
      return assertNever(state, 'invite-client state');
  }
}

function cancelA(ctx: InviteClientContext): TransactionEffect[] {
  return ctx.reliable ? [] : [{ kind: 'cancel-timer', name: 'A' }];
}

/** A response in Calling or Proceeding; `stop` cancels the Calling timers. */
function onResponse(ctx: InviteClientContext, response: ClientEventResponse, stop: TransactionEffect[]): Step<InviteClientState> {
  if (isProvisional(response)) {
    return { state: { kind: 'proceeding' }, effects: [...stop, { kind: 'tu-response', response }] };
  }
  if (isSuccess(response)) {
    // RFC 6026 §7.2 replaces "go to Terminated" with Accepted, so 2xx
    // retransmissions still match this transaction for Timer M.
    return {
      state: { kind: 'accepted' },
      effects: [...stop, { kind: 'tu-response', response }, { kind: 'start-timer', name: 'M', ms: ctx.timers.M }],
    };
  }
  // §17.1.1.2/§17.1.1.3: 300–699: ACK, pass up, wait Timer D (0 when reliable).
  const ack = ctx.builders.ackForNonSuccess(ctx.request, response);
  const effects: TransactionEffect[] = [...stop, { kind: 'send', message: ack }, { kind: 'tu-response', response }];
  const d = timerDuration(ctx.timers, 'D', ctx.reliable);
  if (d === 0) return { state: TERMINATED, effects: [...effects, { kind: 'terminated' }] };
  return { state: { kind: 'completed', ack }, effects: [...effects, { kind: 'start-timer', name: 'D', ms: d }] };
}

type ClientEventResponse = Extract<ClientEvent, { kind: 'response' }>['response'];
