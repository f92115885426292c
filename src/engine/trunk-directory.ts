/**
 * Trunks as the engine uses them, built once per plan: where to send an
 * outbound call (flow, Request-URI, From/To and P-Asserted-Identity in the
 * trunk's number format, digest credentials), which trunk an inbound request
 * came from, and which DID it dialled.
 *
 * Identification: RFC 3261 has no notion of "this request came from my
 * carrier"; carriers are identified by source address (the `inbound`
 * addresses/CIDRs, as Asterisk's `identify` sections do), and a trunk we
 * register to is also recognised by its registrar's address: RFC 3261 §10
 * has it send calls to the Contact we registered, from where we registered.
 * Trunk calls are never digest-challenged (carriers do not answer 407).
 *
 * Credentials: `${NAME}` placeholders in a trunk's username/password are
 * environment variables substituted here, at load time (the dialplan stays
 * pure). A trunk whose credentials still hold an unresolved placeholder or
 * the example value CHANGE-ME has none: it never registers and its state
 * says why (security by default).
 *
 * Leaves out: DNS SRV/NAPTR (RFC 3263; hosts are IPs or names resolved by
 * the caller), per-trunk outbound proxies, Privacy (RFC 3323).
 */
import { isIP } from 'node:net';
import { cidrContains, parseCidr, type Cidr } from '../common/index.ts';
import { formatForTrunk, normaliseNumber, type Plan, type Trunk } from '../dialplan/index.ts';
import type { Flow, SipRequest } from '../sip/index.ts';
import type { TrunkTarget } from './route-types.ts';

export interface LocalListener {
  (protocol: Flow['protocol']): { address: string; port: number } | undefined;
}

export type TrunkCredentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly username: string; readonly password: string }
  | { readonly kind: 'unusable'; readonly code: 'TRUNK_CREDENTIALS_UNRESOLVED' | 'TRUNK_CREDENTIALS_PLACEHOLDER'; readonly reason: string };

