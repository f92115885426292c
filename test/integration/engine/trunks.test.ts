/**
 * Trunks end to end against a real belfry process, with test carriers on
 * other loopback addresses (127.0.0.2 registrar + main carrier, 127.0.0.3
 * backup, 127.0.0.4 a dead one): outbound registration with digest, refresh
 * and Expires: 0 at shutdown; credentials from the environment and the ones
 * that never register; inbound DIDs to a phone with audio both ways;
 * outbound calls with the caller id policy, number format, INVITE digest,
 * topology hiding, failover on 503, skipping an unreachable trunk; and the
 * security rules (no unauthenticated dial-out, premium blocked).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headerValue, type SipRequest } from '../../../src/sip/index.ts';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { PASSWORD } from '../../helpers/switch-config.ts';
import { TestTrunk } from '../../helpers/test-trunk.ts';
import { TestUa, waitFor, assertAudioBothWays } from '../../helpers/test-ua.ts';

const CARRIER_USER = 'acct-7731';
const CARRIER_PASSWORD = 'carrier-secret-42';

let sw: BelfryProcess;
let carrier: TestTrunk;
let backup: TestTrunk;
/** A carrier that is gone: a UDP port that swallows everything (the SIP stack would answer OPTIONS itself). */
let dead: { sock: Socket; port: number; datagrams: string[]; methods(m: string): string[] };
let alice: TestUa;

let configDir = '';

/** The second trunk that registers: `wrongpw` (rejected) at first, `late` (accepted) after the reload test. */
const WRONGPW = `  wrongpw:
    host: 127.0.0.3
    port: PORT
    register: true
    username: someone
    password: not-the-password
    ping: 0`;
const LATE = `  late:
    host: 127.0.0.3
    port: PORT
    register: true
    username: backup-only
    password: backup-secret
    ping: 0`;

function writeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-trunks-'));
  configDir = dir;
  mkdirSync(join(dir, 'dialplan'));
  writeFileSync(
    join(dir, 'belfry.yaml'),
    `sip:
  host: 127.0.0.1
  timers: { t1_ms: 100 }
rtp:
  address: 127.0.0.1
  port_min: ${30000 + Math.floor(Math.random() * 300) * 100}
  port_max: 59998
  silence_timeout_s: 0
trunks:
  register_expires_s: 60
  retry_min_ms: 300
  retry_max_ms: 1200
log:
  level: debug
shutdown:
  grace_ms: 500
`,
  );
  writePlan(WRONGPW);
  return dir;
}

function writePlan(secondRegistering: string): void {
  const users = ['2001', '2002']
    .map((e) => `  "${e}":\n    name: User ${e}\n    password: ${PASSWORD(e)}\n    department: ops\n    max_contacts: 3`)
    .join('\n');
  writeFileSync(
    join(configDir, 'dialplan', 'plan.yaml'),
    `settings:
  time_zone: Europe/Amsterdam
  default_country: NL
  user_ring_time: 10
  unassigned: reject:404
departments:
  ops: { name: Operations, number: "+31201234500" }
users:
${users}
trunks:
  carrier:
    host: 127.0.0.2
    port: ${carrier.port}
    register: true
    username: "\${BELFRY_TEST_TRUNK_USER}"
    password: "\${BELFRY_TEST_TRUNK_PASSWORD}"
    ping: 1
    number_format: e164
  backup:
    host: 127.0.0.3
    port: ${backup.port}
    inbound: ["127.0.0.3"]
    ping: 1
    number_format: national
    caller_id: "+31201234599"
  dead:
    host: 127.0.0.4
    port: ${dead.port}
    ping: 1
${secondRegistering.replace('PORT', String(backup.port))}
  example:
    host: 127.0.0.4
    port: ${dead.port}
    register: true
    username: belfry
    password: CHANGE-ME
    ping: 0
  unset:
    host: 127.0.0.4
    port: ${dead.port}
    register: true
    username: belfry
    password: "\${BELFRY_TEST_SURELY_UNSET}"
    ping: 0
numbers:
  "+31201234567": { open: user:2001 }
outbound:
  - name: national
    prefixes: ["0"]
    trunks: [carrier, backup]
  - name: uk
    prefixes: ["+44"]
    trunks: [dead, backup]
restrictions:
  - name: no-premium
    classes: [premium]
`,
  );
}

before(async () => {
  carrier = await TestTrunk.start({ host: '127.0.0.2' });
  backup = await TestTrunk.start({ host: '127.0.0.3' });
  const sock = createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, '127.0.0.4', () => res()));
  const datagrams: string[] = [];
  sock.on('message', (m) => datagrams.push(m.toString('utf8')));
  dead = { sock, port: sock.address().port, datagrams, methods: (m) => datagrams.filter((d) => d.startsWith(`${m} `)) };
  carrier.behaviour = { registrar: { username: CARRIER_USER, password: CARRIER_PASSWORD, expires: 2 } };
  backup.behaviour = { registrar: { username: 'backup-only', password: 'backup-secret', expires: 60 } };
  sw = await startBelfry({ configDir: writeConfig(), env: { BELFRY_TEST_TRUNK_USER: CARRIER_USER, BELFRY_TEST_TRUNK_PASSWORD: CARRIER_PASSWORD } });
  carrier.switchPort = sw.sipPort;
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  assert.equal((await alice.register()).status, 200);
});

