/**
 * Runs the trunks of the current plan: the driver of the registration
 * machine (sip/leg trunk-registration.ts) for every trunk with `register:
 * true`, and the OPTIONS ping (RFC 3261 §11) every `ping` seconds that
 * marks a trunk unreachable (no answer: 408, or 503) so outbound routing
 * skips it until it answers again. Its state is what the admin API shows
 * under /api/v1/trunks.
 *
 * On a plan swap, trunks whose address or credentials changed are restarted
 * (unregistered, then registered anew); removed ones are unregistered.
 * Shutdown sends Expires: 0 for every binding we may hold and waits a
 * bounded time for the answers.
 *
 * Leaves out: RFC 5626 flow keep-alives (CRLF/STUN), registering one trunk
 * over several transports, DNS re-resolution while running (names are
 * resolved when a plan loads).
 */
import type { Clock, Ids, Logger, TimerHandle } from '../common/index.ts';
import {
  buildRequest,
  initialTrunkRegistration,
  stepTrunkRegistration,
  type HeaderField,
  type LegContext,
  type SipResponse,
  type TrunkRegistrationConfig,
  type TrunkRegistrationEffect,
  type TrunkRegistrationEvent,
  type TrunkRegistrationState,
} from '../sip/index.ts';
import type { TrunkDirectory } from './trunk-directory.ts';

/** Engine-side trunk codes (STYLE G6), shown as `lastErrorCode` next to the registration machine's. */
export const TRUNK_MANAGER_ERROR_CODES = {
  TRUNK_CREDENTIALS_UNRESOLVED: 'a ${NAME} placeholder in username/password names an unset environment variable',
  TRUNK_CREDENTIALS_PLACEHOLDER: 'username or password is the example value CHANGE-ME',
  TRUNK_NO_CREDENTIALS: 'register: true without username/password',
  TRUNK_NO_ROUTE: 'no local listener for the trunk transport, or its host did not resolve',
  TRUNK_UNREACHABLE: 'the OPTIONS ping got no answer (408) or 503',
} as const;
export type TrunkManagerErrorCode = keyof typeof TRUNK_MANAGER_ERROR_CODES;

export type TrunkRegistrationStatus = 'registered' | 'registering' | 'failed' | 'unregistered' | 'not-used';

export interface TrunkStateView {
  readonly registration: TrunkRegistrationStatus;
  readonly reachable: boolean | undefined;
  readonly lastError: string | undefined;
  readonly lastErrorCode: string | undefined;
  /** ISO time of the next REGISTER (refresh or retry). */
  readonly nextAttempt: string | undefined;
  /** ISO time the binding at the carrier expires, when registered. */
  readonly registeredUntil: string | undefined;
}

export interface TrunkManagerOptions {
  readonly sip: LegContext;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  /** Requested registration expiry (s). */
  readonly expiresS: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

class Registration {
  state: TrunkRegistrationState;
  readonly config: TrunkRegistrationConfig;
  readonly #callId: string;
  readonly #fromTag: string;
  #timer: TimerHandle | undefined;
  #onStopped: Array<() => void> = [];
  registeredAt: number | undefined;
  readonly name: string;
  readonly dir: TrunkDirectory;
  readonly o: TrunkManagerOptions;

  constructor(name: string, dir: TrunkDirectory, o: TrunkManagerOptions, credentials: { username: string; password: string }) {
    this.name = name;
    this.dir = dir;
    this.o = o;
    const flow = dir.flowOf(name);
    const contact = flow === undefined ? '' : o.sip.contact(flow).replace(/^<|>$/g, '');
    this.config = { ...credentials, expiresS: o.expiresS, retryMinMs: o.retryMinMs, retryMaxMs: o.retryMaxMs, contactUri: contact, registrarUri: dir.serverUri(name) ?? '' };
    this.state = initialTrunkRegistration(this.config);
    // §10.2.4: one Call-ID for every REGISTER of this binding.
    this.#callId = o.ids.callId();
    this.#fromTag = o.ids.tag();
  }

  feed(e: TrunkRegistrationEvent): void {
    const before = this.state;
    const step = stepTrunkRegistration(this.config, this.state, e);
    this.state = step.state;
    if (step.state.phase !== before.phase || step.state.lastError !== before.lastError) {
      const log = { trunk: this.name, phase: step.state.phase, error: step.state.lastError, granted: step.state.grantedS };
      if (step.state.phase === 'failed') this.o.log.warn(log, 'trunk registration failed');
      else this.o.log.info(log, 'trunk registration');
    }
    if (step.state.phase === 'registered' && e.kind === 'response') this.registeredAt = this.o.clock.wallNow();
    for (const fx of step.effects) this.#apply(fx);
  }

