/**
 * The night switch, restrictions, the blacklist, IVR-only destinations and
 * hot reload, on real calls against a real belfry, plus the admin API
 * endpoints for night and reload (400 naming the field, 401 without token).
 *
 * The schedule `office` is open around the clock, so `auto` always means
 * open and the test never depends on the time of day: DID +31201234567 goes
 * to 2001 when open and to 2002 when closed. A test UA on 127.0.0.2 plays the
 * carrier for inbound calls.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor, type TestCall } from '../../helpers/test-ua.ts';
import { UasLeg, type UacLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
let carrier: TestUa;
let configDir: string;
let planFile: string;
const dataDir = mkdtempSync(join(tmpdir(), 'belfry-night-data-'));
let phones: Record<string, TestUa> = {};
const EXTS = ['2001', '2002', '2003', '2004', '2005'];
const ALL_DAY = '["00:00-24:00"]';

const USERS = EXTS.map(
  (e) => `  "${e}":\n    name: User ${e}\n    password: ${PASSWORD(e)}\n    department: ops${e === '2004' ? '\n    forward: { no_answer: user:2005, no_answer_after: 2 }' : ''}`,
).join('\n');

before(async () => {
  carrier = await TestUa.start({ user: '+31611111111', password: 'unused', switchPort: 5060, host: '127.0.0.2' });
  configDir = makeSwitchConfig({
    trunkPort: carrier.port,
    users: USERS,
    settingsExtra: '  night_schedule: office\n  premium_prefixes: ["+31900", "+31906", "+31909"]',
    numbers: [
      '  "+31201234567": { schedule: office, open: user:2001, closed: user:2002 }',
      '  "+31201234590": menu:main',
      '  "+31201234591": voicemail:100',
      '  "+31201234592": announce:closed-for-lunch',
    ].join('\n'),
    outbound: '  - name: everything\n    prefixes: ["+"]\n    trunks: [carrier]',
    extraDialplan: `schedules:
  office:
    time_zone: Europe/Amsterdam
    week: { mon: ${ALL_DAY}, tue: ${ALL_DAY}, wed: ${ALL_DAY}, thu: ${ALL_DAY}, fri: ${ALL_DAY}, sat: ${ALL_DAY}, sun: ${ALL_DAY} }
restrictions:
  - name: no-premium
    classes: [premium]
blacklist: ["+31644444444"]
ivr_menus:
  main:
    open:
      prompt: { tts: Welcome }
      keys: { "1": user:2001 }
voicemail:
  "100": {}
`,
  });
  planFile = join(configDir, 'dialplan', 'plan.yaml');
  sw = await startBelfry({ configDir, dataDir });
  Object.assign(carrier.switchFlow, { remotePort: sw.sipPort });
  await startPhones();
});

async function startPhones(): Promise<void> {
  phones = {};
  for (const ext of EXTS) {
    const p = await TestUa.start({ user: ext, password: PASSWORD(ext), switchPort: sw.sipPort });
    assert.equal((await p.register()).status, 200);
    p.onIncoming({ ringMs: 20 });
    phones[ext] = p;
  }
}

after(async () => {
  for (const p of Object.values(phones)) await p.close();
  await carrier?.close();
  const code = await sw?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
});

const phone = (ext: string): TestUa => {
  const p = phones[ext];
  if (p === undefined) throw new Error(`no phone ${ext}`);
  return p;
};
const callIdOf = (c: TestCall): string => (c.leg as UacLeg).ownCallId;
const incoming = (ua: TestUa): TestCall[] => ua.calls.filter((c) => c.leg instanceof UasLeg);
const reasonOf = (c: TestCall): string | undefined => {
  const e = c.events.find((x) => x.kind === 'failed');
  return e !== undefined && 'response' in e ? e.response.reason : undefined;
};
const ended = (callId: string) => waitFor(() => sw.logs.some((l) => l.includes(callId) && l.includes('"call ended"')), 5000, 'call ended');

async function api(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? sw.apiToken}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await r.text();
  return { status: r.status, body: text.length > 0 ? JSON.parse(text) : undefined };
}

/** An inbound call from the carrier to the DID; returns which extension answered it. */
async function whoGetsTheDid(did = '+31201234567'): Promise<string> {
  const counts = EXTS.map((e) => incoming(phone(e)).length);
  const call = await carrier.call(did);
  assert.equal(await call.final, 200, `inbound call to ${did} answered`);
  const who = EXTS.find((e, i) => incoming(phone(e)).length > (counts[i] ?? 0));
  call.hangup();
  await ended(callIdOf(call));
  return who ?? '(nobody)';
}

async function featureCode(ext: string, code: string): Promise<string | undefined> {
  const c = await phone(ext).call(code);
  assert.equal(await c.final, 480, `${code} answered 480 with the new state in the reason`);
  return reasonOf(c);
}

