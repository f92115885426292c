/**
 * Ring groups, busy members and pickup on real calls: a real belfry, phones
 * on our own SIP stack over 127.0.0.1. The order in which a group rings its
 * members is read from belfry's own "ringing" log lines (one stage per member
 * for the sequential strategies), so no test depends on timing.
 *
 *   2100 ringall  2002+2003            2105 random      2002..2004
 *   2101 hunt     2002..2004           2106 hunt, busy: skip
 *   2102 rrmemory 2002..2004           2107 ringall, total 2 s, overflow user:2004
 *   2103 leastrecent                   pickup group team = 2002+2003
 *   2104 fewestcalls                   2108 hunt, busy: ring (call waiting)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor, type TestCall, assertAudioBothWays } from '../../helpers/test-ua.ts';
import type { UacLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
const ua: Record<string, TestUa> = {};
const MEMBERS = ['2002', '2003', '2004'];

const group = (id: string, ext: string, strategy: string, extra = '') =>
  `  ${id}:
    extension: "${ext}"
    strategy: ${strategy}
    members: ["2002", "2003", "2004"]
    ring_time: 5
    total_ring_time: 30
    overflow: reject:480${extra}`;

before(async () => {
  const ringGroups = [
    `  all:
    extension: "2100"
    strategy: ringall
    members: ["2002", "2003"]
    total_ring_time: 10
    overflow: reject:480`,
    group('hunt', '2101', 'hunt'),
    group('rr', '2102', 'rrmemory'),
    group('least', '2103', 'leastrecent'),
    group('fewest', '2104', 'fewestcalls'),
    group('rand', '2105', 'random'),
    group('skipper', '2106', 'hunt', '\n    busy: skip'),
    group('waiting', '2108', 'hunt', '\n    busy: ring'),
    `  short:
    extension: "2107"
    strategy: ringall
    members: ["2002", "2003"]
    total_ring_time: 2
    overflow: user:2004`,
  ].join('\n');
  const extraDialplan = `pickup_groups:
  team:
    members: ["2002", "2003"]
`;
  sw = await startBelfry({ configDir: makeSwitchConfig({ ringGroups, extraDialplan }) });
  for (const ext of ['2001', '2002', '2003', '2004', '2005']) {
    ua[ext] = await TestUa.start({ user: ext, password: PASSWORD(ext), switchPort: sw.sipPort });
    assert.equal((await ua[ext].register()).status, 200);
  }
});

after(async () => {
  for (const u of Object.values(ua)) await u.close();
  const code = await sw?.stop();
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
});

const phone = (ext: string): TestUa => {
  const u = ua[ext];
  if (u === undefined) throw new Error(`no phone ${ext}`);
  return u;
};
const callIdOf = (c: TestCall): string => (c.leg as UacLeg).ownCallId;

interface LogLine {
  readonly msg?: string;
  readonly callId?: string;
  readonly stage?: string;
  readonly route?: string;
}

function logsOf(callId: string): LogLine[] {
  const out: LogLine[] = [];
  for (const l of sw.logs) {
    if (!l.includes(callId)) continue;
    try {
      out.push(JSON.parse(l) as LogLine);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

/** The members a call rang, in order, from belfry's "ringing" log lines (stage labels "user 2002"). */
const stagesOf = (callId: string): string[] => logsOf(callId).filter((l) => l.msg === 'ringing' && l.stage !== undefined).map((l) => l.stage ?? '');
const ringOrder = (callId: string): string[] => stagesOf(callId).map((s) => s.replace(/^user /, ''));
const routeTrace = (callId: string): string[] => logsOf(callId).filter((l) => l.msg === 'route').map((l) => l.route ?? '');

/**
 * 2001 calls `ext`; `answerer` answers (or nobody), the other members refuse
 * with 486 so a sequential group moves on at once. Returns the order rung.
 */
