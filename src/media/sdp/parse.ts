/**
 * SDP parsing with belfry's own validation (RFC 4566 §5; RFC 8866). The
 * attributes belfry reads are read by attributes.ts when every one is in a
 * plain form (what phones and belfry write), else by sdp-transform, which
 * accepts almost anything; so the structure is checked here first, line by
 * line, and every failure is a result with a code and a line number
 * (STYLE G4), never an exception:
 *  - every line is `<letter>=<value>`; v=0 comes first; o= has six fields;
 *    s= is present;
 *  - c= is `IN IP4 <addr>` or `IN IP6 <addr>` (RFC 5118 §4.6 for IPv6
 *    bodies), with a valid address (a multicast /ttl suffix is allowed); a
 *    level may carry several c= lines (RFC 4566 §5.7);
 *  - m= has a media type, a port (optionally /count), a proto and at least
 *    one format; RTP profiles need numeric PTs 0–127;
 *  - every m=audio has a c= at media or session level (RFC 4566 §5.7);
 *  - every dynamic PT (96–127) of an active (port ≠ 0) RTP m= line has an
 *    a=rtpmap.
 *
 * Leaves out: b=, k=, z=, r= semantics (accepted, ignored), and line-order
 * checks beyond "v= first" (many phones misorder t= and a= lines).
 */
import { isIPv4, isIPv6 } from 'node:net';
import sdpTransform from 'sdp-transform';
import { err, ok, type Result } from '../../common/index.ts';
import { sdpError, type SdpError } from '../errors.ts';
import type { MediaDirection, SdpConnection, SdpMedia, SdpOrigin, SdpRtpMap, SessionDescription } from './sdp-types.ts';
import { emptyAttributeBag, readAttributeFast, type AttributeBag } from './attributes.ts';

export interface SdpLimits {
  readonly maxBytes: number;
  readonly maxLines: number;
  readonly maxMedia: number;
}

export const DEFAULT_SDP_LIMITS: SdpLimits = { maxBytes: 16_384, maxLines: 512, maxMedia: 16 };

const LINE = /^([a-z])=(.*)$/;
const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function isRtpProto(proto: string): boolean {
  return /^(UDP\/)?(TLS\/)?RTP\/S?AVPF?$/i.test(proto);
}

function parseConnection(value: string): SdpConnection | undefined {
  const f = value.split(' ');
  if (f.length !== 3 || f[0] !== 'IN') return undefined;
  const addrType = f[1];
  const raw = f[2] ?? '';
  if (addrType === 'IP4') {
    // Multicast may carry /ttl[/count] (RFC 4566 §5.7).
    const address = raw.split('/')[0] ?? '';
    return isIPv4(address) ? { addrType, address } : undefined;
  }
  if (addrType === 'IP6') {
    const address = raw.split('/')[0] ?? '';
    return isIPv6(address) ? { addrType, address } : undefined;
  }
  return undefined;
}

function parseOrigin(value: string): SdpOrigin | undefined {
  const f = value.split(' ');
  if (f.length !== 6 || f[3] !== 'IN') return undefined;
  const [username, sessionId, sessionVersion, , addrType, address] = f;
  if (username === undefined || username === '' || !/^\d+$/.test(sessionId ?? '') || !/^\d+$/.test(sessionVersion ?? '')) return undefined;
  if (addrType !== 'IP4' && addrType !== 'IP6') return undefined;
  if (address === undefined || address === '') return undefined;
  return { username, sessionId: sessionId ?? '', sessionVersion: sessionVersion ?? '', addrType, address };
}

interface MediaSkeleton {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  connections: SdpConnection[];
  line: number;
  attributes: AttributeBag;
}

/** The attributes of one level as parse.ts reads them: sdp-transform's shape, or attributes.ts's. */
interface LevelAttributes {
  readonly rtp?: readonly { readonly payload: number; readonly codec: string; readonly rate?: number; readonly encoding?: number }[];
  readonly fmtp?: readonly { readonly payload: number; readonly config: string }[];
  readonly ptime?: number;
  readonly maxptime?: number;
  readonly direction?: string;
  readonly rtcp?: { readonly port: number; readonly address?: string };
}

