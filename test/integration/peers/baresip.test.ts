/**
 * baresip, a real softphone (Debian's package, libre's SIP stack), against a
 * real belfry: it registers with digest auth, calls a test UA through the
 * B2BUA with audio both ways through belfry's anchor, and answers a call
 * from the test UA. Audio: baresip's microphone is ausine (a 440 Hz tone),
 * so the callee must receive non-silent PCMU; what the test UA sends back is
 * counted by baresip's own RTP statistics (printed when the call ends).
 *
 * belfry is configured with `sip.auth_algorithms: [MD5]` here: libre 1.0
 * aborts authentication when any challenge names another algorithm, even
 * with an MD5 one beside it (see docs/benchmarks.md, "Peers").
 * Without a `baresip` binary the tests print a skip note and pass.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa, waitFor } from '../../helpers/test-ua.ts';
import { Baresip } from './baresip-driver.ts';
import { freeUdpPort, haveBinary } from './peer-process.ts';

const HAVE = haveBinary('baresip', '-h');
const SKIP = HAVE ? false : 'baresip not installed (apt-get install baresip); skipped';

let sw: BelfryProcess | undefined;
let phone: Baresip | undefined;
let bob: TestUa | undefined;
let phonePort = 0;

before(async () => {
  if (!HAVE) {
    console.log('# note: baresip not installed: baresip peer tests skipped');
    return;
  }
  const cfg = makeSwitchConfig();
  const f = join(cfg, 'belfry.yaml');
  writeFileSync(f, readFileSync(f, 'utf8').replace('sip:\n  host: 127.0.0.1\n', 'sip:\n  host: 127.0.0.1\n  auth_algorithms: [MD5]\n'));
  sw = await startBelfry({ configDir: cfg });
  bob = await TestUa.start({ user: '2002', password: PASSWORD('2002'), switchPort: sw.sipPort });
  phonePort = await freeUdpPort();
  phone = await Baresip.start({ user: '2001', password: PASSWORD('2001'), switchPort: sw.sipPort, sipPort: phonePort, ctrlPort: await freeUdpPort(), timeoutMs: 50_000 });
});

after(async () => {
  await phone?.stop();
  if (phone) rmSync(phone.dir, { recursive: true, force: true });
  await bob?.close();
  if (sw) assert.equal(await sw.stop(), 0, 'belfry exits 0 on SIGTERM');
});

async function api(path: string): Promise<{ status: number; body: any }> {
  if (!sw) throw new Error('no belfry');
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}${path}`, { headers: { authorization: `Bearer ${sw.apiToken}` } });
  return { status: r.status, body: await r.json() };
}

/** baresip's "packets: TX RX" line from the statistics of the call that just ended (rtp_stats yes). */
function lastRtpStats(out: string): { tx: number; rx: number } | undefined {
  const all = [...out.matchAll(/packets:\s+(\d+)\s+(\d+)/g)];
  const m = all[all.length - 1];
  return m ? { tx: Number(m[1]), rx: Number(m[2]) } : undefined;
}

const silentPcmu = (p: Buffer) => p.every((b) => b === 0xff || b === 0x7f);

test('baresip registers with digest auth and belfry lists its binding', { skip: SKIP }, async () => {
  assert.equal((await bob?.register())?.status, 200);
  let items: Array<{ user: string }> = [];
  for (let i = 0; i < 50 && !items.some((x) => x.user === '2001'); i++) {
    items = (await api('/api/v1/registrations')).body.items;
    if (!items.some((x) => x.user === '2001')) await new Promise((r) => setTimeout(r, 100));
  }
  const mine = items.find((x) => x.user === '2001');
  assert.ok(mine, `baresip's binding is listed; baresip said:\n${phone?.run.output().slice(-1500)}`);
  assert.match(JSON.stringify(mine), new RegExp(`127\\.0\\.0\\.1:${phonePort}`));
});

test('baresip calls 2002 (test UA): established, its tone reaches the callee, the callee\'s RTP reaches baresip, BYE, CDR', { skip: SKIP }, async () => {
  if (!phone || !bob || !sw) throw new Error('setup failed');
  bob.onIncoming({ ringMs: 100 });
  phone.command('dial', `sip:2002@127.0.0.1:${sw.sipPort}`);
  const incoming = await bob.nextIncoming(10_000);
  await phone.waitEvent('CALL_ESTABLISHED', 10_000);
  const back = Buffer.alloc(160, 0x55);
  for (let i = 0; i < 50; i++) {
    incoming.rtp.send(back, 0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => incoming.rtp.received.length >= 25, 5000, 'RTP from baresip at the callee');
  assert.ok(incoming.rtp.receivedPts.every((pt) => pt === 0), 'PCMU end to end');
  assert.ok(incoming.rtp.received.some((p) => !silentPcmu(p)), 'the callee hears the tone, not silence');

  phone.command('hangup');
  await Promise.race([incoming.byeReceived, new Promise((_r, rej) => setTimeout(() => rej(new Error('no BYE at the callee')), 5000))]);
  await phone.waitEvent('CALL_CLOSED', 5000);
  await waitFor(() => lastRtpStats(phone?.run.output() ?? '') !== undefined, 3000, 'baresip RTP statistics');
  const stats = lastRtpStats(phone.run.output());
  assert.ok(stats && stats.rx >= 40, `baresip received the callee's RTP through belfry (stats ${JSON.stringify(stats)})`);

  let row: any;
  for (let i = 0; i < 30 && row?.disposition !== 'ANSWERED'; i++) {
    row = (await api('/api/v1/cdrs?limit=5')).body.items.find((r: { src: string; dst: string }) => r.src === '2001' && r.dst === '2002');
    if (row?.disposition !== 'ANSWERED') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(row?.disposition, 'ANSWERED');
  assert.equal(row?.hangupSide, 'caller');
});

test('2002 (test UA) calls baresip: it rings, accepts on command, audio both ways, the test UA hangs up', { skip: SKIP }, async () => {
  if (!phone || !bob) throw new Error('setup failed');
  phone.events.length = 0;
  const call = await bob.call('2001', { codecs: ['PCMU'] });
  await phone.waitEvent('CALL_INCOMING', 10_000);
  phone.command('accept');
  assert.equal(await call.final, 200);
  await phone.waitEvent('CALL_ESTABLISHED', 5000);
  const out = Buffer.alloc(160, 0x33);
  for (let i = 0; i < 50; i++) {
    call.rtp.send(out, 0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => call.rtp.received.length >= 25, 5000, 'RTP from baresip at the caller');
  assert.ok(call.rtp.received.some((p) => !silentPcmu(p)), 'the caller hears baresip\'s tone');
  const before = phone.run.output().length;
  call.hangup();
  await phone.waitEvent('CALL_CLOSED', 5000);
  await waitFor(() => lastRtpStats(phone?.run.output().slice(before) ?? '') !== undefined, 3000, 'baresip RTP statistics');
  const stats = lastRtpStats(phone.run.output().slice(before));
  assert.ok(stats && stats.rx >= 40, `baresip received the caller's RTP (stats ${JSON.stringify(stats)})`);
});