  #apply(fx: TrunkRegistrationEffect): void {
    switch (fx.kind) {
      case 'send-register':
        this.#send(fx.cseq, fx.expiresS, fx.authorization);
        return;
      case 'set-timer':
        this.#timer?.cancel();
        this.#timer = this.o.clock.setTimer(fx.ms, () => this.feed({ kind: 'timer', now: this.o.clock.now() }));
        return;
      case 'cancel-timer':
        this.#timer?.cancel();
        this.#timer = undefined;
        return;
      case 'stopped': {
        this.#timer?.cancel();
        const waiters = this.#onStopped;
        this.#onStopped = [];
        for (const w of waiters) w();
        return;
      }
      default:
        assertNever(fx);
    }
  }

  #send(cseq: number, expiresS: number, authorization: { name: string; value: string } | undefined): void {
    const flow = this.dir.flowOf(this.name);
    const t = this.dir.get(this.name);
    if (flow === undefined || t === undefined) return;
    const aor = `<sip:${encodeURIComponent(this.config.username)}@${t.host.includes(':') ? `[${t.host}]` : t.host}>`;
    const headers: HeaderField[] = [
      { name: 'via', value: this.o.sip.via(flow, this.o.ids.branch()) },
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: `${aor};tag=${this.#fromTag}` },
      { name: 'to', value: aor },
      { name: 'call-id', value: this.#callId },
      { name: 'cseq', value: `${cseq} REGISTER` },
      { name: 'contact', value: `<${this.config.contactUri}>` },
      { name: 'expires', value: String(expiresS) },
      { name: 'user-agent', value: this.o.sip.product },
      ...(authorization ? [authorization] : []),
    ];
    const req = buildRequest({ method: 'REGISTER', uri: this.config.registrarUri, headers });
    this.o.sip.transactions.sendRequest(req, flow, (r: SipResponse) => {
      if (r.status < 200) return;
      this.feed({ kind: 'response', now: this.o.clock.now(), cseq, response: r, cnonce: this.o.ids.token(8) });
    });
  }

  /** Unregister (if we may hold a binding); resolves when done or after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.o.clock.setTimer(timeoutMs, () => {
        this.#timer?.cancel();
        resolve();
      });
      this.#onStopped.push(() => {
        t.cancel();
        resolve();
      });
      if (this.state.phase === 'unregistered') this.#apply({ kind: 'stopped' });
      else this.feed({ kind: 'stop', now: this.o.clock.now() });
    });
  }
}

interface Entry {
  readonly signature: string;
  readonly dir: TrunkDirectory;
  registration: Registration | undefined;
  /** Why a trunk that should register does not. */
  disabled: { code: TrunkManagerErrorCode; reason: string } | undefined;
  reachable: boolean | undefined;
  pingTimer: TimerHandle | undefined;
  pingInFlight: boolean;
  stopped: boolean;
}

function signature(dir: TrunkDirectory, name: string): string {
  const t = dir.get(name);
  const c = dir.credentials(name);
  return JSON.stringify([t, dir.flowOf(name), c.kind === 'ok' ? [c.username, c.password] : c.kind]);
}

