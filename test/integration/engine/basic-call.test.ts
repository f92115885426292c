/**
 * Two phones (test UAs on our own SIP stack) register to a real belfry
 * process and call each other through it: audio both ways through the
 * anchor (payload bytes checked end to end), then BYE, and the CDR row.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor } from '../../helpers/test-ua.ts';

let sw: BelfryProcess;
let alice: TestUa;
let bob: TestUa;

before(async () => {
  sw = await startBelfry({ configDir: makeSwitchConfig() });
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
});

after(async () => {
  await alice?.close();
  await bob?.close();
  const code = await sw?.stop();
  assert.equal(code, 0, 'belfry exits 0 on SIGTERM');
});

async function api(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}${path}`, { headers: { authorization: `Bearer ${sw.apiToken}` } });
  return { status: r.status, body: await r.json() };
}

test('phones register with digest auth (401 challenge, then 200 with the binding)', async () => {
  const r = await alice.register();
  assert.equal(r.status, 200);
  assert.match(r.headers.find((h) => h.name === 'contact')?.value ?? '', new RegExp(`127\\.0\\.0\\.1:${alice.port}`));
  assert.equal((await bob.register()).status, 200);
  const regs = await api('/api/v1/registrations');
  assert.deepEqual(regs.body.items.map((i: { user: string }) => i.user).sort(), ['2001', '2002']);
});

test('a wrong password gets 403, exactly like an unknown user', async () => {
  const wrong = await alice.register({ password: 'nope' });
  const ghost = await TestUa.start({ user: '2999', password: 'whatever', switchPort: sw.sipPort });
  const unknown = await ghost.register();
  await ghost.close();
  assert.equal(wrong.status, 403);
  assert.equal(unknown.status, 403);
  assert.equal(wrong.reason, unknown.reason);
});

test('alice calls bob: 180, 200, audio both ways through belfry, BYE, CDR written', async () => {
  bob.onIncoming({ ringMs: 100 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  assert.ok(call.provisional.includes(180), 'caller saw 180 Ringing');
  // Both phones see belfry's address, never each other's.
  assert.notEqual(call.rtp.remote?.port, incoming.rtp.port);
  assert.notEqual(incoming.rtp.remote?.port, call.rtp.port);
  await waitFor(() => incoming.leg.state === 'confirmed' || incoming.leg.state === 'answered', 2000, 'bob confirmed');

  const aToB = Buffer.alloc(160, 0x11);
  const bToA = Buffer.alloc(160, 0x22);
  for (let i = 0; i < 10; i++) {
    call.rtp.send(aToB, 0);
    incoming.rtp.send(bToA, 0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => incoming.rtp.received.length >= 8 && call.rtp.received.length >= 8, 3000, 'RTP both ways');
  assert.ok(incoming.rtp.received.every((p) => p.equals(aToB)), 'bob hears exactly what alice sent');
  assert.ok(call.rtp.received.every((p) => p.equals(bToA)), 'alice hears exactly what bob sent');

  call.hangup();
  await incoming.byeReceived;
  await waitFor(() => false, 300).catch(() => undefined);
  const cdrs = await api('/api/v1/cdrs?limit=5');
  const row = cdrs.body.items[0];
  assert.equal(row.src, '2001');
  assert.equal(row.dst, '2002');
  assert.equal(row.direction, 'internal');
  assert.equal(row.disposition, 'ANSWERED');
  assert.equal(row.sipCode, 200);
  assert.equal(row.hangupSide, 'caller');
  const detail = await api(`/api/v1/cdrs/${encodeURIComponent(row.callId)}`);
  assert.equal(detail.body.legs.length, 2);
  const callerLeg = detail.body.legs.find((l: { role: string }) => l.role === 'caller');
  assert.ok(callerLeg.rtpPacketsIn >= 8, 'caller leg counted the RTP it sent');
  assert.equal(callerLeg.codec, 'PCMU');
});
