/**
 * The SDP belfry sends to the other leg when it anchors media: the peer's
 * body with the transport parts replaced by the anchor's, everything else
 * (codecs, fmtp, ptime, direction) passed on so the far end can answer what
 * the near end offered.
 *
 * Rules (docs/media.md, "SDP rewrite"):
 *  - o= becomes belfry's own (SdpOriginState: fixed session id, version +1
 *    on each change, RFC 3264 §8);
 *  - every c= becomes the anchor address, one per level; c=0.0.0.0 stays the
 *    unspecified address so old-style hold (RFC 3264 §8.4) carries through;
 *  - the first audio m= line with a non-zero port gets the anchor port and a
 *    plain RTP profile (SAVP → AVP: keys are stripped, belfry does not do
 *    SRTP); every other m= line gets port 0 (the anchor carries one stream);
 *  - a=rtcp (the anchor's RTCP is port+1, RFC 3550 §11), a=rtcp-mux, ICE
 *    (candidate, ice-*, end-of-candidates, remote-candidates), DTLS/SDES keys
 *    (crypto, fingerprint, setup) and a=group are removed.
 * Line order and unknown attributes are kept.
 */
import { err, ok, type Result } from '../../common/index.ts';
import { sdpError, type SdpError } from '../errors.ts';
import type { SdpOriginState } from './origin.ts';
import { parseSdp } from './parse.ts';

const STRIPPED_ATTRIBUTES = /^a=(rtcp|rtcp-mux|rtcp-rsize|candidate|end-of-candidates|remote-candidates|ice-[a-z-]+|crypto|fingerprint|setup|group|mid|extmap|extmap-allow-mixed)(:|$)/;

export interface RewriteResult {
  readonly text: string;
  /** Index of the m= line the anchor carries. */
  readonly anchoredMediaIndex: number;
}

export function rewriteForAnchor(sdp: string, anchorAddr: string, anchorPort: number, origin: SdpOriginState): Result<RewriteResult, SdpError> {
  const parsed = parseSdp(sdp);
  if (!parsed.ok) return parsed;
  const anchoredMediaIndex = parsed.value.media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  if (anchoredMediaIndex < 0) return err(sdpError('SDP_NO_AUDIO', 'no audio stream to anchor'));
  const ip6 = anchorAddr.includes(':');
  const addrType = ip6 ? 'IP6' : 'IP4';
  const lines = sdp.split(/\r\n|\n/).filter((l) => l !== '');
  const out: string[] = [];
  let mediaIndex = -1;
  let levelHasC = false;
  for (const line of lines) {
    if (line.startsWith('v=') || line.startsWith('o=')) {
      out.push(line);
      continue;
    }
    if (line.startsWith('m=')) {
      mediaIndex++;
      levelHasC = false;
      const f = line.slice(2).split(' ').filter((x) => x !== '');
      if (mediaIndex === anchoredMediaIndex) {
        const proto = (f[2] ?? 'RTP/AVP').replace(/^(UDP\/TLS\/)?RTP\/SAVP(F?)$/i, 'RTP/AVP$2');
        out.push(`m=${f[0] ?? 'audio'} ${anchorPort} ${proto} ${f.slice(3).join(' ')}`);
      } else {
        out.push(`m=${f[0] ?? 'audio'} 0 ${f.slice(2).join(' ')}`);
      }
      continue;
    }
    if (line.startsWith('c=')) {
      if (levelHasC) continue;
      levelHasC = true;
      const hold = / 0\.0\.0\.0(\/|$)/.test(line);
      out.push(hold ? `c=IN ${addrType} ${ip6 ? '::' : '0.0.0.0'}` : `c=IN ${addrType} ${anchorAddr}`);
      continue;
    }
    if (STRIPPED_ATTRIBUTES.test(line)) continue;
    out.push(line);
  }
  const body = out.filter((l) => !l.startsWith('o=')).join('\r\n');
  const o = origin.originFor(body, anchorAddr);
  const oLine = `o=${o.username} ${o.sessionId} ${o.sessionVersion} IN ${o.addrType} ${o.address}`;
  const text = out.map((l) => (l.startsWith('o=') ? oLine : l)).join('\r\n') + '\r\n';
  return ok({ text, anchoredMediaIndex });
}
