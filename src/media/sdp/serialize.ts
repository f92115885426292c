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
  const o = sd.origin;
  const lines = ['v=0', `o=${o.username} ${o.sessionId} ${o.sessionVersion} IN ${o.addrType} ${o.address}`, `s=${sd.sessionName === '' ? '-' : sd.sessionName}`];
  for (const c of sd.connections) lines.push(connectionLine(c));
  lines.push('t=0 0');
  if (sd.direction !== undefined) lines.push(`a=${sd.direction}`);
  for (const m of sd.media) lines.push(...mediaLines(m));
  return lines.join('\r\n') + '\r\n';
}