/** Parse and validate an SDP body. Never throws. */
export function parseSdp(text: string, limits: SdpLimits = DEFAULT_SDP_LIMITS): Result<SessionDescription, SdpError> {
  return parseSdpWith(text, limits, true);
}

/**
 * `fast`: read the attributes with attributes.ts when every one of them is
 * in a plain form (else, and with fast = false, with sdp-transform). Both
 * give the same result; the flag exists for the property test that says so.
 */
export function parseSdpWith(text: string, limits: SdpLimits, fast: boolean): Result<SessionDescription, SdpError> {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) return err(sdpError('SDP_TOO_LARGE', `SDP larger than ${limits.maxBytes} bytes`));
  const lines = text.split(/\r\n|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > limits.maxLines) return err(sdpError('SDP_TOO_LARGE', `SDP has more than ${limits.maxLines} lines`));
  if (lines.length === 0) return err(sdpError('SDP_MISSING_VERSION', 'empty SDP'));

  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  const sessionConnections: SdpConnection[] = [];
  const media: MediaSkeleton[] = [];
  const sessionAttributes = emptyAttributeBag();
  let plain = fast;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const m = LINE.exec(lines[i] ?? '');
    if (m === null) return err(sdpError('SDP_BAD_LINE', 'line is not <type>=<value>', n));
    const type = m[1] ?? '';
    const value = m[2] ?? '';
    if (i === 0) {
      if (type !== 'v') return err(sdpError('SDP_MISSING_VERSION', 'first line must be v=', n));
      if (value !== '0') return err(sdpError('SDP_BAD_VERSION', `unsupported version ${value.slice(0, 16)}`, n));
      continue;
    }
    const current = media[media.length - 1];
    switch (type) {
      case 'o':
        origin = parseOrigin(value);
        if (origin === undefined) return err(sdpError('SDP_BAD_ORIGIN', 'o= needs <user> <sess-id> <sess-version> IN IP4|IP6 <address>', n));
        break;
      case 's':
        sessionName = value;
        break;
      case 'c': {
        const c = parseConnection(value);
        if (c === undefined) return err(sdpError('SDP_BAD_CONNECTION', 'c= needs IN IP4 <ipv4> or IN IP6 <ipv6>', n));
        (current === undefined ? sessionConnections : current.connections).push(c);
        break;
      }
      case 'm': {
        if (media.length >= limits.maxMedia) return err(sdpError('SDP_TOO_LARGE', `more than ${limits.maxMedia} m= lines`, n));
        const f = value.split(' ').filter((x) => x !== '');
        const portField = f[1] ?? '';
        const pm = /^(\d{1,5})(\/\d{1,5})?$/.exec(portField);
        const port = pm === null ? NaN : Number(pm[1]);
        if (f.length < 4 || !/^[a-z0-9-]+$/i.test(f[0] ?? '') || !(port >= 0 && port <= 65535)) {
          return err(sdpError('SDP_BAD_MEDIA', 'm= needs <media> <port> <proto> <fmt> ...', n));
        }
        const proto = f[2] ?? '';
        const formats = f.slice(3);
        if (isRtpProto(proto) && formats.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 127)) {
          return err(sdpError('SDP_BAD_MEDIA', 'RTP payload types must be numbers 0-127', n));
        }
        media.push({ type: f[0] ?? '', port, proto, formats, connections: [], line: n, attributes: emptyAttributeBag() });
        break;
      }
      case 'a':
        if (plain) plain = readAttributeFast(value, current === undefined ? sessionAttributes : current.attributes);
        break;
      default:
        break;
    }
  }
  if (origin === undefined) return err(sdpError('SDP_MISSING_ORIGIN', 'no o= line'));
  if (sessionName === undefined) return err(sdpError('SDP_MISSING_SESSION_NAME', 'no s= line'));
  for (const m of media) {
    if (m.type === 'audio' && m.connections.length === 0 && sessionConnections.length === 0) {
      return err(sdpError('SDP_MISSING_CONNECTION', 'm=audio without c= at media or session level', m.line));
    }
  }

  // Attributes: read above when all were plain, else by sdp-transform, after
  // the structure above is known to be sound.
  let parsed: LevelAttributes;
  let pmedia: readonly LevelAttributes[];
  if (plain) {
    parsed = sessionAttributes;
    pmedia = media.map((m) => m.attributes);
  } else {
    let full: sdpTransform.SessionDescription;
    try {
      full = sdpTransform.parse(text);
    } catch (e) {
      return err(sdpError('SDP_PARSER_FAILED', e instanceof Error ? e.message.slice(0, 80) : 'sdp-transform failed'));
    }
    parsed = full;
    pmedia = full.media ?? [];
  }
  if (pmedia.length !== media.length) return err(sdpError('SDP_PARSER_FAILED', 'm= line count disagrees with sdp-transform'));

  const out: SdpMedia[] = [];
  for (let k = 0; k < media.length; k++) {
    const sk = media[k];
    const pm = pmedia[k];
    if (sk === undefined || pm === undefined) continue;
    const rtpmaps: SdpRtpMap[] = [];
    for (const r of pm.rtp ?? []) {
      if (!Number.isInteger(r.payload) || r.payload < 0 || r.payload > 127 || typeof r.codec !== 'string' || !(typeof r.rate === 'number' && r.rate > 0)) {
        return err(sdpError('SDP_BAD_ATTRIBUTE', `bad a=rtpmap in m= #${k + 1}`, sk.line));
      }
      const ch = typeof r.encoding === 'string' ? Number(r.encoding) : typeof r.encoding === 'number' ? r.encoding : undefined;
      rtpmaps.push(ch === undefined || !Number.isFinite(ch) ? { payloadType: r.payload, encoding: r.codec, clockRate: r.rate } : { payloadType: r.payload, encoding: r.codec, clockRate: r.rate, channels: ch });
    }
    // A rejected stream (port 0, RFC 3264 §6) need not describe its formats.
    if (isRtpProto(sk.proto) && sk.port !== 0) {
      for (const fmt of sk.formats) {
        const pt = Number(fmt);
        if (pt >= 96 && !rtpmaps.some((r) => r.payloadType === pt)) {
          return err(sdpError('SDP_MISSING_RTPMAP', `dynamic payload type ${pt} has no a=rtpmap`, sk.line));
        }
      }
    }
    const direction = pm.direction !== undefined && DIRECTIONS.includes(pm.direction) ? (pm.direction as MediaDirection) : undefined;
    const rtcp = pm.rtcp !== undefined && Number.isInteger(pm.rtcp.port) && pm.rtcp.port > 0 && pm.rtcp.port <= 65535 ? pm.rtcp : undefined;
    out.push({
      type: sk.type,
      port: sk.port,
      proto: sk.proto,
      formats: sk.formats,
      connections: sk.connections,
      rtpmaps,
      fmtps: (pm.fmtp ?? []).map((f) => ({ payloadType: f.payload, config: f.config })),
      ...(typeof pm.ptime === 'number' && pm.ptime > 0 ? { ptime: pm.ptime } : {}),
      ...(typeof pm.maxptime === 'number' && pm.maxptime > 0 ? { maxptime: pm.maxptime } : {}),
      ...(direction !== undefined ? { direction } : {}),
      ...(rtcp !== undefined ? { rtcp: rtcp.address !== undefined ? { port: rtcp.port, address: rtcp.address } : { port: rtcp.port } } : {}),
    });
  }
  const sdir = parsed.direction !== undefined && DIRECTIONS.includes(parsed.direction) ? (parsed.direction as MediaDirection) : undefined;
  return ok({
    origin,
    sessionName,
    connections: sessionConnections,
    ...(sdir !== undefined ? { direction: sdir } : {}),
    media: out,
  });
}
