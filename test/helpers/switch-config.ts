/**
 * Writes a throw-away configuration folder for an integration test: short
 * timers, a handful of users with known passwords, a ring group, and a trunk
 * played by a test UA on 127.0.0.2 (a different loopback address, so
 * identifying the trunk by source address does not capture the phones).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSWORD = (ext: string) => `pw-${ext}-secret`;

export interface SwitchConfigOptions {
  readonly trunkPort?: number;
  readonly ringTime?: number;
  readonly silenceTimeoutS?: number;
  /** Extra dialplan YAML appended to the main file (top-level sections not already present). */
  readonly extraDialplan?: string;
  /** Replaces the users section. */
  readonly users?: string;
  /** Extra lines inside `settings:` (indented two spaces, e.g. `  night_schedule: office`). */
  readonly settingsExtra?: string;
  /** Replaces the body of `numbers:` (indented two spaces). */
  readonly numbers?: string;
  /** Replaces the body of `ring_groups:` (indented two spaces). */
  readonly ringGroups?: string;
  /** Replaces the body of `outbound:` (indented two spaces). */
  readonly outbound?: string;
  readonly t1Ms?: number;
  /** rtp.workers in belfry.yaml (0 = relay on the main thread). */
  readonly rtpWorkers?: number;
}

export function makeSwitchConfig(o: SwitchConfigOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-cfg-'));
  mkdirSync(join(dir, 'dialplan'));
  writeFileSync(
    join(dir, 'belfry.yaml'),
    `sip:
  host: 127.0.0.1
  timers: { t1_ms: ${o.t1Ms ?? 100} }
rtp:
  address: 127.0.0.1
  port_min: ${30000 + Math.floor(Math.random() * 300) * 100}
  port_max: ${30000 + 30000 - 2}
  silence_timeout_s: ${o.silenceTimeoutS ?? 0}
  workers: ${o.rtpWorkers ?? 0}
log:
  level: debug
shutdown:
  grace_ms: 500
`,
  );
  const users =
    o.users ??
    ['2001', '2002', '2003', '2004', '2005']
      .map((e) => `  "${e}":\n    name: User ${e}\n    password: ${PASSWORD(e)}\n    department: ops\n    max_contacts: 3`)
      .join('\n');
  writeFileSync(
    join(dir, 'dialplan', 'plan.yaml'),
    `settings:
  time_zone: Europe/Amsterdam
  default_country: NL
  user_ring_time: ${o.ringTime ?? 10}
  unassigned: reject:404
${o.settingsExtra ?? ''}
departments:
  ops: { name: Operations, number: "+31201234500" }
users:
${users}
trunks:
  carrier:
    host: 127.0.0.2
    port: ${o.trunkPort ?? 5999}
    transport: udp
    register: false
    inbound: ["127.0.0.2"]
    number_format: e164
numbers:
${
  o.numbers ??
  `  "+31201234567": { open: user:2001 }
  "+31201234599": { open: ring_group:all }`
}
ring_groups:
${
  o.ringGroups ??
  `  all:
    extension: "2100"
    strategy: ringall
    members: ["2002", "2003"]
    total_ring_time: 10
    overflow: reject:480`
}
outbound:
${
  o.outbound ??
  `  - name: national
    prefixes: ["0"]
    trunks: [carrier]`
}
${o.extraDialplan ?? ''}
`,
  );
  return dir;
}
