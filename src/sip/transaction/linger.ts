/**
 * Compact stand-ins for transactions that only wait. After its final
 * response a transaction lingers to absorb retransmissions (RFC 3261 §17:
 * Timer D 32 s, I = T4, J = 64·T1, K = T4; RFC 6026 §8.4: L and M = 64·T1).
 * Kept as full records, every call and registration would pin parsed
 * requests and responses, closures and one Node timer each for half a
 * minute: at 1,000 calls/s that is ~100,000 live records in the old
 * generation, which the garbage collector then marks again and again.
 *
 * A Linger keeps only what the waiting state needs: the key, the flow, the
 * bytes to resend (final response for J, ACK for D), or the TU's response
 * handler (M: 2xx retransmissions go to the TU, RFC 6026 §7.2). What each
 * role does with a matching message is the waiting state of the pure machine
 * (non-invite-server.ts Completed, invite-server.ts Confirmed/Accepted,
 * non-invite-client.ts Completed, invite-client.ts Completed/Accepted);
 * layer.ts applies it.
 *
 * Expiry: every wait timer has a fixed duration per layer, so the entries of
 * one duration expire in the order they were added: the layer keeps them in
 * an ExpiryQueue (src/common), one FIFO per duration and one clock timer
 * instead of a timer per transaction. Leaves out: transport-error reports in waiting states (the TU
 * already has its final response; errors are logged by the layer).
 */
import type { Flow } from '../transport/index.ts';
import type { ResponseHandler } from './layer-types.ts';
import type { TimerName } from './timers.ts';

export type LingerRole =
  /** non-INVITE server, Completed (J): a retransmitted request gets the final response again. */
  | 'resend-response'
  /** INVITE server, Confirmed (I): ACK and INVITE retransmissions are absorbed. */
  | 'absorb-ack'
  /** INVITE server, Accepted (L): INVITE retransmissions absorbed, ACKs passed to the TU. */
  | 'accepted-server'
  /** non-INVITE client, Completed (K): response retransmissions absorbed. */
  | 'absorb-responses'
  /** INVITE client, Completed (D): a retransmitted non-2xx final response gets the ACK again. */
  | 'resend-ack'
  /** INVITE client, Accepted (M): 2xx retransmissions (and other forks' 2xx) go to the TU. */
  | 'accepted-client';

/** The wait timers whose state becomes a Linger, and the role of each. */
export const LINGER_ROLE: Readonly<Partial<Record<TimerName, LingerRole>>> = {
  J: 'resend-response',
  I: 'absorb-ack',
  L: 'accepted-server',
  K: 'absorb-responses',
  D: 'resend-ack',
  M: 'accepted-client',
};

export class Linger {
  constructor(
    readonly key: string,
    readonly role: LingerRole,
    readonly flow: Flow,
    readonly expires: number,
    /** Final response (resend-response) or ACK (resend-ack) as sent. */
    readonly bytes: Buffer | undefined,
    /** The TU's handler (accepted-client); the TU may hand over a smaller one (ClientTransactionHandle.handOver). */
    public onResponse: ResponseHandler | undefined,
  ) {}
}
