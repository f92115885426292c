/**
 * The users the switch knows, taken from the compiled dialplan: credentials
 * for digest verification and source-network policy. Built once per plan
 * (a reload builds a new one), so lookups are map reads.
 */
import { cidrContains, parseCidr, type Cidr } from '../common/index.ts';
import type { Plan, User } from '../dialplan/index.ts';
import type { DigestCredentials } from '../sip/index.ts';

export class UserDirectory {
  readonly #users: ReadonlyMap<string, User>;
  readonly #networks = new Map<string, readonly Cidr[]>();

  constructor(plan: Plan) {
    this.#users = plan.users;
    for (const [ext, u] of plan.users) {
      const cidrs = u.networks.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      if (cidrs.length > 0) this.#networks.set(ext, cidrs);
    }
  }

  get(ext: string): User | undefined {
    return this.#users.get(ext);
  }

  credentials(ext: string): DigestCredentials | undefined {
    const u = this.#users.get(ext);
    if (u === undefined) return undefined;
    if (u.password !== null) return { password: u.password };
    if (u.ha1 !== null) return u.ha1.length === 64 ? { ha1Sha256: u.ha1 } : { ha1Md5: u.ha1 };
    return undefined;
  }

  /** True when the user has no network restriction or `ip` is inside one of its networks. */
  sourceAllowed(ext: string, ip: string): boolean {
    const nets = this.#networks.get(ext);
    return nets === undefined || nets.some((c) => cidrContains(c, ip));
  }

  get size(): number {
    return this.#users.size;
  }
}
