/**
 * Stable codes for the registrar (STYLE G6). All but the last are protocol
 * outcomes of one REGISTER and carry the SIP status they map to; the last is
 * a programmer error in configuration.
 */
import { BelfryError } from '../../common/index.ts';

export const REGISTRAR_REJECT_CODES = {
  /** `Contact: *` together with other contacts or with Expires other than 0 (§10.3 step 6). */
  REGISTRAR_BAD_WILDCARD: 400,
  /** A Contact URI that is not a sip/sips/tel URI we can key a binding on. */
  REGISTRAR_BAD_CONTACT: 400,
  /** Same Call-ID with a CSeq not above the binding's (§10.3 step 7). */
  REGISTRAR_OUT_OF_ORDER: 400,
  /** An expiration above zero but below Min-Expires (§10.3 step 6, RFC 3261 §21.4.17). */
  REGISTRAR_INTERVAL_TOO_BRIEF: 423,
  /** One REGISTER asks for more contacts than policy.maxContacts. */
  REGISTRAR_TOO_MANY_CONTACTS: 403,
} as const;

export type RegistrarRejectCode = keyof typeof REGISTRAR_REJECT_CODES;

export class RegistrarPolicyError extends BelfryError {
  constructor(message: string) {
    super('REGISTRAR_BAD_POLICY', message);
  }
}

export const REGISTRAR_ERROR_CODES = [...(Object.keys(REGISTRAR_REJECT_CODES) as RegistrarRejectCode[]), 'REGISTRAR_BAD_POLICY'] as const;
