/**
 * The receive path shared by every listener (STYLE G5): bytes → parser →
 * edge policy → transaction layer, and the SipTransport the layer sends
 * through. One place sorts every bad input into answer / drop / ignore and
 * writes ONE rate-limited log line for it (peer, code, ≤ 80-char excerpt).
 *
 * Owns: RFC 3581 stamping of requests before the layer sees them, the
 * §18.2.2 destination of UDP responses (the flow handed to the layer
 * already points there), stateless edge responses, the merged-request
 * memory (§8.2.2.2), the drain gate, and the counters.
 * Leaves out: transactions (transaction/), the TU's default answers (stack.ts).
 */
import type { Clock, Logger, TimerHandle } from '../common/index.ts';
import { detachedCopy, FifoMap, LogThrottle } from '../common/index.ts';
import { parseSipMessage, serializeSipMessage, type SipLimits, type SipMessage, type SipRequest, type SipResponse, type HeaderField, type Via } from './message/index.ts';
import {
  buildEdgeResponse,
  checkRequest,
  classifyParseFailure,
  responseDestination,
  stampReceived,
  stampVia,
  type EdgePolicy,
  type Flow,
  type Listener,
  type SanityVerdict,
  type SipTransport,
  type TransportError,
} from './transport/index.ts';

export interface EdgeOptions {
  readonly limits: SipLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: Omit<EdgePolicy, 'isMerged'>;
  readonly symmetricResponses: boolean;
  readonly logIntervalMs: number;
  /** Lifetime of the merged-request memory: 64·T1, the non-INVITE transaction lifetime. */
  readonly mergeWindowMs: number;
  readonly drainRetryAfterSec: number;
  /** During a drain: does this request belong to a live server transaction (retransmission, CANCEL target)? */
  readonly isKnownTransaction: (request: SipRequest) => boolean;
  /**
   * Answers a request without a transaction when it returns a response
   * (RFC 3261 §8.2.7: stateless UAS behaviour, typically for challenges).
   */
  readonly stateless?: (request: SipRequest, flow: Flow) => SipResponse | Buffer | undefined;
}

type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | '6xx';

const MAX_MERGE_ENTRIES = 50_000;

/** JSON-escaped excerpt of untrusted bytes, at most max characters: never the whole datagram (G5). */
export function excerpt(bytes: Buffer, max = 80): string {
  let out = '';
  for (const ch of bytes.subarray(0, max).toString('latin1')) {
    const e = JSON.stringify(ch).slice(1, -1);
    if (out.length + e.length > max) break;
    out += e;
  }
  return out;
}

const STATUS_CLASS: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'];

