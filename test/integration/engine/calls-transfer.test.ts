/**
 * Transfer through a real belfry: blind transfer by REFER (RFC 3515) with
 * the sipfrag NOTIFYs, attended transfer by REFER with Replaces (RFC 3891),
 * and an INVITE with Replaces taking over a dialog. In each case the party
 * that stays keeps its media path (no re-INVITE) and audio flows with the
 * new party.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor, type TestCall } from '../../helpers/test-ua.ts';
import { closedCdr } from '../../helpers/admin-api.ts';
import type { LegEvent, UacLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
let alice: TestUa; // 2001
let bob: TestUa; // 2002, the transferor
let carol: TestUa; // 2003, the target
let dave: TestUa; // 2004

before(async () => {
  sw = await startBelfry({ configDir: makeSwitchConfig({ ringTime: 5 }) });
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
  carol = await TestUa.start({ user: '2003', password: PASSWORD('2003'), switchPort: sw.sipPort });
  dave = await TestUa.start({ user: '2004', password: PASSWORD('2004'), switchPort: sw.sipPort });
  for (const ua of [alice, bob, carol, dave]) assert.equal((await ua.register()).status, 200);
});

after(async () => {
  for (const ua of [alice, bob, carol, dave]) await ua?.close();
  const code = await sw?.stop();
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(from: TestUa, to: TestUa, ext: string): Promise<{ call: TestCall; incoming: TestCall }> {
  to.onIncoming({ ringMs: 20 });
  const call = await from.call(ext);
  const incoming = await to.nextIncoming();
  assert.equal(await call.final, 200);
  await waitFor(() => incoming.leg.state === 'confirmed', 6000, `${ext} confirmed`);
  return { call, incoming };
}

async function audio(a: TestCall, b: TestCall, n = 8): Promise<void> {
  const pa = Buffer.alloc(160, 0x61);
  const pb = Buffer.alloc(160, 0x62);
  const [ra, rb] = [a.rtp.received.length, b.rtp.received.length];
  for (let i = 0; i < n; i++) {
    a.rtp.send(pa, 0);
    b.rtp.send(pb, 0);
    await sleep(20);
  }
  await waitFor(() => a.rtp.received.length - ra >= n - 2 && b.rtp.received.length - rb >= n - 2, 6000, 'RTP both ways');
  assert.ok(b.rtp.received.slice(rb).every((p) => p.equals(pa)));
  assert.ok(a.rtp.received.slice(ra).every((p) => p.equals(pb)));
}

const requests = (c: TestCall, method: string) =>
  c.events.filter((e): e is Extract<LegEvent, { kind: 'request' }> => e.kind === 'request' && e.req.request.method === method).map((e) => e.req.request);

const sipfrags = (c: TestCall) => requests(c, 'NOTIFY').map((n) => n.body.toString().trim());

test('blind transfer: REFER → 202, NOTIFY 100 then 200 (sipfrag), belfry calls C, A talks to C without a re-INVITE, B released with BYE', async () => {
  const { call: a, incoming: b } = await connect(alice, bob, '2002');
  await audio(a, b);
  carol.onIncoming({ ringMs: 100 });
  const refer = await b.leg.request('REFER', { headers: [{ name: 'refer-to', value: '<sip:2003@127.0.0.1>' }, { name: 'referred-by', value: '<sip:2002@127.0.0.1>' }] });
  assert.equal(refer.status, 202);
  const c = await carol.nextIncoming();
  await b.byeReceived;
  const frags = sipfrags(b);
  assert.deepEqual(frags, ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
  const notifies = requests(b, 'NOTIFY');
  assert.equal(notifies[0]?.headers.find((h) => h.name === 'event')?.value, 'refer');
  assert.match(notifies[1]?.headers.find((h) => h.name === 'subscription-state')?.value ?? '', /^terminated/);
  assert.match(notifies[0]?.headers.find((h) => h.name === 'content-type')?.value ?? '', /^message\/sipfrag/);
  await waitFor(() => c.leg.state === 'confirmed', 6000, 'carol confirmed');
  assert.equal(requests(a, 'INVITE').length, 0, 'the anchor hides the move: no re-INVITE to A');
  await audio(a, c);
  a.hangup();
  await c.byeReceived;
  const cdr = await closedCdr(sw, (a.leg as UacLeg).ownCallId);
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.dst, '2003');
  assert.equal(cdr.hangupSide, 'caller');
  assert.ok(cdr.legs.some((l) => l.role === 'callee' && l.dst === '2003'), 'the CDR has a leg for the transfer target');
});

test('blind transfer where the transferor hangs up right after the 202: the transfer goes on and A talks to C', async () => {
  const { call: a, incoming: b } = await connect(alice, bob, '2002');
  carol.onIncoming({ ringMs: 300 });
  const refer = await b.leg.request('REFER', { headers: [{ name: 'refer-to', value: '<sip:2003@127.0.0.1>' }] });
  assert.equal(refer.status, 202);
  b.hangup();
  const c = await carol.nextIncoming();
  await waitFor(() => c.leg.state === 'confirmed', 6000, 'carol confirmed');
  assert.equal(a.events.some((e) => e.kind === 'bye'), false, 'A was not hung up');
  await audio(a, c);
  c.hangup();
  await a.byeReceived;
});

test('blind transfer to an unregistered user: NOTIFY with the failure, the call stays with B', async () => {
  const { call: a, incoming: b } = await connect(alice, bob, '2002');
  const refer = await b.leg.request('REFER', { headers: [{ name: 'refer-to', value: '<sip:2005@127.0.0.1>' }] });
  assert.equal(refer.status, 202);
  await waitFor(() => sipfrags(b).length >= 2, 6000, 'two NOTIFYs');
  assert.equal(sipfrags(b)[0], 'SIP/2.0 100 Trying');
  assert.match(sipfrags(b)[1] ?? '', /^SIP\/2\.0 480/);
  await audio(a, b);
  a.hangup();
  await b.byeReceived;
});

test('blind transfer by the caller: A sends REFER, B ends up talking to C', async () => {
  const { call: a, incoming: b } = await connect(alice, bob, '2002');
  carol.onIncoming({ ringMs: 50 });
  const refer = await a.leg.request('REFER', { headers: [{ name: 'refer-to', value: '<sip:2003@127.0.0.1>' }] });
  assert.equal(refer.status, 202);
  const c = await carol.nextIncoming();
  await a.byeReceived;
  assert.deepEqual(sipfrags(a), ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
  await waitFor(() => c.leg.state === 'confirmed', 6000, 'carol confirmed');
  assert.equal(requests(b, 'INVITE').length, 0, 'no re-INVITE to B');
  await audio(b, c);
  b.hangup();
  await c.byeReceived;
});

test('attended transfer: REFER with Replaces of B→C ends both of B\'s calls and connects A with C', async () => {
  const { call: a, incoming: b1 } = await connect(alice, bob, '2002');
  const { call: b2, incoming: c } = await connect(bob, carol, '2003');
  await audio(b2, c);
  const id = b2.leg.dialogId;
  assert.ok(id);
  const replaces = encodeURIComponent(`${id.callId};to-tag=${id.remoteTag};from-tag=${id.localTag}`);
  const refer = await b1.leg.request('REFER', { headers: [{ name: 'refer-to', value: `<sip:2003@127.0.0.1?Replaces=${replaces}>` }] });
  assert.equal(refer.status, 202);
  await Promise.all([b1.byeReceived, b2.byeReceived]);
  assert.deepEqual(sipfrags(b1), ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
  assert.equal(requests(c, 'INVITE').length, 1, 'C is re-INVITEd onto the new bridge');
  assert.equal(requests(a, 'INVITE').length, 0, 'A keeps its media path');
  await audio(a, c);
  c.hangup();
  await a.byeReceived;
  const cdr = await closedCdr(sw, (a.leg as UacLeg).ownCallId);
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.hangupSide, 'callee');
  const consult = await closedCdr(sw, (b2.leg as UacLeg).ownCallId);
  assert.match(String(consult.extra?.hangupReason), /transferred/);
});

test('INVITE with Replaces matching a dialog of belfry replaces that leg (RFC 3891 §3)', async () => {
  const { call: a, incoming: b } = await connect(alice, bob, '2002');
  const id = b.leg.dialogId;
  assert.ok(id);
  // Belfry's tag is B's remote tag: it is the to-tag of the Replaces (§6.1).
  const d = await dave.call('2002', { headers: [{ name: 'replaces', value: `${id.callId};to-tag=${id.remoteTag};from-tag=${id.localTag}` }] });
  assert.equal(await d.final, 200);
  await b.byeReceived;
  await audio(a, d);
  const unknown = await dave.call('2002', { headers: [{ name: 'replaces', value: 'nope@x;to-tag=1;from-tag=2' }] });
  assert.equal(await unknown.final, 481);
  d.hangup();
  await a.byeReceived;
});
