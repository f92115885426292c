/**
 * Calls that end without anyone hanging up: the RTP silence timeout (both
 * legs get BYE, the CDR says why) and a belfry process killed mid-call (the
 * open CDR row is closed as INTERRUPTED at the next start on the same data
 * directory).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor, type TestCall } from '../../helpers/test-ua.ts';
import { closedCdr, liveCalls } from '../../helpers/admin-api.ts';
import type { UacLeg } from '../../../src/sip/index.ts';

let sw: BelfryProcess;
let alice: TestUa;
let bob: TestUa;
const dataDir = mkdtempSync(join(tmpdir(), 'belfry-life-'));
const configDir = makeSwitchConfig({ silenceTimeoutS: 2 });

async function phones(): Promise<void> {
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
  for (const ua of [alice, bob]) assert.equal((await ua.register()).status, 200);
}

before(async () => {
  sw = await startBelfry({ configDir, dataDir });
  await phones();
});

after(async () => {
  for (const ua of [alice, bob]) await ua?.close();
  await sw?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const callIdOf = (c: TestCall): string => (c.leg as UacLeg).ownCallId;

test('RTP silence timeout: nobody sends RTP, both legs get BYE, CDR says why', async () => {
  bob.onIncoming({ ringMs: 20 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  const t0 = Date.now();
  await Promise.all([call.byeReceived, incoming.byeReceived]);
  assert.ok(Date.now() - t0 >= 1500, 'not before the silence timeout');
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.hangupSide, 'system');
  assert.match(String(cdr.extra?.hangupReason), /no RTP/);
});

test('on hold (inactive) the silence timeout is suspended; after resume it applies again', async () => {
  bob.onIncoming({ ringMs: 20 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  await waitFor(() => incoming.leg.state === 'confirmed', 6000, 'callee confirmed');
  assert.equal((await call.reinvite('inactive')).status, 200);
  await new Promise((r) => setTimeout(r, 3500)); // longer than the 2 s timeout
  assert.equal(call.events.some((e) => e.kind === 'bye'), false, 'not hung up while on hold');
  assert.equal((await call.reinvite('sendrecv')).status, 200);
  await Promise.all([call.byeReceived, incoming.byeReceived]);
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.match(String(cdr.extra?.hangupReason), /no RTP/);
});

test('a call in progress when belfry is SIGKILLed is closed as INTERRUPTED at the next start', async () => {
  bob.onIncoming({ ringMs: 20 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  await waitFor(() => incoming.leg.state === 'confirmed', 6000, 'callee confirmed');
  assert.equal((await liveCalls(sw)).length, 1);
  await sw.stop('SIGKILL');
  for (const ua of [alice, bob]) await ua.close();
  sw = await startBelfry({ configDir, dataDir });
  assert.ok(sw.logs.some((l) => l.includes('INTERRUPTED')), 'the start-up log says calls were closed');
  const cdr = await closedCdr(sw, callIdOf(call));
  assert.equal(cdr.disposition, 'INTERRUPTED');
  assert.equal(cdr.src, '2001');
  assert.equal(cdr.dst, '2002');
  await phones();
});
