/**
 * Media and mid-call signalling through a real belfry: early media (183 with
 * SDP and RTP before the answer), μ-law ↔ A-law transcoding checked byte by
 * byte against the G.711 tables, hold/resume by re-INVITE and UPDATE with
 * the direction carried, and INFO (DTMF relay) carried to the other leg.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { sdpFor, sdpTarget, TestUa, waitFor, type TestCall } from '../../helpers/test-ua.ts';
import { closedCdr } from '../../helpers/admin-api.ts';
import { ALAW_TO_ULAW, ULAW_TO_ALAW } from '../../../src/media/index.ts';
import type { UacLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
let alice: TestUa;
let bob: TestUa;

before(async () => {
  sw = await startBelfry({ configDir: makeSwitchConfig({ ringTime: 10 }) });
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
  for (const ua of [alice, bob]) assert.equal((await ua.register()).status, 200);
});

after(async () => {
  for (const ua of [alice, bob]) await ua?.close();
  const code = await sw?.stop();
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const callIdOf = (c: TestCall): string => (c.leg as UacLeg).ownCallId;

async function answeredCall(o: { codecs?: Array<'PCMU' | 'PCMA'>; calleeCodecs?: Array<'PCMU' | 'PCMA'> } = {}): Promise<{ call: TestCall; incoming: TestCall }> {
  bob.onIncoming({ ringMs: 20, codecs: o.calleeCodecs });
  const call = await alice.call('2002', { codecs: o.codecs });
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  await waitFor(() => incoming.leg.state === 'confirmed', 6000, 'callee confirmed');
  return { call, incoming };
}

/** Sends `n` packets each way and waits until at least `n - 2` arrived each way. */
async function flows(a: TestCall, b: TestCall, n = 8, pt = 0): Promise<void> {
  const [ra, rb] = [a.rtp.received.length, b.rtp.received.length];
  for (let i = 0; i < n; i++) {
    a.rtp.send(Buffer.alloc(160, 0x33), pt);
    b.rtp.send(Buffer.alloc(160, 0x44), pt);
    await sleep(20);
  }
  await waitFor(() => a.rtp.received.length - ra >= n - 2 && b.rtp.received.length - rb >= n - 2, 6000, 'RTP both ways');
}

test('early media: 183 with SDP reaches the caller with belfry\'s SDP, and RTP flows before the answer', async () => {
  bob.onIncoming({ earlyMedia: true, ringMs: 1500 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  await waitFor(() => call.provisional.includes(183), 6000, '183 at the caller');
  const p183 = call.events.find((e) => e.kind === 'provisional' && e.response.status === 183);
  assert.ok(p183?.kind === 'provisional');
  const sdp = sdpTarget(p183.response.body);
  assert.ok(sdp, '183 carries SDP');
  assert.equal(sdp.address, '127.0.0.1');
  assert.notEqual(sdp.port, incoming.rtp.port, 'the caller sees belfry\'s port, not the callee\'s');
  // The callee plays a ring-back/announcement before answering.
  for (let i = 0; i < 8; i++) {
    incoming.rtp.send(Buffer.alloc(160, 0x55), 0);
    await sleep(20);
  }
  await waitFor(() => call.rtp.received.length >= 6, 6000, 'early media at the caller');
  let settled = false;
  void call.final.then(() => (settled = true));
  await sleep(0);
  assert.equal(settled, false, 'the call is not answered yet');
  assert.ok(call.rtp.received.every((p) => p.equals(Buffer.alloc(160, 0x55))));
  assert.equal(await call.final, 200);
  await waitFor(() => incoming.leg.state === 'confirmed', 6000, 'callee confirmed');
  await flows(call, incoming);
  call.hangup();
  await incoming.byeReceived;
});

test('μ-law caller, A-law callee: audio both ways, bytes converted by the G.711 tables, CDR shows both codecs', async () => {
  const { call, incoming } = await answeredCall({ codecs: ['PCMU'], calleeCodecs: ['PCMA'] });
  const calleeSdp = (incoming.leg as { invite: { body: Buffer } }).invite.body.toString();
  assert.match(calleeSdp, /m=audio \d+ RTP\/AVP .*\b8\b/, 'the callee is offered A-law');
  const fromA = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 7 + 3) & 0xff));
  const fromB = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 13 + 5) & 0xff));
  for (let i = 0; i < 8; i++) {
    call.rtp.send(fromA, 0);
    incoming.rtp.send(fromB, 8);
    await sleep(20);
  }
  await waitFor(() => incoming.rtp.received.length >= 6 && call.rtp.received.length >= 6, 6000, 'RTP both ways');
  const expectAtB = Buffer.from(fromA.map((c) => ULAW_TO_ALAW[c] ?? 0));
  const expectAtA = Buffer.from(fromB.map((c) => ALAW_TO_ULAW[c] ?? 0));
  assert.ok(incoming.rtp.receivedPts.every((pt) => pt === 8), 'the callee receives PT 8 (PCMA)');
  assert.ok(call.rtp.receivedPts.every((pt) => pt === 0), 'the caller receives PT 0 (PCMU)');
  assert.ok(incoming.rtp.received.every((p) => p.equals(expectAtB)), 'μ-law → A-law by the table');
  assert.ok(call.rtp.received.every((p) => p.equals(expectAtA)), 'A-law → μ-law by the table');
  call.hangup();
  await incoming.byeReceived;
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.extra?.codecA, 'PCMU');
  assert.equal(cdr.extra?.codecB, 'PCMA');
  assert.equal(cdr.extra?.transcoded, true);
  assert.equal(cdr.legs.find((l) => l.role === 'caller')?.codec, 'PCMU');
  assert.equal(cdr.legs.find((l) => l.role === 'callee')?.codec, 'PCMA');
});

