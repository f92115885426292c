/**
 * The AdminPort the API uses: read models over the switch, the registrar's
 * bindings, the CDR store and the plan holder, plus the few controls
 * (hang up, reload, night switch). Prometheus metrics come from prom-client.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { existsSync, statSync } from 'node:fs';
import type { Binding, SipStack } from '../sip/index.ts';
import type { CdrStore } from '../store/index.ts';
import type { AdminPort, CdrQuery, LiveCallView, NightMode, RecordingView, RegistrationView, ReloadReport, TrunkView } from './admin-port.ts';
import type { PlanHolder, ReloadResult } from './plan-holder.ts';
import type { Switch } from './switch.ts';
import type { TogglesStore } from './toggles-store.ts';
import type { TrunkDirectory } from './trunk-directory.ts';

export interface AdminDeps {
  readonly sw: Switch;
  readonly stack: SipStack;
  readonly cdr: CdrStore;
  readonly bindings: (now: number) => readonly (Binding & { reachable?: boolean })[];
  readonly plans: PlanHolder;
  readonly toggles: TogglesStore;
  readonly trunks: () => TrunkDirectory;
  readonly trunkState: (name: string) => { registration: string; reachable: boolean | undefined; lastError: string | undefined };
  readonly reload: () => Promise<ReloadResult>;
  readonly now: () => number;
  readonly startedAt: number;
  readonly version: string;
}

function toReport(r: ReloadResult): ReloadReport {
  return { ok: r.ok, diagnostics: r.errors, warnings: r.warnings, planVersion: r.version };
}

export function createAdmin(d: AdminDeps): AdminPort {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'belfry_process_' });
  new Gauge({ name: 'belfry_calls_live', help: 'Calls in progress', registers: [registry], collect() { this.set(d.sw.calls.size); } });
  new Gauge({ name: 'belfry_registrations', help: 'Registered contacts', registers: [registry], collect() { this.set(d.bindings(d.now()).length); } });
  const sipIn = new Gauge({ name: 'belfry_sip_received_total', help: 'SIP messages received', registers: [registry], collect() { sipIn.set(d.stack.counters().received); } });
  const sipErr = new Gauge({ name: 'belfry_sip_parse_errors_total', help: 'SIP messages that did not parse', registers: [registry], collect() { sipErr.set(d.stack.counters().parseErrors); } });
  new Gauge({ name: 'belfry_plan_version', help: 'Version of the running dialplan', registers: [registry], collect() { this.set(d.plans.version); } });

  return {
    health: () => ({ status: 'ok', uptimeS: Math.round((d.now() - d.startedAt) / 1000), version: d.version, planVersion: d.plans.version }),
    listCdrs(q: CdrQuery) {
      const items = d.cdr.listCalls({
        from: q.from ? Date.parse(q.from) : undefined,
        to: q.to ? Date.parse(q.to) : undefined,
        direction: q.direction as 'internal' | 'inbound' | 'outbound' | undefined,
        src: q.src,
        dst: q.dst,
        limit: q.limit,
        offset: q.offset,
      });
      return { total: items.length, items };
    },
    getCdr: (id) => d.cdr.getCall(id),
    listRegistrations(): RegistrationView[] {
      return d.bindings(d.now()).map((b) => ({
        aor: b.aor,
        user: /^sips?:([^@]+)@/.exec(b.aor)?.[1] ?? b.aor,
        contact: b.contact,
        flow: `${b.flow.protocol}:${b.flow.remoteAddress}:${b.flow.remotePort}`,
        expiresAt: new Date(b.expiresAt).toISOString(),
        userAgent: b.userAgent,
        reachable: b.reachable,
      }));
    },
    listCalls(): LiveCallView[] {
      return [...d.sw.calls.values()].map((c) => ({
        id: c.id,
        direction: c.direction,
        from: c.from,
        to: c.to,
        state: c.state,
        startedAt: new Date(c.started).toISOString(),
        answeredAt: c.answeredAt === undefined ? undefined : new Date(c.answeredAt).toISOString(),
        legs: 2,
      }));
    },
    hangupCall: (id) => d.sw.hangup(id),
    listTrunks(): TrunkView[] {
      return d.trunks().names().map((name) => ({ name, ...d.trunkState(name) }));
    },
    listRecordings(): RecordingView[] {
      return d.cdr
        .listCalls({ limit: 1000 })
        .filter((c) => c.recordingPath !== null && existsSync(c.recordingPath))
        .map((c) => ({ callId: c.callId, path: c.recordingPath ?? '', bytes: statSync(c.recordingPath ?? '').size }));
    },
    recordingFile(callId) {
      const c = d.cdr.getCall(callId);
      const p = c?.call.recordingPath;
      return p === null || p === undefined || !existsSync(p) ? undefined : p;
    },
    async reload() {
      return toReport(await d.reload());
    },
    lastReload() {
      const r = d.plans.lastReload;
      return r === undefined ? undefined : toReport(r);
    },
    getNight: () => ({ mode: d.toggles.night }),
    setNight(mode: NightMode) {
      d.toggles.setNight(mode);
      return { mode: d.toggles.night };
    },
    async metrics() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
