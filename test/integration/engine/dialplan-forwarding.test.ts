/**
 * Forwarding, DND and Anywhere on real calls against a real belfry. A test
 * UA on 127.0.0.2 plays the carrier (trunk `carrier`): it receives the trunk
 * legs (forwarded and Anywhere calls) and places inbound DID calls.
 *
 *   2002 always → user 2003          2006 never registers: unreachable → 2005
 *   2004 busy → 0612345678 (trunk)   2007 always → 0201234568 (trunk)
 *        no answer after 2 s → 2005  2009 Anywhere: 0612345678 after 1 s
 *   2008 never registers: unreachable → 0612345670 (trunk)
 *   2010 no answer after 1 s → 0612345679 (trunk), busy → user 2003
 *   +31201234567 → 2009, +31201234568 → 2007
 * Feature codes: *76 DND toggle, *72<n> forward on, *73 forward off; the
 * forwarding set by code survives a restart (toggles.json in the data folder).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor, type TestCall } from '../../helpers/test-ua.ts';
import { UasLeg, type UacLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
let carrier: TestUa;
let configDir: string;
const dataDir = mkdtempSync(join(tmpdir(), 'belfry-fwd-data-'));
let phones: Record<string, TestUa> = {};
const REGISTERED = ['2001', '2002', '2003', '2004', '2005', '2007', '2009', '2010'];

const user = (ext: string, extra = '') => `  "${ext}":\n    name: User ${ext}\n    password: ${PASSWORD(ext)}\n    department: ops${extra}`;
const USERS = [
  user('2001'),
  user('2002', '\n    forward: { always: user:2003 }'),
  user('2003'),
  user('2004', '\n    forward: { busy: external:0612345678, no_answer: user:2005, no_answer_after: 2 }'),
  user('2005'),
  user('2006', '\n    forward: { unreachable: user:2005 }'),
  user('2007', '\n    forward: { always: external:0201234568 }'),
  user('2008', '\n    forward: { unreachable: external:0612345670 }'),
  user('2010', '\n    forward: { no_answer: external:0612345679, no_answer_after: 1, busy: user:2003 }'),
  user('2009', '\n    anywhere: { numbers: ["0612345678"], delay: 1, keep_caller_id: true, diversion: true }'),
].join('\n');

async function startPhones(): Promise<void> {
  phones = {};
  for (const ext of REGISTERED) {
    const p = await TestUa.start({ user: ext, password: PASSWORD(ext), switchPort: sw.sipPort });
    assert.equal((await p.register()).status, 200);
    phones[ext] = p;
  }
}

async function closePhones(): Promise<void> {
  for (const p of Object.values(phones)) await p.close();
  phones = {};
}

before(async () => {
  carrier = await TestUa.start({ user: '+31611111111', password: 'unused', switchPort: 5060, host: '127.0.0.2' });
  configDir = makeSwitchConfig({
    trunkPort: carrier.port,
    users: USERS,
    numbers: `  "+31201234567": { open: user:2009 }\n  "+31201234568": { open: user:2007 }`,
    // Destinations in the plan are stored as E.164, so the rule matches "+" (docs/dialplan.md, outbound).
    outbound: `  - name: everything\n    prefixes: ["+"]\n    trunks: [carrier]`,
  });
  sw = await startBelfry({ configDir, dataDir });
  carrier = retarget(carrier);
  await startPhones();
});

/**
 * The carrier UA must exist before belfry (its port goes into the trunk config)
 * and send to belfry's SIP port, known only once belfry runs: point it there.
 */
function retarget(ua: TestUa): TestUa {
  Object.assign(ua.switchFlow, { remotePort: sw.sipPort });
  return ua;
}

