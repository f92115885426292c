/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2): a pure machine
 * (STYLE G1/G2). It absorbs request retransmissions (resending the last
 * response, if any) and keeps the final response for Timer J (UDP only).
 * Leaves out: nothing of §17.2.2. There is no automatic 100 for non-INVITE
 * (RFC 4320 §4.1 advises against sending 100 to non-INVITE quickly).
 *
 *                           |Request received
 *                           |pass to TU
 *                           V
 *                     +-----------+
 *                     |           |
 *                     | Trying    |-------------+
 *                     |           |             |
 *                     +-----------+             |200-699 from TU
 *                           |                   |send response
 *                           |1xx from TU        |
 *                           |send response      |
 *                           |                   |
 *        Request            V      1xx from TU  |
 *        send response+-----------+send response|
 *            +--------|           |--------+    |
 *            |        | Proceeding|        |    |
 *            +------->|           |<-------+    |
 *     +<--------------|           |             |
 *     |Trnsprt Err    +-----------+             |
 *     |Inform TU            |                   |
 *     |                     |                   |
 *     |                     |200-699 from TU    |
 *     |                     |send response      |
 *     |  Request            V                   |
 *     |  send response+-----------+             |
 *     |      +--------|           |             |
 *     |      |        | Completed |<------------+
 *     |      +------->|           |
 *     +<--------------|           |
 *     |Trnsprt Err    +-----------+
 *     |Inform TU            |
 *     |                     |Timer J fires
 *     |                     |-
 *     |                     |
 *     |                     V
 *     |               +-----------+
 *     |               |           |
 *     +-------------->| Terminated|
 *                     |           |
 *                     +-----------+
 */
import { assertNever, IllegalTransitionError } from '../../common/index.ts';
import type { SipResponse } from '../message/index.ts';
import { timerDuration } from './timers.ts';
import { isProvisional, type MachineContext, type ServerEvent, type Step, type TransactionEffect } from './transaction-types.ts';

export type NonInviteServerState =
  | { readonly kind: 'initial' }
  | { readonly kind: 'trying' }
  | { readonly kind: 'proceeding'; readonly lastResponse: SipResponse }
  | { readonly kind: 'completed'; readonly finalResponse: SipResponse }
  | { readonly kind: 'terminated' };

export const NON_INVITE_SERVER_INITIAL: NonInviteServerState = { kind: 'initial' };

const TERMINATED: NonInviteServerState = { kind: 'terminated' };

export function stepNonInviteServer(ctx: MachineContext, state: NonInviteServerState, event: ServerEvent): Step<NonInviteServerState> {
  const illegal = (): never => {
    throw new IllegalTransitionError('non-invite-server', state.kind, event.kind === 'timer' ? `timer ${event.name}` : event.kind);
  };
  switch (state.kind) {
    case 'initial':
      if (event.kind !== 'receive-request') return illegal();
      return { state: { kind: 'trying' }, effects: [] };
    case 'trying':
    case 'proceeding':
      switch (event.kind) {
        case 'request-retransmission':
          // §17.2.2: in Trying "any further request retransmissions are
          // discarded"; in Proceeding the last provisional is resent.
          if (state.kind === 'trying') return { state, effects: [] };
          return { state, effects: [{ kind: 'send', message: state.lastResponse }] };
        case 'tu-response':
          return onTuResponse(ctx, event.response);
        case 'transport-error':
          // In Trying nothing was sent yet, so the error is stale; ignore it.
          if (state.kind === 'trying') return { state, effects: [] };
          return { state: TERMINATED, effects: [{ kind: 'tu-transport-error', error: event.error }, { kind: 'terminated' }] };
        case 'ack':
        case 'receive-request':
        case 'timer':
          return illegal();
        default:
          return assertNever(event, 'non-invite-server event');
      }
    case 'completed':
      switch (event.kind) {
        case 'request-retransmission':
          return { state, effects: [{ kind: 'send', message: state.finalResponse }] };
        case 'timer':
          if (event.name === 'J') return { state: TERMINATED, effects: [{ kind: 'terminated' }] };
          return illegal();
        case 'transport-error':
          return {
            state: TERMINATED,
            effects: [{ kind: 'cancel-timer', name: 'J' }, { kind: 'tu-transport-error', error: event.error }, { kind: 'terminated' }],
          };
        case 'tu-response':
        case 'ack':
        case 'receive-request':
          return illegal();
        default:
          return assertNever(event, 'non-invite-server event');
      }
    case 'terminated':
      return illegal();
    default:
      return assertNever(state, 'non-invite-server state');
  }
}

function onTuResponse(ctx: MachineContext, response: SipResponse): Step<NonInviteServerState> {
  const send: TransactionEffect = { kind: 'send', message: response };
  if (isProvisional(response)) return { state: { kind: 'proceeding', lastResponse: response }, effects: [send] };
  const j = timerDuration(ctx.timers, 'J', ctx.reliable);
  if (j === 0) return { state: TERMINATED, effects: [send, { kind: 'terminated' }] };
  return { state: { kind: 'completed', finalResponse: response }, effects: [send, { kind: 'start-timer', name: 'J', ms: j }] };
}
