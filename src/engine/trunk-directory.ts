/**
 * Trunks as the engine uses them: where to send an outbound call (flow,
 * Request-URI, From/To in the trunk's number format) and which trunk an
 * inbound request came from (source address/CIDR, RFC 3261 has no notion of
 * it: carriers are identified by IP, as Asterisk's `identify` sections do).
 * Built per plan; trunk hosts must be IP literals or names resolved at load.
 */
import { cidrContains, parseCidr, type Cidr } from '../common/index.ts';
import type { Plan, Trunk } from '../dialplan/index.ts';
import type { Flow } from '../sip/index.ts';
import type { TrunkTarget } from './route-types.ts';

export interface LocalListener {
  (protocol: Flow['protocol']): { address: string; port: number } | undefined;
}

function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export class TrunkDirectory {
  readonly #trunks: ReadonlyMap<string, Trunk>;
  readonly #inbound: Array<{ trunk: string; cidr: Cidr }> = [];
  readonly #resolved: ReadonlyMap<string, string>;
  readonly #local: LocalListener;

  /** `resolved`: trunk name → IP address of its host (names resolved by the caller, once per plan). */
  constructor(plan: Plan, resolved: ReadonlyMap<string, string>, local: LocalListener) {
    this.#trunks = plan.trunks;
    this.#resolved = resolved;
    this.#local = local;
    for (const [name, t] of plan.trunks) {
      const sources = t.inbound.length > 0 ? t.inbound : [resolved.get(name) ?? t.host];
      for (const s of sources) {
        const c = parseCidr(s);
        if (c) this.#inbound.push({ trunk: name, cidr: c });
      }
    }
  }

  get(name: string): Trunk | undefined {
    return this.#trunks.get(name);
  }

  /** The trunk whose inbound addresses contain `ip`, if any. */
  trunkForSource(ip: string): string | undefined {
    return this.#inbound.find((e) => cidrContains(e.cidr, ip))?.trunk;
  }

  flowOf(name: string): Flow | undefined {
    const t = this.#trunks.get(name);
    if (t === undefined) return undefined;
    const local = this.#local(t.transport);
    if (local === undefined) return undefined;
    return { protocol: t.transport, remoteAddress: this.#resolved.get(name) ?? t.host, remotePort: t.port, localAddress: local.address, localPort: local.port };
  }

  target(name: string, dial: string, callerNumber: string): TrunkTarget | undefined {
    const t = this.#trunks.get(name);
    const flow = this.flowOf(name);
    if (t === undefined || flow === undefined) return undefined;
    const host = hostForUri(t.host);
    const from = t.callerId ?? callerNumber;
    return {
      trunk: name,
      flow,
      requestUri: `sip:${dial}@${host}:${t.port}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`,
      to: `<sip:${dial}@${host}>`,
      from: `<sip:${encodeURIComponent(from)}@${host}>`,
    };
  }

  names(): string[] {
    return [...this.#trunks.keys()];
  }
}
