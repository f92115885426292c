/**
 * The SIP message model (RFC 3261 §7) shared by every sip sub-layer.
 *
 * A message is an ordered list of raw header fields plus a few "core" fields
 * that every received message must have and that the transaction and dialog
 * layers read constantly (top Via, CSeq, Call-ID, From, To). The parser fills
 * the core fields once; every other header stays a raw string and is parsed
 * on demand (lazy), so a proxy-like path stays cheap.
 *
 * Messages are treated as immutable after construction: to change one, build
 * a new one with the builders in build.ts (which run the same header parsers,
 * so core fields can never disagree with the header text).
 */

/** A URI parameter or header value; null when the parameter has no value (`;lr`). */
export type ParamValue = string | null;

/** Parameters keyed by lower-cased name, in order of appearance. */
export type Params = ReadonlyMap<string, ParamValue>;

/** RFC 3261 §19.1 SIP/SIPS URI, or an RFC 3966 tel URI. */
export interface SipUri {
  readonly scheme: 'sip' | 'sips' | 'tel';
  /** User part with %-escapes decoded (may contain any byte, e.g. %00). For tel: the number. */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Lower-cased host; IPv6 references keep their brackets: `[2001:db8::1]`. Empty for tel. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Params;
  /** URI headers (`?subject=x`), %-decoded. */
  readonly headers: ReadonlyMap<string, string>;
  /** The URI exactly as it appeared on the wire (used when forwarding unchanged). */
  readonly raw: string;
}

/** name-addr / addr-spec with header parameters (From, To, Contact, Route, …). */
export interface NameAddr {
  /** Display name, unquoted and unescaped; undefined when absent. */
  readonly displayName: string | undefined;
  /** Parsed URI; for a non-sip absolute URI (e.g. `mailto:`) scheme checks happen at the edge. */
  readonly uri: SipUri | { readonly scheme: string; readonly raw: string };
  /** Header parameters after the URI (tag, expires, q, …), lower-cased names. */
  readonly params: Params;
  /** Convenience: params.get('tag') when it is a non-empty string. */
  readonly tag: string | undefined;
}

/** RFC 3261 §20.42 Via, one value. */
export interface Via {
  /** `UDP`, `TCP`, `TLS`, `SCTP`, `WS`… upper-cased. */
  readonly transport: string;
  /** Sent-by host, lower-cased; IPv6 in brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Params;
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** RFC 3581: undefined = absent, null = present without a value, number = filled in. */
  readonly rport: number | null | undefined;
  readonly maddr: string | undefined;
}

export interface CSeq {
  /** 0 … 2^31−1 (RFC 3261 §8.1.1.5). */
  readonly seq: number;
  /** Method as written (case-sensitive per §7.1). */
  readonly method: string;
}

/** One header field as received or built: `name` is the canonical lower-case long form. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** Fields the parser guarantees for every accepted message (RFC 3261 §8.1.1). */
export interface CoreFields {
  /** Top-most Via value. */
  readonly via: Via;
  readonly cseq: CSeq;
  readonly callId: string;
  readonly from: NameAddr;
  readonly to: NameAddr;
}

export interface SipRequest extends CoreFields {
  readonly kind: 'request';
  readonly method: string;
  /** Request-URI text as on the wire. */
  readonly uri: string;
  /** Parsed Request-URI; undefined when the scheme is not sip/sips/tel (→ 416 at the edge). */
  readonly requestUri: SipUri | undefined;
  readonly headers: readonly HeaderField[];
  readonly body: Buffer;
}

export interface SipResponse extends CoreFields {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly HeaderField[];
  readonly body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/** Explicit parser limits (STYLE G4), from configuration. */
export interface SipLimits {
  readonly maxMessageBytes: number;
  readonly maxHeaders: number;
  readonly maxLineLength: number;
  readonly maxUriLength: number;
}

export const DEFAULT_SIP_LIMITS: SipLimits = Object.freeze({
  maxMessageBytes: 65_535,
  maxHeaders: 128,
  maxLineLength: 8_192,
  maxUriLength: 4_096,
});