export class TrunkManager {
  readonly #o: TrunkManagerOptions;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(o: TrunkManagerOptions) {
    this.#o = o;
  }

  /** Start, restart or stop trunks so they match `dir` (call at start and on every plan swap). */
  update(dir: TrunkDirectory): void {
    if (this.#closed) return;
    this.#latest = dir;
    const names = new Set(dir.names());
    for (const [name, e] of this.#entries) {
      if (names.has(name) && signature(dir, name) === e.signature) continue;
      this.#entries.delete(name);
      this.#restarting.add(name);
      // The old binding goes first: an Expires: 0 for our Contact racing a new REGISTER could remove the new one.
      void this.#stopEntry(e, 2000).then(() => {
        this.#restarting.delete(name);
        const latest = this.#latest;
        if (!this.#closed && latest !== undefined && latest.get(name) !== undefined && !this.#entries.has(name)) this.#startEntry(latest, name);
      });
    }
    for (const name of names) if (!this.#entries.has(name) && !this.#restarting.has(name)) this.#startEntry(dir, name);
  }

  #latest: TrunkDirectory | undefined;
  readonly #restarting = new Set<string>();

  #startEntry(dir: TrunkDirectory, name: string): void {
    const t = dir.get(name);
    if (t === undefined) return;
    const e: Entry = { signature: signature(dir, name), dir, registration: undefined, disabled: undefined, reachable: undefined, pingTimer: undefined, pingInFlight: false, stopped: false };
    this.#entries.set(name, e);
    if (dir.flowOf(name) === undefined) {
      const c = dir.credentials(name);
      const also = t.register && c.kind === 'unusable' ? `; also ${c.reason}` : '';
      e.disabled = { code: 'TRUNK_NO_ROUTE', reason: `host ${t.host} did not resolve, or no ${t.transport} listener${also}` };
      this.#o.log.warn({ trunk: name, code: e.disabled.code }, e.disabled.reason);
      return;
    }
    if (t.register) {
      const c = dir.credentials(name);
      if (c.kind === 'ok') {
        e.registration = new Registration(name, dir, this.#o, c);
        e.registration.feed({ kind: 'start', now: this.#o.clock.now() });
      } else {
        e.disabled = c.kind === 'none' ? { code: 'TRUNK_NO_CREDENTIALS', reason: 'register: true without username/password' } : { code: c.code, reason: c.reason };
        this.#o.log.warn({ trunk: name, code: e.disabled.code }, `trunk does not register: ${e.disabled.reason}`);
      }
    }
    if (t.ping > 0) this.#ping(e, name);
  }

  #ping(e: Entry, name: string): void {
    if (e.stopped || this.#closed) return;
    const t = e.dir.get(name);
    const flow = e.dir.flowOf(name);
    const uri = e.dir.serverUri(name);
    if (t === undefined || flow === undefined || uri === undefined) return;
    e.pingTimer = this.#o.clock.setTimer(t.ping * 1000, () => this.#ping(e, name));
    if (e.pingInFlight) return;
    e.pingInFlight = true;
    const req = buildRequest({
      method: 'OPTIONS',
      uri,
      headers: [
        { name: 'via', value: this.#o.sip.via(flow, this.#o.ids.branch()) },
        { name: 'max-forwards', value: '70' },
        { name: 'from', value: `${this.#o.sip.contact(flow)};tag=${this.#o.ids.tag()}` },
        { name: 'to', value: `<${uri}>` },
        { name: 'call-id', value: this.#o.ids.callId() },
        { name: 'cseq', value: '1 OPTIONS' },
        { name: 'user-agent', value: this.#o.sip.product },
      ],
    });
    this.#o.sip.transactions.sendRequest(req, flow, (r) => {
      if (r.status < 200) return;
      e.pingInFlight = false;
      if (e.stopped) return;
      // Any final answer (even 404/405) proves the carrier is there; 408 (our Timer F) and 503 do not.
      const up = r.status !== 408 && r.status !== 503;
      if (up !== e.reachable) {
        if (up) this.#o.log.info({ trunk: name, status: r.status }, 'trunk reachable');
        else this.#o.log.warn({ trunk: name, status: r.status, code: 'TRUNK_UNREACHABLE' }, 'trunk unreachable: outbound calls skip it');
      }
      e.reachable = up;
    });
  }

  #stopEntry(e: Entry, timeoutMs: number): Promise<void> {
    e.stopped = true;
    e.pingTimer?.cancel();
    return e.registration?.stop(timeoutMs) ?? Promise.resolve();
  }

  /** False when the OPTIONS ping found the trunk unreachable (outbound routing skips it). */
  reachable(name: string): boolean | undefined {
    return this.#entries.get(name)?.reachable;
  }

  state(name: string): TrunkStateView {
    const e = this.#entries.get(name);
    const base = { reachable: e?.reachable, nextAttempt: undefined, registeredUntil: undefined };
    if (e === undefined) return { ...base, registration: 'unregistered', lastError: undefined, lastErrorCode: undefined };
    const unreachable = e.reachable === false ? { code: 'TRUNK_UNREACHABLE', reason: 'no answer to OPTIONS' } : undefined;
    if (e.disabled !== undefined) return { ...base, registration: e.dir.get(name)?.register ? 'unregistered' : 'not-used', lastError: e.disabled.reason, lastErrorCode: e.disabled.code };
    const r = e.registration;
    if (r === undefined) return { ...base, registration: 'not-used', lastError: unreachable?.reason, lastErrorCode: unreachable?.code };
    const s = r.state;
    const now = this.#o.clock.now();
    const wall = this.#o.clock.wallNow();
    const iso = (mono: number | undefined) => (mono === undefined ? undefined : new Date(wall + (mono - now)).toISOString());
    const phase: TrunkRegistrationStatus = s.phase === 'unregistering' ? 'registered' : s.phase;
    return {
      registration: phase,
      reachable: e.reachable,
      lastError: s.lastError === undefined ? unreachable?.reason : `${s.lastError.detail}`,
      lastErrorCode: s.lastError?.code ?? unreachable?.code,
      nextAttempt: iso(s.nextAttemptAt),
      registeredUntil: phase === 'registered' && r.registeredAt !== undefined && s.grantedS !== undefined ? new Date(r.registeredAt + s.grantedS * 1000).toISOString() : undefined,
    };
  }

  /** Unregister everything (Expires: 0) and stop pinging; bounded by `timeoutMs`. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const all = [...this.#entries.values()].map((e) => this.#stopEntry(e, timeoutMs));
    this.#entries.clear();
    await Promise.all(all);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected effect ${JSON.stringify(x)}`);
}
