/**
 * The SIP transaction sub-layer's public API (STYLE G8): timers, the four
 * pure machines, matching keys, the layer (driver + table) and error codes.
 */
export { createSipTimers, timerDuration, nextInterval, DEFAULT_TIMER_BASE, type SipTimers, type SipTimerBase, type TimerName } from './timers.ts';
export type {
  TransactionEffect,
  ClientEvent,
  ServerEvent,
  TransactionBuilders,
  MachineContext,
  Step,
} from './transaction-types.ts';
export { stepInviteClient, INVITE_CLIENT_INITIAL, type InviteClientState, type InviteClientContext } from './invite-client.ts';
export { stepNonInviteClient, NON_INVITE_CLIENT_INITIAL, type NonInviteClientState } from './non-invite-client.ts';
export { stepInviteServer, INVITE_SERVER_INITIAL, type InviteServerState, type InviteServerContext } from './invite-server.ts';
export { stepNonInviteServer, NON_INVITE_SERVER_INITIAL, type NonInviteServerState } from './non-invite-server.ts';
export { clientKey, serverKey, cancelTargetKey, hasMagicCookie, MAGIC_COOKIE } from './key.ts';
export { TransactionLayer } from './layer.ts';
export type {
  TransactionLayerOptions,
  TransactionMessages,
  ClientTransactionHandle,
  ServerTransactionHandle,
  ResponseHandler,
  RequestHandler,
  AckHandler,
  TransactionCounts,
} from './layer-types.ts';
export { createTransactionMessages } from './transaction-messages.ts';
export { TransactionError, TRANSACTION_ERROR_CODES, type TransactionErrorCode } from './errors.ts';
