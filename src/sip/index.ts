/**
 * The SIP module's public face (STYLE G8): start a stack, the message model
 * and builders, transaction handles, and the transport contract. Other
 * modules import sip only through this file.
 */
export { createSipStack, DEFAULT_ALLOWED_METHODS, DEFAULT_SUPPORTED_EXTENSIONS } from './stack.ts';
export { statelessReplyBytes } from './stateless-reply.ts';
export type { SipStack, SipStackOptions, SipStackCounters, ListenerConfig, StreamConfig } from './stack-types.ts';
export * from './message/index.ts';
export {
  createSipTimers,
  DEFAULT_TIMER_BASE,
  TransactionError,
  TRANSACTION_ERROR_CODES,
  type SipTimers,
  type SipTimerBase,
  type ServerTransactionHandle,
  type ClientTransactionHandle,
  type ResponseHandler,
  type RequestHandler,
  type AckHandler,
  type TransactionCounts,
} from './transaction/index.ts';
export {
  flowKey,
  isReliable,
  KNOWN_METHODS,
  SIP_TRANSPORT_ERROR_CODES,
  SipTransportError,
  type Flow,
  type TransportProtocol,
  type TransportError,
  type SipTransport,
  type BoundAddress,
} from './transport/index.ts';
export { FRAMER_ERROR_CODES } from './message/framer.ts';
// Dialogs, B2BUA legs, digest auth and the registrar core (added by the engine's author).
export * from './dialog/index.ts';
export * from './leg/index.ts';
export * from './auth/index.ts';
export * from './registrar/index.ts';