after(async () => {
  await alice?.close();
  const code = await sw?.stop();
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
  await carrier?.close();
  await backup?.close();
  dead?.sock.close();
});

interface TrunkRow {
  name: string;
  registration: string;
  reachable: boolean | undefined;
  lastError: string | undefined;
  lastErrorCode: string | undefined;
  nextAttempt: string | undefined;
  registeredUntil: string | undefined;
}

async function trunks(): Promise<Map<string, TrunkRow>> {
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}/api/v1/trunks`, { headers: { authorization: `Bearer ${sw.apiToken}` } });
  const body = (await r.json()) as { items: TrunkRow[] };
  return new Map(body.items.map((t) => [t.name, t]));
}

async function waitTrunk(name: string, pred: (t: TrunkRow) => boolean, timeoutMs: number, what: string): Promise<TrunkRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = (await trunks()).get(name);
    if (t && pred(t)) return t;
    if (Date.now() > deadline) throw new Error(`timed out waiting for trunk ${name} ${what}: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function userOf(v: string | undefined): string {
  return /sip:([^@;>]+)@/.exec(v ?? '')?.[1] ?? '';
}


test('registration: REGISTER answers the 401 with digest (env credentials), shows registered, refreshes at half the granted expiry', async () => {
  const row = await waitTrunk('carrier', (t) => t.registration === 'registered', 5000, 'registered');
  assert.ok(row.registeredUntil, 'binding expiry visible');
  assert.ok(row.nextAttempt, 'next refresh visible');
  const first = carrier.registered[0];
  assert.ok(first);
  assert.match(headerValue(first, 'authorization') ?? '', new RegExp(`username="${CARRIER_USER}"`));
  assert.match(headerValue(first, 'contact') ?? '', /sip:belfry@127\.0\.0\.1:\d+/);
  // Granted 2 s: a refresh within about a second, same Call-ID, higher CSeq (§10.2.4).
  await waitFor(() => carrier.registered.length >= 2, 5000, 'a refresh');
  const second = carrier.registered[1] as SipRequest;
  assert.equal(second.callId, first.callId);
  assert.ok(second.cseq.seq > first.cseq.seq);
});

test('credentials: CHANGE-ME and unset ${VAR} never register and say why; a rejected REGISTER is failed with a next attempt and backs off', async () => {
  const t = await trunks();
  assert.equal(t.get('example')?.registration, 'unregistered');
  assert.equal(t.get('example')?.lastErrorCode, 'TRUNK_CREDENTIALS_PLACEHOLDER');
  assert.equal(t.get('unset')?.lastErrorCode, 'TRUNK_CREDENTIALS_UNRESOLVED');
  assert.match(t.get('unset')?.lastError ?? '', /BELFRY_TEST_SURELY_UNSET/);
  assert.equal(dead.methods('REGISTER').length, 0, 'no REGISTER with unusable credentials');
  const failed = await waitTrunk('wrongpw', (r) => r.registration === 'failed', 5000, 'failed');
  assert.ok(failed.nextAttempt, 'next attempt visible');
  assert.ok(failed.lastErrorCode === 'TRUNK_REG_REJECTED' || failed.lastErrorCode === 'TRUNK_REG_AUTH_FAILED', String(failed.lastErrorCode));
  // Retries keep coming (300 ms doubling, capped at 1.2 s): attempts spread out.
  await waitFor(() => backup.methods('REGISTER').filter((r) => !headerValue(r, 'authorization')).length >= 3, 8000, 'retries');
  const times = backup.methods('REGISTER').length;
  assert.ok(times >= 3);
  assert.equal(backup.registered.length, 0);
});

test('inbound: the carrier calls a DID in national form and as E.164 digits in To (R-URI = our contact); 2001 rings, answers, audio both ways; no challenge', async () => {
  alice.onIncoming({ ringMs: 50 });
  const national = await carrier.call({ did: '0201234567', caller: '0612345678' });
  const ringing = await alice.nextIncoming();
  assert.equal(await national.final, 200, 'no 407 for the carrier');
  await assertAudioBothWays(national, ringing);
  national.leg.hangup();
  await ringing.byeReceived;

  const viaTo = await carrier.call({ did: '31201234567', caller: '+31612345678', ruriUser: 'belfry' });
  const ringing2 = await alice.nextIncoming();
  assert.equal(await viaTo.final, 200);
  const inv = (ringing2.leg as { invite: SipRequest }).invite;
  assert.ok(!/127\.0\.0\.2/.test(inv.headers.filter((h) => h.name === 'via' || h.name === 'contact').map((h) => h.value).join()), 'the phone never sees the carrier');
  assert.notEqual(inv.callId, (viaTo.leg as { invite: SipRequest }).invite.callId, 'own Call-ID per leg');
  viaTo.leg.hangup();
  await ringing2.byeReceived;
});