export class SipEdge implements SipTransport {
  readonly #o: EdgeOptions;
  readonly #throttle: LogThrottle;
  readonly #listeners: Listener[] = [];
  /** `protocol:localPort` → listener, so a flow leaves by the socket it came in on. */
  readonly #byLocal = new Map<string, Listener>();
  /** Oldest first (FifoMap: evicting at the cap must not walk a Map's deleted slots). */
  readonly #merge = new FifoMap<string, { readonly branch: string; at: number }>();
  #handler: ((m: SipMessage, f: Flow) => void) | undefined;
  #draining = false;
  received = 0;
  parseErrors = 0;
  dropped = 0;
  edgeRejected = 0;
  readonly responsesSent: Record<StatusClass, number> = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, '6xx': 0 };

  /** The sanity policy with the merge check bound once (not rebuilt per request). */
  readonly #checks: Parameters<typeof checkRequest>[2];

  constructor(opts: EdgeOptions) {
    this.#o = opts;
    this.#throttle = new LogThrottle(opts.logIntervalMs);
    this.#checks = { ...opts.policy, isMerged: (r: SipRequest) => this.#isMerged(r) };
  }

  /** Register a started listener (its bound addresses are read once here). */
  addListener(l: Listener): void {
    this.#listeners.push(l);
    for (const a of l.addresses()) this.#byLocal.set(`${a.protocol}:${a.port}`, l);
  }

  get listeners(): readonly Listener[] {
    return this.#listeners;
  }

  drain(): void {
    this.#draining = true;
  }

  onMessage(handler: (message: SipMessage, flow: Flow) => void): void {
    this.#handler = handler;
  }

  send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void): void {
    const listener = this.#byLocal.get(`${flow.protocol}:${flow.localPort}`) ?? this.#listeners.find((l) => l.protocol === flow.protocol);
    if (listener === undefined) {
      onError?.({ code: 'SIP_TRANSPORT_NO_LISTENER', message: `no ${flow.protocol} listener` });
      return;
    }
    // "SIP/2.0 " then the status class digit, read from the bytes (no strings per send).
    if (bytes.length > 12 && bytes[0] === 0x53 && bytes[3] === 0x2f && bytes[7] === 0x20) {
      const cls = STATUS_CLASS[(bytes[8] ?? 0) - 0x31];
      if (cls !== undefined) this.responsesSent[cls]++;
    }
    listener.send(flow, bytes, onError);
  }

  /** One framed message from any listener. */
  receive(bytes: Buffer, flow: Flow): void {
    this.received++;
    const parsed = parseSipMessage(bytes, this.#o.limits);
    if (!parsed.ok) {
      this.parseErrors++;
      const e = parsed.error;
      const v = classifyParseFailure(e, this.#o.policy);
      const p = e.partial;
      if (v.kind === 'respond' && p !== undefined) this.#respondRaw(p.headers, p.via, flow, v);
      else this.dropped++;
      this.#logBad(flow, e.code, bytes, v.kind === 'respond' ? v.status : undefined, e.detail);
      return;
    }
    const msg = parsed.message;
    if (msg.kind === 'response') {
      this.#deliver(msg, flow, bytes);
      return;
    }
    const req = stampReceived(msg, flow);
    if (this.#draining && req.method !== 'ACK' && !this.#o.isKnownTransaction(req)) {
      this.#respondRaw(req.headers, req.via, flow, {
        kind: 'respond',
        code: 'SIP_EDGE_DRAINING',
        status: 503,
        reason: 'Service Unavailable',
        extraHeaders: [{ name: 'Retry-After', value: String(this.#o.drainRetryAfterSec) }],
      });
      return;
    }
    const v = checkRequest(req, flow, this.#checks);
    if (v.kind !== 'accept') {
      if (v.kind === 'respond') this.#respondRaw(req.headers, req.via, flow, v);
      else this.dropped++;
      this.#logBad(flow, v.code, bytes, v.kind === 'respond' ? v.status : undefined, undefined);
      return;
    }
    // The layer answers along this flow: for UDP it already names the §18.2.2 destination.
    const dest = flow.protocol === 'udp' ? responseDestination(req.via, flow, this.#o.symmetricResponses) : undefined;
    const out = dest === undefined || (dest.address === flow.remoteAddress && dest.port === flow.remotePort) ? flow : { ...flow, remoteAddress: dest.address, remotePort: dest.port };
    if (this.#o.stateless !== undefined && req.method !== 'ACK' && req.method !== 'CANCEL') {
      const answer = this.#o.stateless(req, out);
      if (answer !== undefined) {
        this.send(out, Buffer.isBuffer(answer) ? answer : serializeSipMessage(answer));
        return;
      }
    }
    this.#remember(req);
    this.#deliver(req, out, bytes);
  }

  /** A stream framing error: answer 400 from the header block when it names a request with a Via. */
  framingError(code: string, headerBytes: Buffer | undefined, flow: Flow, reply: (b: Buffer) => void): void {
    this.parseErrors++;
    if (headerBytes !== undefined) {
      // Parse the header block alone (Content-Length forced to 0) to recover the fields to echo.
      const head = Buffer.from(headerBytes.toString('latin1').replace(/\r\n(content-length|l)[ \t]*:[^\r\n]*/gi, '') , 'latin1');
      const withCl = Buffer.concat([head.subarray(0, head.length - 2), Buffer.from('Content-Length: 0\r\n\r\n')]);
      const parsed = parseSipMessage(withCl, this.#o.limits);
      const headers = parsed.ok ? parsed.message.headers : parsed.error.partial?.headers;
      const via = parsed.ok ? parsed.message.via : parsed.error.partial?.via;
      const isRequest = parsed.ok ? parsed.message.kind === 'request' && parsed.message.method !== 'ACK' : parsed.error.partial?.respondable === true && parsed.error.partial.kind === 'request';
      if (isRequest && headers !== undefined && headers.some((h) => h.name === 'via')) {
        const bytes = buildEdgeResponse({ status: 400, reason: code === 'SIP_FRAME_TOO_LARGE' ? 'Message Too Large' : 'Bad Content-Length', headers, via, flow });
        this.responsesSent['4xx']++;
        reply(bytes);
      }
    }
    this.dropped++;
    this.#logBad(flow, code, headerBytes ?? Buffer.alloc(0), undefined, 'stream framing error, connection closed');
  }

  #respondRaw(headers: readonly HeaderField[], via: Via | undefined, flow: Flow, v: Extract<SanityVerdict, { kind: 'respond' }>): void {
    this.edgeRejected++;
    const bytes = buildEdgeResponse({ status: v.status, reason: v.reason, headers, via, flow, extraHeaders: v.extraHeaders });
    // §18.2.2 on the Via as stamped (the raw builder stamped the text the same way).
    const d = flow.protocol === 'udp' && via !== undefined ? responseDestination(stampVia(via, flow), flow, this.#o.symmetricResponses) : undefined;
    const to = d === undefined ? flow : { ...flow, remoteAddress: d.address, remotePort: d.port };
    this.send(to, bytes);
  }

  /**
   * Hands a message to the transaction layer. Whatever goes wrong above us
   * with one message (a bug, or input the parser let through that a builder
   * refuses) is contained here: counted, logged once per peer and code, and
   * the message is dropped — the receive loop and the switch keep running.
   */
  #deliver(msg: SipMessage, flow: Flow, bytes: Buffer): void {
    try {
      this.#handler?.(msg, flow);
    } catch (e) {
      this.dropped++;
      this.handlerErrors++;
      this.#logBad(flow, 'SIP_EDGE_HANDLER_FAILED', bytes, undefined, e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e));
    }
  }

  /** Requests remembered for merged-request detection (§8.2.2.2); only those of the last merge window. */
  get mergeMemory(): number {
    return this.#merge.size;
  }

  /** Messages whose handling threw (see #deliver); should stay 0. */
  handlerErrors = 0;

  #logBad(flow: Flow, code: string, bytes: Buffer, status: number | undefined, detail: string | undefined): void {
    const key = `${flow.remoteAddress}|${code}`;
    const suppressed = this.#throttle.pass(key, this.#o.clock.now());
    if (suppressed < 0) return;
    this.#o.logger.warn(
      { peer: `${flow.protocol}:${flow.remoteAddress}:${flow.remotePort}`, code, ...(status === undefined ? { action: 'drop' } : { status }), excerpt: excerpt(bytes), ...(detail === undefined ? {} : { detail: detail.slice(0, 120) }), suppressed },
      'sip bad input',
    );
  }

  /** The last request's key: the sanity check's merge test and #remember ask for the same request's key in turn. */
  #keyOf: SipRequest | undefined;
  #key: string | undefined;

  #mergeKey(r: SipRequest): string | undefined {
    if (r === this.#keyOf) return this.#key;
    const tag = r.from.tag;
    this.#keyOf = r;
    this.#key = tag === undefined ? undefined : `${r.callId}\u0000${tag}\u0000${r.cseq.seq}\u0000${r.method}`;
    return this.#key;
  }

  /** §8.2.2.2: same From tag, Call-ID and CSeq as a recent request, but a different branch. */
  #isMerged(r: SipRequest): boolean {
    if (r.method === 'ACK' || r.method === 'CANCEL') return false;
    const key = this.#mergeKey(r);
    if (key === undefined) return false;
    const e = this.#merge.get(key);
    if (e === undefined || this.#o.clock.now() - e.at > this.#o.mergeWindowMs) return false;
    return e.branch !== r.via.branch;
  }

  /**
   * Entries are kept for the merge window only: the oldest (first inserted)
   * are dropped as soon as they expire, so at rest the memory is empty
   * instead of holding the last MAX_MERGE_ENTRIES requests. The key and
   * branch are flat copies: slices of the request would keep its whole text
   * alive (~700 bytes per REGISTER) for the window.
   */
  #remember(r: SipRequest): void {
    if (r.to.tag !== undefined || r.method === 'ACK' || r.method === 'CANCEL') return;
    const key = this.#mergeKey(r);
    if (key === undefined || r.via.branch === undefined) return;
    const now = this.#o.clock.now();
    this.#prune(now);
    const had = this.#merge.get(key);
    if (had !== undefined) {
      // A retransmission or merged copy: keep the first branch, refresh the time, move it to the newest end.
      had.at = now;
      this.#merge.touch(key, had);
      return;
    }
    this.#merge.set(detachedCopy(key), { branch: detachedCopy(r.via.branch), at: now });
    // Once requests stop coming, sweeps as the entries expire empty the memory.
    this.#sweep ??= this.#o.clock.setTimer(this.#o.mergeWindowMs + 1, () => this.#sweepMerge());
  }

  #sweep: TimerHandle | undefined;

  #sweepMerge(): void {
    this.#sweep = undefined;
    const now = this.#o.clock.now();
    this.#prune(now);
    // Next sweep when the oldest entry left expires.
    const oldest = this.#merge.oldestValue();
    if (oldest !== undefined) this.#sweep = this.#o.clock.setTimer(Math.max(1, oldest.at + this.#o.mergeWindowMs + 1 - now), () => this.#sweepMerge());
  }

  /** Drops entries older than the window, oldest first (insertion order is time order), and any beyond the cap. */
  #prune(now: number): void {
    for (let e = this.#merge.oldestValue(); e !== undefined; e = this.#merge.oldestValue()) {
      if (now - e.at <= this.#o.mergeWindowMs && this.#merge.size < MAX_MERGE_ENTRIES) break;
      this.#merge.shift();
    }
  }
}