test('night switch by feature code: *282 closed, *281 open, *28 toggles, *280 back to auto', async () => {
  assert.equal(await whoGetsTheDid(), '2001', 'auto: the always-open schedule sends the DID to 2001');
  assert.equal(await featureCode('2003', '*282'), 'Night Switch closed');
  assert.equal(await whoGetsTheDid(), '2002', 'closed destination');
  assert.deepEqual((await api('/api/v1/night')).body, { mode: 'closed' }, 'the API sees the state the code set');
  assert.equal(await featureCode('2003', '*281'), 'Night Switch open');
  assert.equal(await whoGetsTheDid(), '2001');
  // Toggle from an override goes back to auto; from auto (open now) it closes.
  assert.equal(await featureCode('2003', '*28'), 'Night Switch auto');
  assert.equal(await featureCode('2003', '*28'), 'Night Switch closed');
  assert.equal(await whoGetsTheDid(), '2002');
  assert.equal(await featureCode('2003', '*280'), 'Night Switch auto');
  assert.equal(await whoGetsTheDid(), '2001');
});

test('night switch by the admin API (PUT /api/v1/night) persists across a restart', async () => {
  const put = await api('/api/v1/night', { method: 'PUT', body: { mode: 'closed' } });
  assert.equal(put.status, 200);
  assert.deepEqual(put.body, { mode: 'closed' });
  assert.equal(await whoGetsTheDid(), '2002');

  for (const p of Object.values(phones)) await p.close();
  assert.equal(await sw.stop(), 0);
  sw = await startBelfry({ configDir, dataDir });
  Object.assign(carrier.switchFlow, { remotePort: sw.sipPort });
  await startPhones();

  assert.deepEqual((await api('/api/v1/night')).body, { mode: 'closed' }, 'restored from toggles.json');
  assert.equal(await whoGetsTheDid(), '2002', 'still closed after the restart');
  assert.equal((await api('/api/v1/night', { method: 'PUT', body: { mode: 'auto' } })).status, 200);
  assert.equal(await whoGetsTheDid(), '2001');
});

