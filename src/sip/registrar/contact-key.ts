/**
 * The identity of a binding inside its AOR.
 *
 * RFC 5626 §6: when a Contact carries +sip.instance and reg-id, the binding
 * is identified by (instance, reg-id), so a phone that changed address
 * replaces its own old binding instead of adding a second one.
 * Otherwise the Contact URI is compared (RFC 3261 §10.3 step 7 uses the
 * §19.1.4 URI comparison rules).
 *
 * RFC-DEVIATION: §19.1.4 ignores a parameter present in only one of two
 * URIs (apart from user, ttl, method, maddr, transport). We key on the
 * URI with *all* parameters, normalised; two contacts the RFC deems equal
 * but written with different extra parameters become two bindings. Phones
 * repeat their Contact verbatim on refresh, so this costs nothing in
 * practice and keeps the key a plain string the store can index.
 */

export interface ContactIdentity {
  readonly uri: string;
  readonly instanceId: string | undefined;
  readonly regId: number | undefined;
}

const URI_RE = /^(sips?|tel):(?:([^@]*)@)?([^;?]+)((?:;[^?]*)?)(?:\?.*)?$/i;

/** Normalised URI string, or undefined when the URI cannot be a binding's contact. */
export function normaliseContactUri(uri: string): string | undefined {
  const m = URI_RE.exec(uri.trim());
  if (m === null) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  const user = m[2];
  const hostport = (m[3] ?? '').toLowerCase();
  if (hostport === '' || /\s/.test(hostport)) return undefined;
  const params = (m[4] ?? '')
    .split(';')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? p.toLowerCase() : `${p.slice(0, eq).toLowerCase()}=${p.slice(eq + 1).toLowerCase()}`;
    })
    .sort();
  return `${scheme}:${user === undefined ? '' : user + '@'}${hostport}${params.map((p) => ';' + p).join('')}`;
}

export function bindingKey(c: ContactIdentity): string | undefined {
  if (c.instanceId !== undefined && c.regId !== undefined) return `instance:${c.instanceId}|reg-id:${c.regId}`;
  const n = normaliseContactUri(c.uri);
  return n === undefined ? undefined : `uri:${n}`;
}
