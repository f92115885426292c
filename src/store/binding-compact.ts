/**
 * The form a binding takes in memory (issue 3: ≤ 2 KB per registration).
 *
 * A binding handed over by the registrar holds strings cut out of the parsed
 * REGISTER (Call-ID, Contact): V8 keeps such a substring as a slice of the
 * message's text, so every binding would keep its whole REGISTER alive
 * (~600 bytes with the Authorization header). Strings built by template
 * (`sip:${user}@${domain}`, the binding key) are trees of concatenations.
 * The cache keeps instead:
 * - flat, independent copies of its strings;
 * - on a refresh, the previous binding's strings and flow when equal
 *   (phones repeat Contact, Call-ID and source address on every refresh);
 * - one shared copy of the strings many bindings repeat (addresses, User-Agent,
 *   protocol) from a bounded pool.
 */
import { flatCopy, InternPool } from '../common/index.ts';
import type { StoredBinding, StoredFlow } from './binding-types.ts';

/** Past this many distinct pooled strings the pool starts again (a flood of distinct User-Agents must not grow it). */
const POOL_MAX = 4096;

export class BindingCompactor {
  readonly #pool = new InternPool<string>(POOL_MAX, { copyKeys: true });

  /** A shared flat copy of a string many bindings repeat. */
  shared(s: string): string {
    return this.#pool.get(s, () => flatCopy(s));
  }

  #flow(f: StoredFlow, prev: StoredFlow | undefined): StoredFlow {
    if (
      prev !== undefined &&
      prev.protocol === f.protocol &&
      prev.remoteAddress === f.remoteAddress &&
      prev.remotePort === f.remotePort &&
      prev.localAddress === f.localAddress &&
      prev.localPort === f.localPort &&
      prev.connectionId === f.connectionId
    ) {
      return prev;
    }
    const base = { protocol: f.protocol, remoteAddress: this.shared(f.remoteAddress), remotePort: f.remotePort, localAddress: this.shared(f.localAddress), localPort: f.localPort };
    return f.connectionId === undefined ? base : { ...base, connectionId: f.connectionId };
  }

  /**
   * The binding as the cache keeps it. `aor` is the cache's own copy of the
   * AOR string (the map key), `prev` the binding this one replaces, if any.
   */
  compact(b: StoredBinding, aor: string, prev: StoredBinding | undefined): StoredBinding {
    const same = (a: string, old: string | undefined): string => (old !== undefined && old === a ? old : flatCopy(a));
    return {
      aor,
      key: same(b.key, prev?.key),
      contact: same(b.contact, prev?.contact),
      flow: this.#flow(b.flow, prev?.flow),
      expiresAt: b.expiresAt,
      q: b.q,
      callId: same(b.callId, prev?.callId),
      cseq: b.cseq,
      userAgent: b.userAgent === undefined ? undefined : this.shared(b.userAgent),
      instanceId: b.instanceId === undefined ? undefined : same(b.instanceId, prev?.instanceId),
      regId: b.regId,
      registeredAt: b.registeredAt,
      updatedAt: b.updatedAt,
    };
  }
}