test('admin API: a bad night mode is a 400 naming the field; no token is a 401', async () => {
  const bad = await api('/api/v1/night', { method: 'PUT', body: { mode: 'dark' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'API_BAD_FIELD');
  assert.equal(bad.body.error.field, 'mode');
  const extra = await api('/api/v1/night', { method: 'PUT', body: { mode: 'open', colour: 'blue' } });
  assert.equal(extra.status, 400, 'unknown fields are refused too');
  assert.equal((await api('/api/v1/night', { token: null })).status, 401);
  assert.equal((await api('/api/v1/night', { method: 'PUT', body: { mode: 'open' }, token: null })).status, 401);
  assert.equal((await api('/api/v1/reload', { method: 'POST', token: null })).status, 401);
  assert.equal((await api('/api/v1/reload', { token: 'wrong-token-0123456789' })).status, 401);
  assert.deepEqual((await api('/api/v1/night')).body, { mode: 'auto' }, 'refused requests changed nothing');
});

test('a premium number (0900…) is rejected with 403 and the restriction as reason', async () => {
  const c = await phone('2001').call('09001234567');
  assert.equal(await c.final, 403);
  assert.match(reasonOf(c) ?? '', /Restricted destination: no-premium/);
  assert.equal(incoming(carrier).length, 0, 'nothing reached the carrier');
});

test('a blacklisted caller is rejected (603) and logged as intercepted', async () => {
  const c = await carrier.call('+31201234567', { headers: [{ name: 'p-asserted-identity', value: '<sip:+31644444444@127.0.0.2>' }] });
  assert.equal(await c.final, 603);
  const id = callIdOf(c);
  await waitFor(() => sw.logs.some((l) => l.includes(id) && l.includes('"call intercepted"')), 3000, 'intercepted log line');
  const line = JSON.parse(sw.logs.find((l) => l.includes(id) && l.includes('"call intercepted"')) ?? '{}') as { level?: number; from?: string };
  assert.equal(line.level, 40, 'logged at warn');
  assert.equal(line.from, '+31644444444');
});

test('IVR-only destinations (menu, voicemail, announcement) answer 480 naming what is missing', async () => {
  for (const [did, what] of [
    ['+31201234590', /IVR menu main needs the IVR engine/],
    ['+31201234591', /voicemail 100 needs the IVR engine/],
    ['+31201234592', /announcements need the IVR engine/],
  ] as const) {
    const c = await carrier.call(did);
    assert.equal(await c.final, 480, did);
    assert.match(reasonOf(c) ?? '', what);
  }
});

function editPlan(from: string, to: string): void {
  const text = readFileSync(planFile, 'utf8');
  assert.ok(text.includes(from), `plan has ${from}`);
  writeFileSync(planFile, text.replace(from, to));
}

test('reload during an answered call: the call keeps its audio and BYE; new calls use the new plan', async () => {
  const call = await carrier.call('+31201234567');
  assert.equal(await call.final, 200);
  const answered = incoming(phone('2001')).at(-1);
  assert.ok(answered);
  await waitFor(() => answered.leg.state === 'confirmed', 3000, '2001 confirmed');

  editPlan('open: user:2001, closed: user:2002', 'open: user:2003, closed: user:2002');
  const r = await api('/api/v1/reload', { method: 'POST' });
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true);
  assert.ok(r.body.planVersion >= 2);
  const last = await api('/api/v1/reload');
  assert.equal(last.status, 200);
  assert.equal(last.body.ok, true);

  // Audio still flows both ways through the anchor.
  const before = [call.rtp.received.length, answered.rtp.received.length];
  for (let i = 0; i < 10; i++) {
    call.rtp.send(Buffer.alloc(160, 0x55), 0);
    answered.rtp.send(Buffer.alloc(160, 0x66), 0);
    await new Promise((res) => setTimeout(res, 20));
  }
  await waitFor(() => call.rtp.received.length >= (before[0] ?? 0) + 5 && answered.rtp.received.length >= (before[1] ?? 0) + 5, 3000, 'RTP after reload');

  assert.equal(await whoGetsTheDid(), '2003', 'a new call follows the new plan');
  call.hangup();
  await answered.byeReceived;
  editPlan('open: user:2003, closed: user:2002', 'open: user:2001, closed: user:2002');
  assert.equal((await api('/api/v1/reload', { method: 'POST' })).status, 200);
});

test('a ringing call keeps the plan it started with for its fallbacks', async () => {
  phone('2004').onIncoming({ never: true });
  const n5 = incoming(phone('2005')).length;
  const n3 = incoming(phone('2003')).length;
  const call = await phone('2001').call('2004');
  await waitFor(() => incoming(phone('2004')).length > 0, 3000, '2004 rings');
  // While 2004 rings, the new plan sends its no-answer calls to 2003 instead.
  editPlan('forward: { no_answer: user:2005', 'forward: { no_answer: user:2003');
  assert.equal((await api('/api/v1/reload', { method: 'POST' })).status, 200);
  assert.equal(await call.final, 200);
  assert.equal(incoming(phone('2005')).length, n5 + 1, 'the old plan’s no-answer target (2005) got the call');
  assert.equal(incoming(phone('2003')).length, n3, '2003 did not ring');
  call.hangup();
  await ended(callIdOf(call));
  editPlan('forward: { no_answer: user:2003', 'forward: { no_answer: user:2005');
  assert.equal((await api('/api/v1/reload', { method: 'POST' })).status, 200);
});

test('reload by SIGHUP and by file change (debounced)', async () => {
  const reloads = () => sw.logs.filter((l) => l.includes('"dialplan reloaded"')).length;
  // Earlier tests edited the file: let their debounced watcher reloads land first (bounded).
  for (let i = 0; i < 10; i++) {
    const k = reloads();
    await new Promise((res) => setTimeout(res, 700));
    if (reloads() === k) break;
  }
  const n = reloads();
  process.kill(sw.pid, 'SIGHUP');
  await waitFor(() => reloads() > n, 5000, 'reload after SIGHUP');
  const m = reloads();
  editPlan('open: user:2001, closed: user:2002', 'open: user:2004, closed: user:2002');
  await waitFor(() => reloads() > m, 5000, 'reload after the file changed');
  phone('2004').onIncoming({ ringMs: 20 });
  assert.equal(await whoGetsTheDid(), '2004');
  editPlan('open: user:2004, closed: user:2002', 'open: user:2001, closed: user:2002');
  assert.equal((await api('/api/v1/reload', { method: 'POST' })).status, 200);
});

test('a broken YAML reload keeps the running plan: 422 with file:line:col, GET /api/v1/reload shows it', async () => {
  const good = readFileSync(planFile, 'utf8');
  try {
    writeFileSync(planFile, good.replace('  "+31201234590": menu:main', '  "+31201234590": [menu:main'));
    const r = await api('/api/v1/reload', { method: 'POST' });
    assert.equal(r.status, 422);
    assert.equal(r.body.ok, false);
    assert.ok(r.body.diagnostics.length > 0);
    assert.match(r.body.diagnostics[0], new RegExp(`${planFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error DIALPLAN_`));
    const last = await api('/api/v1/reload');
    assert.equal(last.body.ok, false);
    assert.deepEqual(last.body.diagnostics, r.body.diagnostics);
    assert.equal(await whoGetsTheDid(), '2001', 'the old plan still routes');
  } finally {
    writeFileSync(planFile, good);
  }
  const fixed = await api('/api/v1/reload', { method: 'POST' });
  assert.equal(fixed.status, 200);
});
