/**
 * The a= attributes belfry reads (RFC 4566 §6 rtpmap, fmtp, ptime,
 * maxptime, the direction attributes; RFC 3605 rtcp), read directly for the
 * plain forms that phones and belfry itself write, without sdp-transform's
 * regular expressions (≈ half of parseSdp's time under the call bench).
 *
 * The fast reader only accepts a line it can read exactly as sdp-transform
 * would: canonical decimal numbers, printable ASCII, nothing after the
 * value. Any other line of these attributes returns false and parse.ts falls
 * back to sdp-transform for the whole body, so the result is the same either
 * way (test/property/sdp-fast.property.test.ts compares both paths). Other
 * attributes are not read by belfry and are skipped.
 *
 * The output has sdp-transform's shape (`rtp`, `fmtp`, `ptime`, …) so that
 * parse.ts validates both the same way.
 */

/** What parse.ts reads from one level (session or one m=) of sdp-transform's output. */
export interface AttributeBag {
  rtp: { payload: number; codec: string; rate: number; encoding?: number }[];
  fmtp: { payload: number; config: string }[];
  ptime?: number;
  maxptime?: number;
  direction?: string;
  rtcp?: { port: number; address?: string };
}

export function emptyAttributeBag(): AttributeBag {
  return { rtp: [], fmtp: [] };
}

// Canonical decimals only: sdp-transform keeps a non-canonical number ("08",
// "") as a string, which parse.ts then rejects or reads differently.
const RTPMAP = /^rtpmap:(0|[1-9]\d{0,8}) ([\w\-.]+)\/([1-9]\d{0,8})(?:\/([1-9]\d{0,8}))?$/;
const FMTP = /^fmtp:(0|[1-9]\d{0,8}) ([\x21-\x7e ]*)$/;
const PTIME = /^(?:max)?ptime:([1-9]\d{0,5})$/;
const RTCP = /^rtcp:([1-9]\d{0,4})(?: IN IP[46] ([\x21-\x7e]+))?$/;

/**
 * Read one a= value (without "a=") into `bag`. Returns false when the line is
 * one of the attributes above in a form the fast reader does not take.
 */
export function readAttributeFast(value: string, bag: AttributeBag): boolean {
  switch (value.charCodeAt(0)) {
    case 0x72: // r: rtpmap, rtcp, recvonly (rtcp-fb, rtcp-mux, … are not read)
      if (value.startsWith('rtpmap:')) {
        const m = RTPMAP.exec(value);
        if (m === null || numberLike(m[2])) return false;
        const enc = m[4];
        bag.rtp.push(enc === undefined ? { payload: Number(m[1]), codec: m[2] ?? '', rate: Number(m[3]) } : { payload: Number(m[1]), codec: m[2] ?? '', rate: Number(m[3]), encoding: Number(enc) });
        return true;
      }
      if (value.startsWith('rtcp:')) {
        const m = RTCP.exec(value);
        if (m === null) return false;
        // sdp-transform fills one rtcp object per level: a second a=rtcp
        // without an address keeps the address of the first.
        if (numberLike(m[2])) return false;
        const address = m[2] ?? bag.rtcp?.address;
        bag.rtcp = address === undefined ? { port: Number(m[1]) } : { port: Number(m[1]), address };
        return true;
      }
      return direction(value, bag); // recvonly
    case 0x66: // f
      if (!value.startsWith('fmtp:')) return true;
      {
        const m = FMTP.exec(value);
        if (m === null || numberLike(m[2])) return false;
        bag.fmtp.push({ payload: Number(m[1]), config: m[2] ?? '' });
        return true;
      }
    case 0x70: // p
    case 0x6d: {
      // m: maxptime (and mid, msid, …)
      const max = value.startsWith('maxptime:');
      if (!max && !value.startsWith('ptime:')) return true;
      const m = PTIME.exec(value);
      if (m === null) return false;
      if (max) bag.maxptime = Number(m[1]);
      else bag.ptime = Number(m[1]);
      return true;
    }
    case 0x73: // s: sendrecv, sendonly
    case 0x69: // i: inactive
      return direction(value, bag);
    default:
      return true;
  }
}

/**
 * sdp-transform turns every field that reads back as the same number
 * ("0", "15", "NaN", "Infinity") into a number, a codec name or fmtp
 * config included; parse.ts then rejects or keeps it differently. Such
 * lines go to sdp-transform.
 */
function numberLike(v: string | undefined): boolean {
  return v !== undefined && String(Number(v)) === v;
}

function direction(value: string, bag: AttributeBag): boolean {
  for (const d of DIRECTIONS) {
    if (!value.startsWith(d)) continue;
    // sdp-transform matches the prefix: "sendonlyx" would set sendonly.
    if (value.length !== d.length) return false;
    bag.direction = d;
    return true;
  }
  return true;
}

const DIRECTIONS = ['sendrecv', 'recvonly', 'sendonly', 'inactive'] as const;
