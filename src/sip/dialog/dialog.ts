/**
 * One SIP dialog (RFC 3261 §12): its identity, sequence numbers, route set
 * and remote target, created from the request/response that establishes it,
 * and the header set of the next in-dialog request (§12.2.1.1).
 *
 *        1xx with To tag            2xx
 *   (new) ───────────────► early ─────────► confirmed ──BYE/error──► terminated
 *      └────────────────────2xx───────────────┘
 *
 * Pure: no I/O, no clock. Via is not added here — the leg adds the top Via
 * for the flow it sends on. SDP bodies are opaque.
 * Leaves out: strict-routing next hops towards pre-RFC 3261 proxies (the
 * Request-URI rewrite of §12.2.1.1 for a strict first route is done, but the
 * route set is taken as given), and dialog-usage sharing (RFC 5057).
 */
import type { HeaderField, NameAddr, SipRequest, SipResponse, SipUri } from '../message/message-types.ts';
import { headerValue, headerValues } from '../message/header-access.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { requestUriOf, type KnownCore } from '../message/build-known.ts';

export type DialogRole = 'uac' | 'uas';
export type DialogPhase = 'early' | 'confirmed' | 'terminated';

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

/** The name-addr text of a From/To header without its tag parameter. */
function withoutTag(headerText: string): string {
  // Remove ;tag=… (case-insensitive name) from the header text, keeping other params.
  return headerText.replace(/;\s*tag\s*=\s*[^;,\s]*/i, '');
}

/**
 * A copy of a string taken from a received message that does not keep the
 * message's text alive. V8 keeps a substring of 13 or more characters as a
 * view of its parent (a sliced string), so a dialog holding a tag or a URI
 * sliced from a datagram would hold the whole datagram's text for its life:
 * for a UAC leg that is 64·T1 after the call, while the INVITE client
 * transaction waits for late 2xx (RFC 6026). Concatenating makes a new
 * string; slicing it first flattens it into a copy of its own.
 */
function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** The URI inside a name-addr (`"x" <sip:a@b>;p` → `sip:a@b`) or a bare addr-spec. */
export function uriOfNameAddr(text: string): string {
  const lt = text.indexOf('<');
  if (lt >= 0) {
    const gt = text.indexOf('>', lt);
    if (gt > lt) return text.slice(lt + 1, gt).trim();
  }
  const semi = text.indexOf(';');
  return (semi >= 0 ? text.slice(0, semi) : text).trim();
}

export interface InDialogRequestOptions {
  /** Contact to send (required for target-refresh requests: re-INVITE, UPDATE). */
  readonly contact?: string;
  readonly body?: Buffer;
  readonly contentType?: string;
  readonly extraHeaders?: readonly HeaderField[];
  /** For ACK of a 2xx: the CSeq number of the INVITE (§13.2.2.4). */
  readonly cseq?: number;
}

export interface RequestDraft {
  readonly method: string;
  readonly uri: string;
  readonly headers: HeaderField[];
  readonly body: Buffer;
  /**
   * The parsed From, To, Call-ID, CSeq and Request-URI of `headers` and
   * `uri`, for buildKnownRequest; undefined when our From or To text does
   * not parse (buildRequest then reports it).
   */
  readonly known: KnownCore | undefined;
}

export class Dialog {
  readonly role: DialogRole;
  readonly id: DialogId;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly routeSet: readonly string[];
  remoteTarget: string;
  localSeq: number;
  remoteSeq: number | undefined;
  phase: DialogPhase;
  /** From and To text of our requests, constant for the dialog (§12.2.1.1), parsed once on first use. */
  #fromText: string | undefined;
  #toText = '';
  #from: NameAddr | null = null;
  #to: NameAddr | null = null;
  /** The last Request-URI text and its parse (the remote target changes only on a target refresh). */
  #ruriText: string | undefined;
  #ruri: SipUri | undefined;

  private constructor(init: {
    role: DialogRole;
    id: DialogId;
    localUri: string;
    remoteUri: string;
    routeSet: readonly string[];
    remoteTarget: string;
    localSeq: number;
    remoteSeq: number | undefined;
    phase: DialogPhase;
  }) {
    this.role = init.role;
    this.id = init.id;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.routeSet = init.routeSet;
    this.remoteTarget = init.remoteTarget;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.phase = init.phase;
  }

  /**
   * §12.1.1: the UAS side, when it sends a 1xx (with To tag) or 2xx. The route
   * set is the Record-Route list in order; the remote target is the Contact.
   */
  static asUas(request: SipRequest, localTag: string, phase: 'early' | 'confirmed'): Dialog {
    const contact = headerValue(request, 'contact');
    return new Dialog({
      role: 'uas',
      id: { callId: own(request.callId), localTag, remoteTag: own(request.from.tag ?? '') },
      localUri: own(withoutTag(headerValue(request, 'to') ?? '')),
      remoteUri: own(withoutTag(headerValue(request, 'from') ?? '')),
      routeSet: headerValues(request, 'record-route').map(own),
      remoteTarget: own(contact === undefined ? request.uri : uriOfNameAddr(contact)),
      // §12.1.1: the local sequence number is empty; we start our own at a
      // value below 2^31 (§8.1.1.5), 1 is as good as any for a fresh dialog.
      localSeq: 0,
      remoteSeq: request.cseq.seq,
      phase,
    });
  }