async function ringOnce(ext: string, answerer: string | null): Promise<{ order: string[]; status: number; id: string }> {
  for (const m of MEMBERS) phone(m).onIncoming(m === answerer ? { ringMs: 20 } : { status: 486 });
  const call = await phone('2001').call(ext);
  const status = await call.final;
  const id = callIdOf(call);
  if (status === 200) {
    call.hangup();
    // The call (and its GroupStats update) is finished when belfry logs "call ended".
    await waitFor(() => logsOf(id).some((l) => l.msg === 'call ended'), 5000, 'call ended');
  } else {
    await waitFor(() => logsOf(id).some((l) => l.msg === 'call ended'), 5000, 'call ended');
  }
  return { order: ringOrder(id), status, id };
}

test('ringall: both members ring at once, the first answer wins and the other is CANCELled', async () => {
  phone('2002').onIncoming({ never: true });
  phone('2003').onIncoming({ ringMs: 150 });
  const before2 = phone('2002').calls.length;
  const call = await phone('2001').call('2100');
  assert.equal(await call.final, 200);
  const ringing2002 = phone('2002').calls[before2];
  assert.ok(ringing2002, '2002 rang too');
  await waitFor(() => ringing2002.events.some((e) => e.kind === 'cancelled'), 3000, "2002's fork CANCELled");
  assert.deepEqual(stagesOf(callIdOf(call)), ['ring_group:all (ringall)']);
  call.hangup();
  await waitFor(() => logsOf(callIdOf(call)).some((l) => l.msg === 'call ended'), 5000, 'call ended');
});

test('hunt: members one after another in the order written, every call', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await ringOnce('2101', null);
    assert.deepEqual(r.order, MEMBERS);
    assert.equal(r.status, 480, 'overflow reject:480 after the last member');
  }
  const r = await ringOnce('2101', '2003');
  assert.deepEqual(r.order, ['2002', '2003'], 'stops at the member who answers');
  assert.equal(r.status, 200);
});

test('rrmemory: each call starts after the member who answered last', async () => {
  assert.deepEqual((await ringOnce('2102', '2003')).order, ['2002', '2003']);
  assert.deepEqual((await ringOnce('2102', '2002')).order, ['2004', '2002']);
  assert.deepEqual((await ringOnce('2102', null)).order, ['2003', '2004', '2002']);
  assert.deepEqual((await ringOnce('2102', '2004')).order, ['2003', '2004']);
  assert.deepEqual((await ringOnce('2102', null)).order, ['2002', '2003', '2004']);
});

test('leastrecent: the member whose last call from the group ended longest ago rings first', async () => {
  assert.deepEqual((await ringOnce('2103', '2002')).order, ['2002']);
  assert.deepEqual((await ringOnce('2103', '2003')).order, ['2003']);
  assert.deepEqual((await ringOnce('2103', null)).order, ['2004', '2002', '2003']);
  assert.deepEqual((await ringOnce('2103', '2004')).order, ['2004']);
  assert.deepEqual((await ringOnce('2103', null)).order, ['2002', '2003', '2004']);
});

test('fewestcalls: the member with the fewest completed calls from the group rings first', async () => {
  assert.deepEqual((await ringOnce('2104', '2002')).order, ['2002']);
  assert.deepEqual((await ringOnce('2104', '2004')).order, ['2003', '2004']);
  // Counts now 2002=1, 2003=0, 2004=1: 2003 first, ties in the order written.
  assert.deepEqual((await ringOnce('2104', null)).order, ['2003', '2002', '2004']);
  assert.deepEqual((await ringOnce('2104', '2003')).order, ['2003']);
  assert.deepEqual((await ringOnce('2104', null)).order, ['2002', '2003', '2004']);
});

test('random: every call rings each member once, in a seeded order that varies between calls', async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const r = await ringOnce('2105', null);
    assert.deepEqual([...r.order].sort(), MEMBERS, `call ${i} rang every member once: ${r.order.join(',')}`);
    seen.add(r.order.join(','));
  }
  // 8 calls over 6 permutations: one order every time has probability 6^-7.
  assert.ok(seen.size > 1, `orders seen: ${[...seen].join(' | ')}`);
});