test('hold and resume by re-INVITE: the direction reaches the callee in belfry\'s SDP, both answered 200, RTP flows after resume', async () => {
  const { call, incoming } = await answeredCall();
  await flows(call, incoming);
  const hold = await call.reinvite('sendonly');
  assert.equal(hold.status, 200);
  assert.equal(sdpTarget(hold.body)?.direction, 'recvonly', 'the holder is answered recvonly');
  const reinv = incoming.events.filter((e) => e.kind === 'request' && e.req.request.method === 'INVITE');
  assert.equal(reinv.length, 1, 'the callee got a re-INVITE');
  const r1 = reinv[0];
  assert.ok(r1?.kind === 'request');
  const held = sdpTarget(r1.req.request.body);
  assert.equal(held?.direction, 'sendonly', 'the callee sees the hold (sendonly from belfry)');
  assert.equal(held?.address, '127.0.0.1');
  assert.notEqual(held?.port, call.rtp.port, 'belfry\'s port, not the caller\'s');
  const resume = await call.reinvite('sendrecv');
  assert.equal(resume.status, 200);
  assert.equal(sdpTarget(resume.body)?.direction, 'sendrecv');
  const reinv2 = incoming.events.filter((e) => e.kind === 'request' && e.req.request.method === 'INVITE');
  assert.equal(reinv2.length, 2);
  const r2 = reinv2[1];
  assert.ok(r2?.kind === 'request');
  assert.equal(sdpTarget(r2.req.request.body)?.direction, 'sendrecv');
  await flows(call, incoming);
  call.hangup();
  await incoming.byeReceived;
});

test('hold by UPDATE (RFC 3311) from the callee reaches the caller as an UPDATE with the direction', async () => {
  const { call, incoming } = await answeredCall();
  const upd = await incoming.leg.request('UPDATE', { body: { body: Buffer.from(sdpFor(incoming.rtp.port, ['PCMU'], 'sendonly', 7)), contentType: 'application/sdp' } });
  assert.equal(upd.status, 200);
  assert.equal(sdpTarget(upd.body)?.direction, 'recvonly');
  const got = call.events.find((e) => e.kind === 'request' && e.req.request.method === 'UPDATE');
  assert.ok(got?.kind === 'request', 'the caller got an UPDATE');
  assert.equal(sdpTarget(got.req.request.body)?.direction, 'sendonly');
  const back = await incoming.leg.request('UPDATE', { body: { body: Buffer.from(sdpFor(incoming.rtp.port, ['PCMU'], 'sendrecv', 8)), contentType: 'application/sdp' } });
  assert.equal(back.status, 200);
  await flows(call, incoming);
  call.hangup();
  await incoming.byeReceived;
});

test('late offer: INVITE without SDP gets belfry\'s offer in the 200, the answer in the ACK sets up media both ways', async () => {
  bob.onIncoming({ ringMs: 20 });
  const call = await alice.call('2002', { noSdp: true });
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  const answered = call.events.find((e) => e.kind === 'answered');
  assert.ok(answered?.kind === 'answered');
  const offer = sdpTarget(answered.response.body);
  assert.ok(offer, 'the 200 carries belfry\'s offer');
  assert.notEqual(offer.port, incoming.rtp.port);
  await waitFor(() => incoming.leg.state === 'confirmed', 6000, 'callee confirmed');
  await flows(call, incoming);
  call.hangup();
  await incoming.byeReceived;
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.extra?.codecA, 'PCMU', 'the caller\'s answer from the ACK was applied');
  assert.equal(cdr.legs.find((l) => l.role === 'caller')?.codec, 'PCMU');
});

test('glare: a re-INVITE from one side while belfry is still carrying the other side\'s offer gets 491 (RFC 3261 §14.2)', async () => {
  const { call, incoming } = await answeredCall();
  bob.reinviteDelayMs = 400;
  try {
    const fromA = call.reinvite('sendonly');
    await waitFor(() => incoming.events.some((e) => e.kind === 'request' && e.req.request.method === 'INVITE'), 6000, 'offer relayed to B');
    const fromB = await incoming.reinvite('sendonly');
    assert.equal(fromB.status, 491);
    assert.equal((await fromA).status, 200);
  } finally {
    bob.reinviteDelayMs = 0;
  }
  assert.equal((await incoming.reinvite('sendrecv')).status, 200, 'a later offer goes through');
  call.hangup();
  await incoming.byeReceived;
});

test('INFO with application/dtmf-relay is carried to the other leg intact', async () => {
  const { call, incoming } = await answeredCall();
  const body = 'Signal=5\r\nDuration=160\r\n';
  const r = await call.leg.request('INFO', { body: { body: Buffer.from(body), contentType: 'application/dtmf-relay' } });
  assert.equal(r.status, 200);
  const info = incoming.events.find((e) => e.kind === 'request' && e.req.request.method === 'INFO');
  assert.ok(info?.kind === 'request', 'the callee got the INFO');
  assert.equal(info.req.request.body.toString(), body);
  assert.equal(info.req.request.headers.find((h) => h.name === 'content-type')?.value, 'application/dtmf-relay');
  // And the other way round.
  const r2 = await incoming.leg.request('INFO', { body: { body: Buffer.from('Signal=#\r\nDuration=100\r\n'), contentType: 'application/dtmf-relay' } });
  assert.equal(r2.status, 200);
  const info2 = call.events.find((e) => e.kind === 'request' && e.req.request.method === 'INFO');
  assert.ok(info2?.kind === 'request');
  assert.equal(info2.req.request.body.toString(), 'Signal=#\r\nDuration=100\r\n');
  call.hangup();
  await incoming.byeReceived;
});