export interface TrunkDirectoryOptions {
  /** Environment for `${NAME}` substitution (main passes process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reachability from the OPTIONS ping: false skips the trunk for outbound calls. */
  readonly reachable?: (trunk: string) => boolean | undefined;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${NAME}` → env[NAME]; the names that are not set are reported. */
export function substituteEnv(value: string, env: Readonly<Record<string, string | undefined>>): { value: string; missing: string[] } {
  const missing: string[] = [];
  const out = value.replace(PLACEHOLDER, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') {
      missing.push(name);
      return '';
    }
    return v;
  });
  return { value: out, missing };
}

export function resolveCredentials(t: Trunk, env: Readonly<Record<string, string | undefined>>): TrunkCredentials {
  if (t.username === null || t.password === null) return { kind: 'none' };
  const u = substituteEnv(t.username, env);
  const p = substituteEnv(t.password, env);
  const missing = [...u.missing, ...p.missing];
  if (missing.length > 0) return { kind: 'unusable', code: 'TRUNK_CREDENTIALS_UNRESOLVED', reason: `environment variable ${missing.join(', ')} is not set` };
  if (/change-?me/i.test(u.value) || /change-?me/i.test(p.value)) return { kind: 'unusable', code: 'TRUNK_CREDENTIALS_PLACEHOLDER', reason: 'username or password is the example value CHANGE-ME' };
  return { kind: 'ok', username: u.value, password: p.value };
}

function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A telephone number as a SIP URI user part: '+' is a user-unreserved character (RFC 3261 §25.1), kept as is. */
function userPart(n: string): string {
  return encodeURIComponent(n).replace(/%2B/g, '+');
}

function uriUser(uri: string): string {
  const m = /^(?:sips?|tel):([^@;?>]+)@/i.exec(uri.trim().replace(/^</, ''));
  const tel = /^tel:([^;?>]+)/i.exec(uri.trim());
  const raw = m?.[1] ?? tel?.[1] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Source addresses whose trunk (or none) is remembered; the map is cleared when full. */
const SOURCE_CACHE_MAX = 4096;

export class TrunkDirectory {
  readonly #trunks: ReadonlyMap<string, Trunk>;
  readonly #inbound: Array<{ trunk: string; cidr: Cidr }> = [];
  readonly #bySource = new Map<string, string | null>();
  readonly #resolved: ReadonlyMap<string, string>;
  readonly #local: LocalListener;
  readonly #country: string;
  readonly #credentials = new Map<string, TrunkCredentials>();
  readonly #reachable: (trunk: string) => boolean | undefined;

  /** `resolved`: trunk name → IP address of its host (names resolved by the caller, once per plan). */
  constructor(plan: Plan, resolved: ReadonlyMap<string, string>, local: LocalListener, opts: TrunkDirectoryOptions = {}) {
    this.#trunks = plan.trunks;
    this.#resolved = resolved;
    this.#local = local;
    this.#country = plan.settings.defaultCountry;
    this.#reachable = opts.reachable ?? (() => undefined);
    for (const [name, t] of plan.trunks) {
      const host = resolved.get(name) ?? t.host;
      // The registrar of a trunk we register to may always send us calls (our Contact is its target).
      const sources = t.inbound.length > 0 ? (t.register ? [...t.inbound, host] : t.inbound) : [host];
      for (const s of sources) {
        const c = parseCidr(s);
        if (c) this.#inbound.push({ trunk: name, cidr: c });
      }
      this.#credentials.set(name, resolveCredentials(t, opts.env ?? {}));
    }
  }

  get(name: string): Trunk | undefined {
    return this.#trunks.get(name);
  }

  credentials(name: string): TrunkCredentials {
    return this.#credentials.get(name) ?? { kind: 'none' };
  }

  /** The trunk whose inbound addresses contain `ip`, if any. */
  trunkForSource(ip: string): string | undefined {
    // Asked for every INVITE (stateless hook, identification): the answer per
    // address is remembered, in a bounded map (source addresses are untrusted).
    const known = this.#bySource.get(ip);
    if (known !== undefined) return known === null ? undefined : known;
    const trunk = this.#inbound.find((e) => cidrContains(e.cidr, ip))?.trunk;
    if (this.#bySource.size >= SOURCE_CACHE_MAX) this.#bySource.clear();
    this.#bySource.set(ip, trunk ?? null);
    return trunk;
  }

  flowOf(name: string): Flow | undefined {
    const t = this.#trunks.get(name);
    if (t === undefined) return undefined;
    const local = this.#local(t.transport);
    // A host name that did not resolve when the plan loaded gives no flow (the trunk is unusable, not "unreachable").
    const address = this.#resolved.get(name) ?? (isIP(t.host) ? t.host : undefined);
    if (local === undefined || address === undefined) return undefined;
    return { protocol: t.transport, remoteAddress: address, remotePort: t.port, localAddress: local.address, localPort: local.port };
  }

  /** Request-URI of a REGISTER / OPTIONS to the trunk (its domain, §10.2). */
  serverUri(name: string): string | undefined {
    const t = this.#trunks.get(name);
    if (t === undefined) return undefined;
    return `sip:${hostForUri(t.host)}${t.port === 5060 && t.transport !== 'tls' ? '' : `:${t.port}`}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
  }

  /**
   * The DID an inbound call dialled, E.164 when it can be: the Request-URI
   * user, or the To user when the Request-URI is our registered Contact
   * (user `belfry`, the trunk's username, or none). Digits without a plus
   * from an `e164` trunk get their plus back; the rest is normalised with
   * the plan's default country. Unparseable input is passed on as sent
   * (the dialplan then answers "unassigned").
   */
  inboundDid(name: string, req: Pick<SipRequest, 'uri' | 'to'>): string {
    const t = this.#trunks.get(name);
    let user = uriUser(req.uri);
    const creds = this.credentials(name);
    if (user === '' || user === 'belfry' || (creds.kind === 'ok' && user === creds.username)) user = uriUser(req.to.uri.raw);
    const digits = user.replace(/[\s().\-/]/g, '');
    if (t?.numberFormat === 'e164' && /^[1-9]\d{6,14}$/.test(digits)) {
      const plus = normaliseNumber(`+${digits}`, this.#country);
      if (plus !== null) return plus;
    }
    return normaliseNumber(digits, this.#country) ?? user;
  }

  /**
   * Where and how to ring `dial` through trunk `name`. `callerNumber` is the
   * number to present (the dialplan's caller id per policy, E.164); when it
   * is not a public number the trunk's `caller_id` is used. The number goes
   * out in the trunk's number format in From and P-Asserted-Identity (RFC
   * 3325: the carrier is a trusted peer). Undefined when the trunk is
   * unknown, has no local listener, or its OPTIONS ping found it unreachable.
   */
  target(name: string, dial: string, callerNumber: string | null): TrunkTarget | undefined {
    const t = this.#trunks.get(name);
    const flow = this.flowOf(name);
    if (t === undefined || flow === undefined) return undefined;
    if (this.#reachable(name) === false) return undefined;
    const host = hostForUri(t.host);
    const own = callerNumber === null ? null : normaliseNumber(callerNumber, this.#country);
    const presented = own ?? t.callerId;
    const fromUser = presented === null ? 'anonymous' : formatForTrunk(presented, t.numberFormat, this.#country);
    const creds = this.credentials(name);
    const headers = presented === null ? [] : [{ name: 'p-asserted-identity', value: `<sip:${userPart(fromUser)}@${host}>` }];
    return {
      trunk: name,
      flow,
      requestUri: `sip:${dial}@${host}:${t.port}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`,
      to: `<sip:${dial}@${host}>`,
      from: `<sip:${userPart(fromUser)}@${host}>`,
      headers,
      ...(creds.kind === 'ok' ? { credentials: { username: creds.username, password: creds.password } } : {}),
    };
  }

  names(): string[] {
    return [...this.#trunks.keys()];
  }
}
