/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2): a pure machine
 * (STYLE G1/G2). It owns request retransmission (Timer E, UDP only, doubling
 * up to T2 and held at T2 once a provisional arrived), the timeout (Timer F)
 * and absorbing response retransmissions in Completed (Timer K).
 * Leaves out: nothing of §17.1.2; CANCEL is just a non-INVITE request here.
 *
 *                                    |Request from TU
 *                                    |send request
 *                Timer E             V
 *                send request  +-----------+
 *                    +---------|           |-------------------+
 *                    |         |  Trying   |  Timer F          |
 *                    +-------->|           |  or Transport Err.|
 *                              +-----------+  inform TU        |
 * 200-699                         |  |                         |
 * resp. to TU                     |  |1xx                      |
 * +-------------------------------+  |resp. to TU              |
 * |                                  |                         |
 * |   Timer E                        V       Timer F           |
 * |   send req                 +-----------+ or Transport Err. |
 * |        +-------------------|           | inform TU         |
 * |        |                   | Proceeding|------------------>|
 * |        +------------------>|           |-----+             |
 * |                            +-----------+     |1xx          |
 * |                              |      ^        |resp to TU   |
 * | 200-699                      |      +--------+             |
 * | resp. to TU                  |                             |
 * |                              |                             |
 * |                              V                             |
 * |                            +-----------+                   |
 * |                            |           |                   |
 * |                            | Completed |                   |
 * |                            |           |                   |
 * |                            +-----------+                   |
 * |                              ^   |                         |
 * |                              |   | Timer K                 |
 * +------------------------------+   | -                       |
 *                                    |                         |
 *                                    V                         |
 *              NOTE:           +-----------+                   |
 *                              |           |                   |
 *          transitions         | Terminated|<------------------+
 *          labeled with        |           |
 *          the event           +-----------+
 *          over the action
 *          to take
 */
import { assertNever, IllegalTransitionError } from '../../common/index.ts';
import type { SipResponse } from '../message/index.ts';
import { nextInterval, timerDuration } from './timers.ts';
import { isProvisional, type ClientEvent, type MachineContext, type Step, type TransactionEffect } from './transaction-types.ts';

export type NonInviteClientState =
  | { readonly kind: 'initial' }
  /** intervalE: the interval Timer E is currently running with (UDP only). */
  | { readonly kind: 'trying'; readonly intervalE: number }
  | { readonly kind: 'proceeding' }
  | { readonly kind: 'completed' }
  | { readonly kind: 'terminated' };

export const NON_INVITE_CLIENT_INITIAL: NonInviteClientState = { kind: 'initial' };

const TERMINATED: NonInviteClientState = { kind: 'terminated' };

export function stepNonInviteClient(ctx: MachineContext, state: NonInviteClientState, event: ClientEvent): Step<NonInviteClientState> {
  const illegal = (): never => {
    throw new IllegalTransitionError('non-invite-client', state.kind, event.kind === 'timer' ? `timer ${event.name}` : event.kind);
  };
  const cancelE: TransactionEffect[] = ctx.reliable ? [] : [{ kind: 'cancel-timer', name: 'E' }];
  switch (state.kind) {
    case 'initial': {
      if (event.kind !== 'send-request') return illegal();
      const effects: TransactionEffect[] = [{ kind: 'send', message: ctx.request }];
      if (!ctx.reliable) effects.push({ kind: 'start-timer', name: 'E', ms: ctx.timers.E });
      effects.push({ kind: 'start-timer', name: 'F', ms: ctx.timers.F });
      return { state: { kind: 'trying', intervalE: ctx.timers.E }, effects };
    }
    case 'trying':
    case 'proceeding':
      switch (event.kind) {
        case 'timer':
          if (event.name === 'E') {
            // §17.1.2.2: in Trying E doubles up to T2; in Proceeding it is reset to T2.
            const ms = state.kind === 'trying' ? nextInterval(ctx.timers, 'E', state.intervalE) : ctx.timers.T2;
            const next: NonInviteClientState = state.kind === 'trying' ? { kind: 'trying', intervalE: ms } : state;
            return { state: next, effects: [{ kind: 'send', message: ctx.request }, { kind: 'start-timer', name: 'E', ms }] };
          }
          if (event.name === 'F') {
            return { state: TERMINATED, effects: [...cancelE, { kind: 'tu-timeout', timer: 'F' }, { kind: 'terminated' }] };
          }
          return illegal();
        case 'transport-error':
          return {
            state: TERMINATED,
            effects: [...cancelE, { kind: 'cancel-timer', name: 'F' }, { kind: 'tu-transport-error', error: event.error }, { kind: 'terminated' }],
          };
        case 'response':
          return onResponse(ctx, state, event.response, cancelE);
        case 'send-request':
          return illegal();
        default:
          return assertNever(event, 'non-invite-client event');
      }
    case 'completed':
      switch (event.kind) {
        // §17.1.2.2: Completed buffers response retransmissions until K fires.
        case 'response':
        case 'transport-error':
          return { state, effects: [] };
        case 'timer':
          if (event.name === 'K') return { state: TERMINATED, effects: [{ kind: 'terminated' }] };
          return illegal();
        case 'send-request':
          return illegal();
        default:
          return assertNever(event, 'non-invite-client event');
      }
    case 'terminated':
      return illegal();
    default:
      return assertNever(state, 'non-invite-client state');
  }
}

function onResponse(
  ctx: MachineContext,
  state: Extract<NonInviteClientState, { kind: 'trying' | 'proceeding' }>,
  response: SipResponse,
  cancelE: TransactionEffect[],
): Step<NonInviteClientState> {
  if (isProvisional(response)) {
    // Entering Proceeding: the running Timer E is left alone; from its next
    // firing on the interval is T2 (§17.1.2.2).
    return { state: state.kind === 'proceeding' ? state : { kind: 'proceeding' }, effects: [{ kind: 'tu-response', response }] };
  }
  const effects: TransactionEffect[] = [...cancelE, { kind: 'cancel-timer', name: 'F' }, { kind: 'tu-response', response }];
  const k = timerDuration(ctx.timers, 'K', ctx.reliable);
  if (k === 0) return { state: TERMINATED, effects: [...effects, { kind: 'terminated' }] };
  return { state: { kind: 'completed' }, effects: [...effects, { kind: 'start-timer', name: 'K', ms: k }] };
}
