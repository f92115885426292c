/**
 * Flow helpers: RFC 3581 received/rport stamping on incoming requests and
 * the RFC 3261 §18.2.2 choice of where a response goes.
 *
 * Owns: rewriting the top Via of a received request (header text and the
 * parsed core field together, so they never disagree) and computing the
 * response destination. Leaves out: multicast maddr handling (belfry never
 * joins a group; a maddr is used as a plain unicast address), and the
 * RFC 3263 DNS procedures for sent-by names (we answer to addresses only).
 */
import type { HeaderField, ParamValue, SipRequest, Via } from '../message/message-types.ts';
import type { Flow, TransportProtocol } from './transport-types.ts';

export type { Flow };

/** Default ports per RFC 3261 §19.1.2 (5060; 5061 for TLS). */
export function defaultPort(p: TransportProtocol): number {
  return p === 'tls' ? 5061 : 5060;
}

/** Strips IPv6 brackets: `[::1]` → `::1`. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Splits a header value at top-level commas (outside quotes and <>). */
export function splitHeaderValues(value: string): string[] {
  // The usual header carries one value: no comma, nothing to scan.
  if (value.indexOf(',') < 0) {
    const t = value.trim();
    return t.length > 0 ? [t] : [];
  }
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

/**
 * Rewrites the top Via text per RFC 3581 §4 / RFC 3261 §18.2.1: `received`
 * when the sent-by host differs from the packet source, and an empty
 * `rport` filled with the source port (in which case `received` is always
 * added, RFC 3581 §4). Returns the new text, or undefined when unchanged.
 */
export function stampViaText(viaValue: string, via: Via, flow: Flow): string | undefined {
  const src = flow.remoteAddress;
  const fillRport = via.rport === null;
  const needReceived = fillRport || bareHost(via.host) !== src;
  if (!fillRport && !needReceived) return undefined;
  let text = viaValue;
  // Drop any received we are about to replace (a forged or stale one).
  if (needReceived) text = text.replace(/;\s*received\s*=\s*[^;,\s]*/i, '');
  if (fillRport) text = text.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${flow.remotePort}`);
  if (needReceived) text += `;received=${src}`;
  return text;
}

/** The request as the layers above must see it: top Via stamped (RFC 3581). */
export function stampReceived(req: SipRequest, flow: Flow): SipRequest {
  const idx = req.headers.findIndex((h) => h.name === 'via');
  const field = req.headers[idx];
  if (field === undefined) return req;
  const values = splitHeaderValues(field.value);
  const top = values[0];
  if (top === undefined) return req;
  const stamped = stampViaText(top, req.via, flow);
  if (stamped === undefined) return req;
  values[0] = stamped;
  const headers: HeaderField[] = req.headers.slice();
  headers[idx] = { name: 'via', value: values.join(', ') };
  return { ...req, headers, via: stampVia(req.via, flow) };
}

/** The parsed counterpart of stampViaText: the Via as it reads after stamping. */
export function stampVia(via: Via, flow: Flow): Via {
  const fillRport = via.rport === null;
  if (!fillRport && bareHost(via.host) === flow.remoteAddress) return via;
  const params = new Map<string, ParamValue>(via.params);
  if (fillRport) params.set('rport', String(flow.remotePort));
  params.set('received', flow.remoteAddress);
  return { ...via, params, received: flow.remoteAddress, rport: fillRport ? flow.remotePort : via.rport };
}

export interface Destination {
  readonly address: string;
  readonly port: number;
}

/**
 * RFC 3261 §18.2.2 for a response whose request carried `via`, arrived on
 * `flow`. Reliable transports reuse the connection first (the caller does
 * that); this gives the address to use otherwise. `symmetric` sends every
 * UDP response to the packet source, as if rport had been present.
 */
export function responseDestination(via: Via, flow: Flow, symmetric: boolean): Destination {
  const port = via.port ?? defaultPort(flow.protocol);
  // RFC 3581 §4: with rport, the response goes to the source address and port.
  if (typeof via.rport === 'number') return { address: via.received ?? flow.remoteAddress, port: via.rport };
  if (via.rport === null || symmetric) return { address: flow.remoteAddress, port: flow.remotePort };
  if (via.maddr !== undefined) return { address: bareHost(via.maddr), port };
  if (via.received !== undefined) return { address: bareHost(via.received), port };
  return { address: bareHost(via.host), port };
}