after(async () => {
  await closePhones();
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
const inviteOf = (c: TestCall) => (c.leg as UasLeg).invite;
const header = (c: TestCall, name: string): string | undefined => inviteOf(c).headers.find((h) => h.name === name)?.value;

function ended(callId: string): Promise<void> {
  return waitFor(() => sw.logs.some((l) => l.includes(callId) && l.includes('"call ended"')), 5000, 'call ended');
}

/** Calls this UA received (its own outgoing calls are in `calls` too). */
const incoming = (ua: TestUa): TestCall[] => ua.calls.filter((c) => c.leg instanceof UasLeg);

async function nextCall(ua: TestUa, beforeCount: number): Promise<TestCall> {
  await waitFor(() => incoming(ua).length > beforeCount, 5000, `${ua.user} rings`);
  const c = incoming(ua)[beforeCount];
  assert.ok(c);
  return c;
}

test('forward always to a user: a call to 2002 rings 2003 instead', async () => {
  phone('2003').onIncoming({ ringMs: 20 });
  const n2 = incoming(phone('2002')).length;
  const call = await phone('2001').call('2002');
  assert.equal(await call.final, 200);
  assert.equal(incoming(phone('2002')).length, n2, '2002 never rang');
  call.hangup();
  await ended(callIdOf(call));
});

test('forward on busy to an external number: 2004 on a call, the next caller goes out through the trunk with Diversion', async () => {
  phone('2004').onIncoming({ ringMs: 20 });
  const busy = await phone('2005').call('2004');
  assert.equal(await busy.final, 200);
  try {
    carrier.onIncoming({ ringMs: 20 });
    const nc = incoming(carrier).length;
    const call = await phone('2001').call('2004');
    const leg = await nextCall(carrier, nc);
    assert.equal(await call.final, 200);
    assert.match(inviteOf(leg).uri, /^sip:31612345678@127\.0\.0\.2/);
    assert.match(header(leg, 'diversion') ?? '', /^<sip:\+31201234500@[^>]+>;reason=/, 'Diversion names the forwarding user (department number)');
    call.hangup();
    await ended(callIdOf(call));
  } finally {
    busy.hangup();
    await ended(callIdOf(busy));
  }
});

test('forward on no answer after N s: 2004 rings 2 s, then 2005 gets the call', async () => {
  phone('2004').onIncoming({ never: true });
  phone('2005').onIncoming({ ringMs: 20 });
  const n4 = incoming(phone('2004')).length;
  const t0 = Date.now();
  const call = await phone('2001').call('2004');
  const ringing = await nextCall(phone('2004'), n4);
  assert.equal(await call.final, 200);
  assert.ok(Date.now() - t0 >= 1900, `rang 2004 for its no_answer_after first (${Date.now() - t0} ms)`);
  await waitFor(() => ringing.events.some((e) => e.kind === 'cancelled'), 3000, '2004 CANCELled');
  call.hangup();
  await ended(callIdOf(call));
});

test('forward when unreachable: 2006 has no registration, 2005 gets the call at once', async () => {
  phone('2005').onIncoming({ ringMs: 20 });
  const call = await phone('2001').call('2006');
  assert.equal(await call.final, 200);
  call.hangup();
  await ended(callIdOf(call));
});

test('forward when unreachable to an external number: 2008 has no registration, the trunk gets 0612345670', async () => {
  carrier.onIncoming({ ringMs: 20 });
  const nc = incoming(carrier).length;
  const call = await phone('2001').call('2008');
  const leg = await nextCall(carrier, nc);
  assert.equal(await call.final, 200);
  assert.match(inviteOf(leg).uri, /^sip:31612345670@127\.0\.0\.2/);
  assert.match(header(leg, 'diversion') ?? '', /;reason=unavailable$/, 'RFC 5806 reason for an unreachable user');
  call.hangup();
  await ended(callIdOf(call));
});

test('forward on no answer to an external number: 2010 rings 1 s, then the trunk gets 0612345679', async () => {
  phone('2010').onIncoming({ never: true });
  carrier.onIncoming({ ringMs: 20 });
  const nc = incoming(carrier).length;
  const call = await phone('2001').call('2010');
  const leg = await nextCall(carrier, nc);
  assert.equal(await call.final, 200);
  assert.match(inviteOf(leg).uri, /^sip:31612345679@127\.0\.0\.2/);
  assert.match(header(leg, 'diversion') ?? '', /;reason=no-answer$/);
  call.hangup();
  await ended(callIdOf(call));
});

test('forward on busy to a user: 2010 on a call, the next caller reaches 2003', async () => {
  phone('2010').onIncoming({ ringMs: 20 });
  const busy = await phone('2005').call('2010');
  assert.equal(await busy.final, 200);
  try {
    phone('2003').onIncoming({ ringMs: 20 });
    const n3 = incoming(phone('2003')).length;
    const n10 = incoming(phone('2010')).length;
    const call = await phone('2001').call('2010');
    assert.equal(await call.final, 200);
    assert.equal(incoming(phone('2003')).length, n3 + 1, '2003 got the call');
    assert.equal(incoming(phone('2010')).length, n10, 'busy 2010 was not rung');
    call.hangup();
    await ended(callIdOf(call));
  } finally {
    busy.hangup();
    await ended(callIdOf(busy));
  }
});

test('forward always to an external number, inbound: the trunk leg keeps the original caller id and carries Diversion', async () => {
  carrier.onIncoming({ ringMs: 20 });
  const nc = incoming(carrier).length;
  const call = await carrier.call('+31201234568', { headers: [{ name: 'p-asserted-identity', value: '<sip:+31622222222@127.0.0.2>' }] });
  const leg = await nextCall(carrier, nc);
  assert.equal(await call.final, 200);
  assert.match(inviteOf(leg).uri, /^sip:31201234568@127\.0\.0\.2/);
  assert.match(decodeURIComponent(header(leg, 'from') ?? ''), /<sip:\+?31622222222@/, 'original caller id on the trunk leg');
  assert.match(header(leg, 'diversion') ?? '', /^<sip:\+31201234568@[^>]+>;reason=unconditional$/);
  call.hangup();
  await ended(callIdOf(call));
});

test('Anywhere: desk phone first, the mobile via the trunk after the delay; the desk answers and the mobile leg is CANCELled', async () => {
  phone('2009').onIncoming({ ringMs: 2500 });
  carrier.onIncoming({ never: true });
  const nc = incoming(carrier).length;
  const n9 = incoming(phone('2009')).length;
  const t0 = Date.now();
  const call = await carrier.call('+31201234567', { headers: [{ name: 'p-asserted-identity', value: '<sip:+31633333333@127.0.0.2>' }] });
  await nextCall(phone('2009'), n9);
  const mobile = await nextCall(carrier, nc);
  assert.ok(Date.now() - t0 >= 900, `the mobile leg waited for the Anywhere delay (${Date.now() - t0} ms)`);
  assert.match(inviteOf(mobile).uri, /^sip:31612345678@127\.0\.0\.2/);
  assert.match(decodeURIComponent(header(mobile, 'from') ?? ''), /<sip:\+?31633333333@/, 'Anywhere keeps the caller id');
  assert.match(header(mobile, 'diversion') ?? '', /^<sip:\+31201234567@[^>]+>;reason=follow-me$/, 'Diversion names the desk user');
  assert.equal(await call.final, 200);
  await waitFor(() => mobile.events.some((e) => e.kind === 'cancelled'), 3000, 'mobile leg CANCELled');
  call.hangup();
  await ended(callIdOf(call));
});

test('Anywhere: the mobile answers first and the desk phone is CANCELled', async () => {
  phone('2009').onIncoming({ never: true });
  carrier.onIncoming({ ringMs: 50 });
  const n9 = incoming(phone('2009')).length;
  const nc = incoming(carrier).length;
  const call = await phone('2001').call('2009');
  const desk = await nextCall(phone('2009'), n9);
  await nextCall(carrier, nc);
  assert.equal(await call.final, 200);
  await waitFor(() => desk.events.some((e) => e.kind === 'cancelled'), 3000, 'desk CANCELled');
  call.hangup();
  await ended(callIdOf(call));
});

test('DND by feature code *76: on → callers get 486 (no busy forwarding); *76 again → the phone rings', async () => {
  const on = await phone('2003').call('*76');
  assert.equal(await on.final, 480);
  assert.equal((on.events.find((e) => e.kind === 'failed') as { response?: { reason: string } } | undefined)?.response?.reason, 'Do Not Disturb On');
  const refused = await phone('2001').call('2003');
  assert.equal(await refused.final, 486);
  const stored = JSON.parse(readFileSync(join(dataDir, 'toggles.json'), 'utf8')) as { users: Record<string, { dnd?: boolean }> };
  assert.equal(stored.users['2003']?.dnd, true, 'DND persisted');
  const off = await phone('2003').call('*76');
  assert.equal(await off.final, 480);
  phone('2003').onIncoming({ ringMs: 20 });
  const call = await phone('2001').call('2003');
  assert.equal(await call.final, 200);
  call.hangup();
  await ended(callIdOf(call));
});

test('forwarding on by feature code (*72 + ext) survives a restart; *73 turns it off', async () => {
  const on = await phone('2005').call('*722003');
  assert.equal(await on.final, 480);
  phone('2003').onIncoming({ ringMs: 20 });
  const n5 = incoming(phone('2005')).length;
  const first = await phone('2001').call('2005');
  assert.equal(await first.final, 200);
  assert.equal(incoming(phone('2005')).length, n5, '2005 did not ring: forwarded to 2003');
  first.hangup();
  await ended(callIdOf(first));

  // Restart with the same data folder: a new process, new ports, the same toggles.json.
  await closePhones();
  assert.equal(await sw.stop(), 0);
  sw = await startBelfry({ configDir, dataDir });
  carrier = retarget(carrier);
  await startPhones();
  phone('2003').onIncoming({ ringMs: 20 });
  const n5b = incoming(phone('2005')).length;
  const second = await phone('2001').call('2005');
  assert.equal(await second.final, 200);
  assert.equal(incoming(phone('2005')).length, n5b, 'still forwarded after the restart');
  second.hangup();
  await ended(callIdOf(second));

  const off = await phone('2005').call('*73');
  assert.equal(await off.final, 480);
  phone('2005').onIncoming({ ringMs: 20 });
  const third = await phone('2001').call('2005');
  assert.equal(await third.final, 200);
  assert.equal(incoming(phone('2005')).length, n5b + 1, '2005 rings again');
  third.hangup();
  await ended(callIdOf(third));
});

test('forwarding on by feature code to a mobile (*72 + number): calls to 2003 leave through the trunk', async () => {
  assert.equal(await (await phone('2003').call('*720612345671')).final, 480);
  try {
    carrier.onIncoming({ ringMs: 20 });
    const nc = incoming(carrier).length;
    const n3 = incoming(phone('2003')).length;
    const call = await phone('2001').call('2003');
    const leg = await nextCall(carrier, nc);
    assert.equal(await call.final, 200);
    assert.match(inviteOf(leg).uri, /^sip:31612345671@127\.0\.0\.2/);
    assert.match(header(leg, 'diversion') ?? '', /;reason=unconditional$/);
    assert.equal(incoming(phone('2003')).length, n3, '2003 did not ring');
    call.hangup();
    await ended(callIdOf(call));
  } finally {
    assert.equal(await (await phone('2003').call('*73')).final, 480);
  }
});