  /**
   * §12.1.2: the UAC side, from a 1xx-with-tag or 2xx response to our
   * request. The route set is the Record-Route list in reverse order.
   */
  static asUac(request: SipRequest, response: SipResponse): Dialog {
    const contact = headerValue(response, 'contact');
    return new Dialog({
      role: 'uac',
      id: { callId: request.callId, localTag: request.from.tag ?? '', remoteTag: own(response.to.tag ?? '') },
      localUri: withoutTag(headerValue(request, 'from') ?? ''),
      remoteUri: own(withoutTag(headerValue(response, 'to') ?? '')),
      routeSet: headerValues(response, 'record-route').reverse().map(own),
      remoteTarget: own(contact === undefined ? request.uri : uriOfNameAddr(contact)),
      localSeq: request.cseq.seq,
      remoteSeq: undefined,
      phase: response.status >= 200 ? 'confirmed' : 'early',
    });
  }

  get key(): string {
    return dialogKey(this.id);
  }

  /** A 2xx arrived for the dialog-creating request or a later re-INVITE: confirm and refresh the target. */
  onSuccessResponse(response: SipResponse): void {
    if (this.phase === 'early') this.phase = 'confirmed';
    const contact = headerValue(response, 'contact');
    if (contact !== undefined) this.remoteTarget = own(uriOfNameAddr(contact));
  }

  /**
   * §12.2.2: an in-dialog request arrived. Returns 'out-of-order' when its
   * CSeq is lower than the last one (the UAS MUST reject it with 500),
   * otherwise records it and refreshes the remote target on INVITE/UPDATE.
   */
  onRequest(request: SipRequest): 'ok' | 'out-of-order' {
    const m = request.method;
    if (m !== 'ACK' && m !== 'CANCEL') {
      if (this.remoteSeq !== undefined && request.cseq.seq <= this.remoteSeq) return 'out-of-order';
      this.remoteSeq = request.cseq.seq;
    }
    if (m === 'INVITE' || m === 'UPDATE') {
      const contact = headerValue(request, 'contact');
      if (contact !== undefined) this.remoteTarget = own(uriOfNameAddr(contact));
    }
    return 'ok';
  }

  /** §12.2.1.1: the start line and headers of the next request in this dialog (no Via). */
  nextRequest(method: string, opts: InDialogRequestOptions = {}): RequestDraft {
    let seq: number;
    if (method === 'ACK' && opts.cseq !== undefined) seq = opts.cseq;
    else seq = ++this.localSeq;
    let uri = this.remoteTarget;
    const routes: string[] = [...this.routeSet];
    const first = routes[0];
    if (first !== undefined && !/;\s*lr\b/i.test(uriOfNameAddr(first))) {
      // Strict router (§12.2.1.1): Request-URI is the first route; the remote
      // target goes to the end of the Route list.
      uri = uriOfNameAddr(first);
      routes.shift();
      routes.push(`<${this.remoteTarget}>`);
    }
    if (this.#fromText === undefined) {
      this.#fromText = `${this.localUri};tag=${this.id.localTag}`;
      this.#toText = this.id.remoteTag ? `${this.remoteUri};tag=${this.id.remoteTag}` : this.remoteUri;
      this.#from = parseNameAddr(this.#fromText);
      this.#to = parseNameAddr(this.#toText);
    }
    if (uri !== this.#ruriText) {
      this.#ruriText = uri;
      this.#ruri = requestUriOf(uri);
    }
    const headers: HeaderField[] = [];
    for (const r of routes) headers.push({ name: 'route', value: r });
    headers.push({ name: 'max-forwards', value: '70' });
    headers.push({ name: 'from', value: this.#fromText });
    headers.push({ name: 'to', value: this.#toText });
    headers.push({ name: 'call-id', value: this.id.callId });
    headers.push({ name: 'cseq', value: `${seq} ${method}` });
    if (opts.contact !== undefined) headers.push({ name: 'contact', value: opts.contact });
    if (opts.extraHeaders) headers.push(...opts.extraHeaders);
    const body = opts.body ?? Buffer.alloc(0);
    if (body.length > 0 && opts.contentType) headers.push({ name: 'content-type', value: opts.contentType });
    const from = this.#from;
    const to = this.#to;
    const known = from === null || to === null ? undefined : { from, to, callId: this.id.callId, cseq: { seq, method }, requestUri: this.#ruri };
    return { method, uri, headers, body, known };
  }
}
