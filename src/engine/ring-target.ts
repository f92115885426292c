/**
 * The INVITE a ring target gets: a registered contact is called on the flow
 * its REGISTER came from (RFC 5626 §5.2 in spirit) at its Contact URI, with
 * the caller's number and name in From; a trunk target takes the trunk
 * directory's prepared URIs, headers and credentials. Shared by the call
 * (forks) and transfer (the new party of a blind transfer).
 */
import type { BodyWithType, UacLegOptions } from '../sip/index.ts';
import type { RingTarget } from './route-types.ts';

export function uacOptionsFor(
  t: RingTarget,
  trunkIndex: number,
  caller: { readonly number: string; readonly name: string | undefined },
  domain: string,
  body: BodyWithType | undefined,
): UacLegOptions | undefined {
  if (t.kind === 'contact') {
    const display = caller.name ? `"${caller.name.replace(/["\\]/g, '')}" ` : '';
    return {
      flow: t.binding.flow,
      requestUri: t.binding.contact,
      from: `${display}<sip:${encodeURIComponent(caller.number)}@${domain}>`,
      to: `<sip:${t.user}@${domain}>`,
      body,
    };
  }
  const tt = t.trunks[trunkIndex];
  if (tt === undefined) return undefined;
  return { flow: tt.flow, requestUri: tt.requestUri, from: tt.from, to: tt.to, body, headers: [...t.headers, ...(tt.headers ?? [])], ...(tt.credentials ? { credentials: tt.credentials } : {}) };
}