test('outbound: 0612345678 leaves via the carrier in E.164 digits, caller id = the user DID (policy own) in From and P-Asserted-Identity, INVITE digest answered, topology hidden, audio both ways', async () => {
  carrier.behaviour = { ...carrier.behaviour, inviteAuth: { username: CARRIER_USER, password: CARRIER_PASSWORD } };
  const before = carrier.methods('INVITE').length;
  const call = await alice.call('0612345678');
  const far = await carrier.nextIncoming();
  assert.equal(await call.final, 200);
  const invites = carrier.methods('INVITE').slice(before);
  assert.equal(invites.length, 2, 'challenged once, then with Proxy-Authorization');
  const inv = invites[1] as SipRequest;
  assert.match(headerValue(inv, 'proxy-authorization') ?? '', new RegExp(`username="${CARRIER_USER}"`));
  assert.equal(userOf(inv.uri), '31612345678');
  assert.equal(userOf(headerValue(inv, 'from')), '31201234567');
  assert.equal(userOf(headerValue(inv, 'p-asserted-identity')), '31201234567');
  // Topology hiding: the carrier sees belfry only (own Call-ID, Via, Contact, SDP).
  const aliceInvite = call.leg.invite as SipRequest;
  assert.notEqual(inv.callId, aliceInvite.callId);
  const phonePort = String(alice.port);
  assert.ok(!(headerValue(inv, 'via') ?? '').includes(`:${phonePort}`));
  assert.ok(!(headerValue(inv, 'contact') ?? '').includes(`:${phonePort}`));
  assert.ok(!inv.body.toString('utf8').includes(`m=audio ${call.rtp.port} `), 'SDP is the anchor, not the phone');
  await assertAudioBothWays(call, far);
  call.hangup();
  await far.byeReceived;
  carrier.behaviour = { registrar: carrier.behaviour.registrar };
});

test('failover: the carrier answers 503, the backup takes the call (national format, its own caller id default not used: the user has one)', async () => {
  carrier.behaviour = { ...carrier.behaviour, inviteStatus: 503 };
  const call = await alice.call('0612345678');
  const first = await carrier.nextIncoming();
  const second = await backup.nextIncoming();
  assert.equal(await call.final, 200);
  void first;
  const inv = backup.methods('INVITE').at(-1) as SipRequest;
  assert.equal(userOf(inv.uri), '0612345678');
  assert.equal(userOf(headerValue(inv, 'from')), '0201234567');
  call.hangup();
  await second.byeReceived;
  carrier.behaviour = { registrar: carrier.behaviour.registrar };
});

test('unreachable: a trunk that ignores OPTIONS is marked unreachable and skipped (the uk rule goes straight to the backup)', async () => {
  const row = await waitTrunk('dead', (t) => t.reachable === false, 15_000, 'unreachable');
  assert.equal(row.lastErrorCode, 'TRUNK_UNREACHABLE');
  assert.equal((await trunks()).get('carrier')?.reachable, true);
  const call = await alice.call('00442071234567');
  const far = await backup.nextIncoming();
  assert.equal(await call.final, 200);
  assert.equal(dead.methods('INVITE').length, 0);
  assert.equal(userOf(backup.methods('INVITE').at(-1)?.uri), '00442071234567');
  call.hangup();
  await far.byeReceived;
});

test('security: an unauthenticated source dialling out gets 407 and never reaches a trunk; premium numbers are refused with the dialplan status', async () => {
  const stranger = await TestTrunk.start({ host: '127.0.0.5' });
  stranger.switchPort = sw.sipPort;
  const before = carrier.methods('INVITE').length + backup.methods('INVITE').length;
  const attempt = await stranger.call({ did: '0612345678', caller: '2001' });
  assert.equal(await attempt.final, 407);
  await stranger.close();
  const premium = await alice.call('09001234567');
  assert.equal(await premium.final, 403);
  assert.equal(carrier.methods('INVITE').length + backup.methods('INVITE').length, before, 'nothing reached a trunk');
});

test('reload: a removed trunk stops, an unchanged one keeps its binding, a new one registers', async () => {
  const carrierRegs = carrier.registered.length;
  const callId = carrier.registered[0]?.callId;
  writePlan(LATE);
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}/api/v1/reload`, { method: 'POST', headers: { authorization: `Bearer ${sw.apiToken}` } });
  assert.equal(r.status, 200);
  await waitTrunk('late', (t) => t.registration === 'registered', 8000, 'registered after reload');
  const t = await trunks();
  assert.equal(t.has('wrongpw'), false);
  assert.equal(t.get('carrier')?.registration, 'registered');
  const refreshes = carrier.registered.slice(carrierRegs);
  assert.ok(refreshes.every((q) => q.callId === callId && headerValue(q, 'expires') !== '0'), 'the carrier binding was refreshed, not restarted');
});

test('shutdown sends Expires: 0 to the carrier we registered with', async () => {
  const count = carrier.registered.length;
  const code = await sw.stop();
  assert.equal(code, 0);
  const last = carrier.registered.slice(count).at(-1);
  assert.ok(last, 'an unREGISTER arrived');
  assert.equal(headerValue(last, 'expires'), '0');
});
