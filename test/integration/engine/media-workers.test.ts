/**
 * The RTP relay hosted in worker threads (rtp.workers: 2): a call between
 * two phones still carries audio both ways, and the CDR gets the relay's
 * figures back from the worker.
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
  sw = await startBelfry({ configDir: makeSwitchConfig({ rtpWorkers: 2 }) });
  alice = await TestUa.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
  assert.equal((await alice.register()).status, 200);
  assert.equal((await bob.register()).status, 200);
});

after(async () => {
  await alice?.close();
  await bob?.close();
  assert.equal(await sw?.stop(), 0);
});

test('relay in worker threads: audio both ways, RTP counters in the CDR', async () => {
  bob.onIncoming({ ringMs: 50 });
  const call = await alice.call('2002');
  const incoming = await bob.nextIncoming();
  assert.equal(await call.final, 200);
  const aToB = Buffer.alloc(160, 0x31);
  const bToA = Buffer.alloc(160, 0x42);
  for (let i = 0; i < 10; i++) {
    call.rtp.send(aToB, 0);
    incoming.rtp.send(bToA, 0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => incoming.rtp.received.length >= 8 && call.rtp.received.length >= 8, 5000, 'RTP both ways via the workers');
  assert.ok(incoming.rtp.received.every((p) => p.equals(aToB)));
  assert.ok(call.rtp.received.every((p) => p.equals(bToA)));
  call.hangup();
  await incoming.byeReceived;
  const headers = { authorization: `Bearer ${sw.apiToken}` };
  let row: { callId: string; disposition: string } | undefined;
  await waitFor(() => false, 500).catch(() => undefined);
  const list = (await (await fetch(`http://127.0.0.1:${sw.httpPort}/api/v1/cdrs?limit=1`, { headers })).json()) as { items: Array<{ callId: string; disposition: string }> };
  row = list.items[0];
  assert.equal(row?.disposition, 'ANSWERED');
  const detail = (await (await fetch(`http://127.0.0.1:${sw.httpPort}/api/v1/cdrs/${encodeURIComponent(row?.callId ?? '')}`, { headers })).json()) as { legs: Array<{ role: string; rtpPacketsIn: number | null }> };
  const caller = detail.legs.find((l) => l.role === 'caller');
  assert.ok((caller?.rtpPacketsIn ?? 0) >= 8, 'the worker reported the caller leg RTP count');
});
