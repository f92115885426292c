/**
 * The default TransactionMessages: the layer's message needs met by the
 * builders of src/sip/message (§8.2.6 responses, §17.1.1.3 ACK, §9.1 CANCEL).
 * Responses the layer makes itself (481, 503, 500, synthetic 408/503 for
 * the TU) get a fresh To tag from the injected Ids (§8.2.6.2; G3).
 */
import type { Ids } from '../../common/index.ts';
import { createAckForNonSuccess, createCancel, createResponse, serializeSipMessage } from '../message/index.ts';
import type { TransactionMessages } from './layer-types.ts';

export function createTransactionMessages(ids: Ids): TransactionMessages {
  return {
    serialize: serializeSipMessage,
    response: (request, status, reason) => createResponse(request, status, reason, { toTag: ids.tag() }),
    cancel: createCancel,
    ackForNonSuccess: createAckForNonSuccess,
    // §8.2.6.1: 100 Trying carries no To tag; createResponse copies Timestamp.
    trying: (invite) => createResponse(invite, 100),
  };
}