test("busy member skipped: belfry counts 2002's answered call and the group hunts past it", async () => {
  phone('2002').onIncoming({ ringMs: 20 });
  const busyCall = await phone('2005').call('2002');
  assert.equal(await busyCall.final, 200);
  try {
    for (const m of ['2003', '2004']) phone(m).onIncoming({ status: 486 });
    const call = await phone('2001').call('2106');
    assert.equal(await call.final, 480);
    const id = callIdOf(call);
    await waitFor(() => logsOf(id).some((l) => l.msg === 'call ended'), 5000, 'call ended');
    assert.deepEqual(ringOrder(id), ['2003', '2004']);
    assert.ok(routeTrace(id).some((t) => t.includes('2002 skipped: busy')), routeTrace(id).join('\n'));
  } finally {
    busyCall.hangup();
    await waitFor(() => logsOf(callIdOf(busyCall)).some((l) => l.msg === 'call ended'), 5000, 'busy call ended');
  }
  // Free again: 2002 rings first.
  assert.deepEqual((await ringOnce('2106', null)).order, MEMBERS);
});

test('busy: ring (call waiting): a busy member is rung anyway, and the trace says so', async () => {
  phone('2002').onIncoming({ ringMs: 20 });
  const busyCall = await phone('2005').call('2002');
  assert.equal(await busyCall.final, 200);
  try {
    const r = await ringOnce('2108', null);
    assert.deepEqual(r.order, MEMBERS);
    assert.ok(routeTrace(r.id).some((t) => t.includes('2002 is busy: ringing anyway')), routeTrace(r.id).join('\n'));
  } finally {
    busyCall.hangup();
    await waitFor(() => logsOf(callIdOf(busyCall)).some((l) => l.msg === 'call ended'), 5000, 'busy call ended');
  }
});

test('overflow: nobody answers within the total ring time, the overflow destination (2004) gets the call', async () => {
  phone('2002').onIncoming({ never: true });
  phone('2003').onIncoming({ never: true });
  phone('2004').onIncoming({ ringMs: 20 });
  const before4 = phone('2004').calls.length;
  const t0 = Date.now();
  const call = await phone('2001').call('2107');
  assert.equal(await call.final, 200);
  assert.ok(Date.now() - t0 >= 1900, 'the group rang for its total ring time first');
  assert.ok(phone('2004').calls.length > before4, '2004 got the call');
  const id = callIdOf(call);
  assert.deepEqual(stagesOf(id), ['ring_group:short (ringall)', 'user:2004 (user)']);
  assert.ok(logsOf(id).some((l) => l.msg === 'following the failure route'));
  call.hangup();
  await waitFor(() => logsOf(id).some((l) => l.msg === 'call ended'), 5000, 'call ended');
});


test('*98 group pickup: 2003 takes the call ringing 2002 (same pickup group); 2002 is CANCELled; audio flows', async () => {
  phone('2002').onIncoming({ never: true });
  const before2 = phone('2002').calls.length;
  const call = await phone('2001').call('2002');
  await waitFor(() => phone('2002').calls.length > before2, 3000, '2002 ringing');
  const ringing = phone('2002').calls[before2];
  assert.ok(ringing);
  const picker = await phone('2003').call('*98');
  assert.equal(await picker.final, 200);
  assert.equal(await call.final, 200);
  await waitFor(() => ringing.events.some((e) => e.kind === 'cancelled'), 3000, '2002 CANCELled');
  await assertAudioBothWays(call, picker);
  picker.hangup();
  await call.byeReceived;
});

test('*98 with nothing ringing in the group answers 404', async () => {
  const picker = await phone('2003').call('*98');
  assert.equal(await picker.final, 404);
});

test('**2004 directed pickup: 2005 (in no pickup group) takes the call ringing 2004', async () => {
  phone('2004').onIncoming({ never: true });
  const before4 = phone('2004').calls.length;
  const call = await phone('2001').call('2004');
  await waitFor(() => phone('2004').calls.length > before4, 3000, '2004 ringing');
  const picker = await phone('2005').call('**2004');
  assert.equal(await picker.final, 200);
  assert.equal(await call.final, 200);
  await assertAudioBothWays(call, picker);
  call.hangup();
  await picker.byeReceived;
});

test('*98 from a user in no pickup group is refused with 404', async () => {
  const picker = await phone('2005').call('*98');
  assert.equal(await picker.final, 404);
});
