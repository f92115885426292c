/**
 * Write belfry's SDP model as text (RFC 4566 §5 line order: v, o, s, c, t,
 * a (session), then per m=: m, c, a). CRLF line ends as RFC 4566 §5 requires.
 */
import type { SdpConnection, SdpMedia, SessionDescription } from './sdp-types.ts';

function connectionLine(c: SdpConnection): string {
  return `c=IN ${c.addrType} ${c.address}`;
}

function mediaLines(m: SdpMedia): string[] {
  const out = [`m=${m.type} ${m.port} ${m.proto} ${m.formats.join(' ')}`];
  for (const c of m.connections) out.push(connectionLine(c));
  for (const r of m.rtpmaps) out.push(`a=rtpmap:${r.payloadType} ${r.encoding}/${r.clockRate}${r.channels !== undefined ? `/${r.channels}` : ''}`);
  for (const f of m.fmtps) out.push(`a=fmtp:${f.payloadType} ${f.config}`);
  if (m.ptime !== undefined) out.push(`a=ptime:${m.ptime}`);
  if (m.maxptime !== undefined) out.push(`a=maxptime:${m.maxptime}`);
  if (m.rtcp !== undefined) out.push(`a=rtcp:${m.rtcp.port}`);
  if (m.direction !== undefined) out.push(`a=${m.direction}`);
  return out;
}

export function serializeSdp(sd: SessionDescription): string {
  return `v=0\r\n${originLine(sd.origin)}\r\n${serializeAfterOrigin(sd)}`;
}

function originLine(o: SessionDescription['origin']): string {
  return `o=${o.username} ${o.sessionId} ${o.sessionVersion} IN ${o.addrType} ${o.address}`;
}

/** The lines after o= (s= to the end), each ending in CRLF: what serializeSdp writes after its first two lines. */
export function serializeAfterOrigin(sd: SessionDescription): string {
  const lines = [`s=${sd.sessionName === '' ? '-' : sd.sessionName}`];
  for (const c of sd.connections) lines.push(connectionLine(c));
  lines.push('t=0 0');
  if (sd.direction !== undefined) lines.push(`a=${sd.direction}`);
  for (const m of sd.media) lines.push(...mediaLines(m));
  return lines.join('\r\n') + '\r\n';
}

/** serializeSdp(sd) for a caller that already has serializeAfterOrigin(sd) (offer-answer.ts). */
export function serializeSdpWithRest(sd: SessionDescription, afterOrigin: string): string {
  return `v=0\r\n${originLine(sd.origin)}\r\n${afterOrigin}`;
}
