/**
 * How a call ends, over real SIP on 127.0.0.1 against a real belfry: the
 * caller CANCELs, the callee is busy, nobody answers (ring timeout), the
 * callee is not registered, several contacts ring in parallel, the callee
 * hangs up, Max-Forwards, and the CDR rows field by field.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor, type TestCall } from '../../helpers/test-ua.ts';
import { closedCdr } from '../../helpers/admin-api.ts';
import type { UacLeg, UasLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
let alice: TestUa; // 2001, the caller
let bob: TestUa; // 2002
let carol1: TestUa; // 2003, first phone
let carol2: TestUa; // 2003, second phone

const RING_TIME_S = 2;

before(async () => {
  sw = await startBelfry({ configDir: makeSwitchConfig({ ringTime: RING_TIME_S }) });
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
  carol1 = await TestUa.start({ user: '2003', password: PASSWORD('2003'), switchPort: sw.sipPort });
  carol2 = await TestUa.start({ user: '2003', password: PASSWORD('2003'), switchPort: sw.sipPort });
  for (const ua of [alice, bob, carol1, carol2]) assert.equal((await ua.register()).status, 200);
});

after(async () => {
  for (const ua of [alice, bob, carol1, carol2]) await ua?.close();
  const code = await sw?.stop();
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
});

const callIdOf = (c: TestCall): string => (c.leg as UacLeg).ownCallId;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function talk(a: TestCall, b: TestCall, n = 10): Promise<void> {
  for (let i = 0; i < n; i++) {
    a.rtp.send(Buffer.alloc(160, 0x11), 0);
    b.rtp.send(Buffer.alloc(160, 0x22), 0);
    await sleep(20);
  }
  await waitFor(() => a.rtp.received.length >= n - 2 && b.rtp.received.length >= n - 2, 6000, 'RTP both ways');
}

test('answered call, callee hangs up: BYE reaches the caller and the CDR says callee, field by field', async () => {
  bob.onIncoming({ ringMs: 50 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  await waitFor(() => incoming.leg.state === 'confirmed', 2000, 'bob confirmed');
  await talk(call, incoming);
  await sleep(1100); // billsec ≥ 1
  incoming.hangup();
  await call.byeReceived;
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.src, '2001');
  assert.equal(cdr.dst, '2002');
  assert.equal(cdr.dstFinal, '2002');
  assert.equal(cdr.direction, 'internal');
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.sipCode, 200);
  assert.equal(cdr.q850Cause, 16);
  assert.equal(cdr.hangupSide, 'callee');
  assert.ok((cdr.billsec ?? -1) >= 1, `billsec ${cdr.billsec}`);
  assert.ok(cdr.answerMs !== null);
  assert.equal(cdr.extra?.hangupReason, 'callee hung up');
  assert.equal(cdr.legs.length, 2);
  const [a, b] = [cdr.legs.find((l) => l.role === 'caller'), cdr.legs.find((l) => l.role === 'callee')];
  assert.ok(a && b);
  assert.equal(a.codec, 'PCMU');
  assert.equal(b.codec, 'PCMU');
  assert.equal(b.sipCode, 200);
  assert.equal(b.disposition, 'ANSWERED');
  assert.equal(b.hangupSide, 'callee');
  assert.equal(b.endpoint, 'user/2002');
  assert.ok((a.rtpPacketsIn ?? 0) >= 8 && (a.rtpPacketsOut ?? 0) >= 8, `caller leg RTP ${a.rtpPacketsIn}/${a.rtpPacketsOut}`);
  assert.ok((b.rtpPacketsIn ?? 0) >= 8 && (b.rtpPacketsOut ?? 0) >= 8, `callee leg RTP ${b.rtpPacketsIn}/${b.rtpPacketsOut}`);
});

test('caller CANCELs while ringing: callee gets CANCEL, caller gets 487, CDR CANCELLED by the caller', async () => {
  bob.onIncoming({ never: true });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  await waitFor(() => call.provisional.includes(180), 6000, '180 at the caller');
  call.cancel();
  assert.equal(await call.final, 487);
  await waitFor(() => incoming.events.some((e) => e.kind === 'cancelled'), 6000, 'CANCEL at the callee');
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.src, '2001');
  assert.equal(cdr.dst, '2002');
  assert.equal(cdr.direction, 'internal');
  assert.equal(cdr.disposition, 'CANCELLED');
  assert.equal(cdr.sipCode, 487);
  assert.equal(cdr.q850Cause, 16);
  assert.equal(cdr.hangupSide, 'caller');
  assert.equal(cdr.billsec, 0);
  assert.equal(cdr.answerMs, null);
  const b = cdr.legs.find((l) => l.role === 'callee');
  assert.equal(b?.sipCode, 487);
  assert.equal(b?.disposition, 'CANCELLED');
  assert.equal(b?.endpoint, 'user/2002');
  assert.equal(b?.codec, null, 'no media was negotiated');
  const a = cdr.legs.find((l) => l.role === 'caller');
  assert.equal(a?.sipCode, 487);
  assert.equal(a?.rtpPacketsIn, 0);
  assert.equal(a?.rtpPacketsOut, 0);
});

test('callee busy (486): caller gets 486, CDR BUSY with Q.850 17', async () => {
  bob.onIncoming({ status: 486 });
  const call = await alice.call('2002');
  await bob.nextIncoming();
  assert.equal(await call.final, 486);
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.src, '2001');
  assert.equal(cdr.dst, '2002');
  assert.equal(cdr.direction, 'internal');
  assert.equal(cdr.disposition, 'BUSY');
  assert.equal(cdr.sipCode, 486);
  assert.equal(cdr.q850Cause, 17);
  assert.equal(cdr.hangupSide, 'system');
  assert.equal(cdr.billsec, 0);
  const b = cdr.legs.find((l) => l.role === 'callee');
  assert.equal(b?.sipCode, 486);
  assert.equal(b?.disposition, 'BUSY');
  assert.equal(b?.codec, null);
  assert.equal(b?.endpoint, 'user/2002');
  const a = cdr.legs.find((l) => l.role === 'caller');
  assert.equal(a?.sipCode, 486);
  assert.equal(a?.codec, null);
  assert.equal(a?.rtpPacketsIn, 0);
  assert.equal(a?.rtpPacketsOut, 0);
});

test('no answer: after the ring time the fork is CANCELled, caller gets 480, CDR NO ANSWER', async () => {
  bob.onIncoming({ never: true });
  const t0 = Date.now();
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 480);
  assert.ok(Date.now() - t0 >= RING_TIME_S * 1000 - 200, 'not before the ring time');
  await waitFor(() => incoming.events.some((e) => e.kind === 'cancelled'), 6000, 'CANCEL at the callee');
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.disposition, 'NO ANSWER');
  assert.equal(cdr.sipCode, 480);
  assert.equal(cdr.q850Cause, 19);
  assert.equal(cdr.hangupSide, 'system');
});

test('unregistered callee: 480 at once, CDR FAILED with Q.850 18', async () => {
  const t0 = Date.now();
  const call = await alice.call('2004');
  assert.equal(await call.final, 480);
  assert.ok(Date.now() - t0 < RING_TIME_S * 1000, 'without waiting for the ring time');
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.dst, '2004');
  assert.equal(cdr.disposition, 'FAILED');
  assert.equal(cdr.sipCode, 480);
  assert.equal(cdr.q850Cause, 18);
});

test('two contacts for one user ring in parallel; the first 2xx wins, the other gets CANCEL with Reason "Call completed elsewhere"', async () => {
  carol1.onIncoming({ ringMs: 200 });
  carol2.onIncoming({ never: true });
  const call = await alice.call('2003');
  const [in1, in2] = await Promise.all([carol1.nextIncoming(), carol2.nextIncoming()]);
  assert.equal(await call.final, 200);
  await waitFor(() => in2.events.some((e) => e.kind === 'cancelled'), 6000, 'CANCEL at the losing phone');
  const cancelled = in2.events.find((e) => e.kind === 'cancelled');
  assert.ok(cancelled?.kind === 'cancelled');
  assert.equal(cancelled.reason, 'SIP;cause=200;text="Call completed elsewhere"');
  await waitFor(() => in1.leg.state === 'confirmed', 2000, 'winner confirmed');
  await talk(call, in1, 6);
  call.hangup();
  await in1.byeReceived;
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.hangupSide, 'caller');
  assert.equal(cdr.legs.filter((l) => l.role === 'callee').length, 2);
  assert.deepEqual(cdr.legs.filter((l) => l.role === 'callee').map((l) => l.sipCode).sort(), [200, 487]);
});

test('Max-Forwards: 1 gets 483; otherwise the B leg carries the caller value minus one', async () => {
  const looped = await alice.call('2002', { headers: [{ name: 'max-forwards', value: '1' }] });
  assert.equal(await looped.final, 483);
  bob.onIncoming({ ringMs: 20 });
  const call = await alice.call('2002', { headers: [{ name: 'max-forwards', value: '17' }] });
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  const mf = (incoming.leg as UasLeg).invite.headers.find((h) => h.name === 'max-forwards')?.value;
  assert.equal(mf, '16');
  call.hangup();
  await incoming.byeReceived;
});
