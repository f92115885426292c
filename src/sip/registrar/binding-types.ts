/**
 * The binding model (RFC 3261 §10.3, RFC 5626 §6 for instance/reg-id) and
 * the `BindingStore` the registrar needs. The registrar declares the store
 * (STYLE G7); src/store implements it structurally without importing sip.
 */
import type { Flow } from '../transport/transport-types.ts';

/** One AOR → contact binding. Times are wall-clock ms so they survive a restart. */
export interface Binding {
  /** Canonical address-of-record (the To URI, as the driver canonicalises it). */
  readonly aor: string;
  /** Identity within the AOR: instance+reg-id (RFC 5626) or the normalised contact URI. */
  readonly key: string;
  /** The Contact URI as the UA sent it (used as the remote target). */
  readonly contact: string;
  /** Where the REGISTER came from: requests to this contact go back along it (RFC 5626 §5.2). */
  readonly flow: Flow;
  readonly expiresAt: number;
  /** q-value 0..1 from the Contact, undefined when absent. */
  readonly q: number | undefined;
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string | undefined;
  /** `+sip.instance` value (RFC 5626 §4.1), without the angle quotes. */
  readonly instanceId: string | undefined;
  readonly regId: number | undefined;
  /** When this binding was first created (oldest is replaced first at maxContacts). */
  readonly registeredAt: number;
  readonly updatedAt: number;
}

/**
 * Synchronous on purpose: the SQLite store is synchronous, and a REGISTER's
 * read-decide-write must not interleave with another REGISTER for the same
 * AOR (§10.3 step 7 commits all changes or none).
 */
export interface BindingStore {
  /** Bindings of an AOR that have not expired at `now`. */
  bindingsFor(aor: string, now: number): readonly Binding[];
  /** Upsert and remove, by key, in one transaction. */
  applyBindingChanges(aor: string, upsert: readonly Binding[], removeKeys: readonly string[]): void;
  /** Delete every binding expired at `now`; returns how many went. */
  purgeExpired(now: number): number;
}
