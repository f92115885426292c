/**
 * SIPp against a real belfry process (RFC 3261 message flows seen by an
 * independent implementation): REGISTER with a digest challenge, and an
 * authenticated call SIPp UAC (2001) -> belfry -> SIPp UAS registered as 2002.
 * Scenarios live in test/integration/sipp/, named by their expected outcome;
 * SIPp exits 0 only when every expected message arrived in order.
 * Without a `sipp` binary the tests print a skip note and pass (CI installs it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { waitFor } from '../../helpers/test-ua.ts';
import { freeUdpPort, haveBinary, runPeer } from './peer-process.ts';

const HAVE_SIPP = haveBinary('sipp');
const SKIP = HAVE_SIPP ? false : 'sipp not installed (apt-get install sip-tester); skipped';
const scenario = (name: string) => join(repoRoot, 'test', 'integration', 'sipp', name);

let sw: BelfryProcess | undefined;
const work = mkdtempSync(join(tmpdir(), 'belfry-sipp-'));

before(async () => {
  if (!HAVE_SIPP) {
    console.log('# note: sipp not installed: SIPp peer tests skipped');
    return;
  }
  sw = await startBelfry({ configDir: makeSwitchConfig() });
});

after(async () => {
  rmSync(work, { recursive: true, force: true });
  if (sw) assert.equal(await sw.stop(), 0, 'belfry exits 0 on SIGTERM');
});

async function api(path: string): Promise<{ status: number; body: any }> {
  if (!sw) throw new Error('no belfry');
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}${path}`, { headers: { authorization: `Bearer ${sw.apiToken}` } });
  return { status: r.status, body: await r.json() };
}

/** One bounded SIPp run of one call; resolves with its exit code and traces. */
async function sipp(name: string, args: readonly string[], opts: { port: number; timeoutS?: number }): Promise<{ code: number; messages: string; errors: string; output: string }> {
  const timeoutS = opts.timeoutS ?? 15;
  const tag = `${name.replace('.xml', '')}-${opts.port}`;
  const msgFile = join(work, `${tag}.messages.log`);
  const errFile = join(work, `${tag}.errors.log`);
  const run = runPeer(
    'sipp',
    [`127.0.0.1:${sw?.sipPort ?? 0}`, '-sf', scenario(name), '-i', '127.0.0.1', '-p', String(opts.port), '-m', '1', '-nostdin', '-timeout', `${timeoutS}s`, '-timeout_error', '-trace_msg', '-message_file', msgFile, '-trace_err', '-error_file', errFile, ...args],
    { cwd: work, timeoutMs: (timeoutS + 5) * 1000 },
  );
  const code = await run.exited;
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'latin1') : '');
  return { code, messages: read(msgFile), errors: read(errFile), output: run.output() };
}

test('SIPp REGISTER: 401 offers MD5 first (then SHA-256), digest answer gets 200 and the binding', { skip: SKIP }, async () => {
  const port = await freeUdpPort();
  const r = await sipp('register-auth-200.xml', ['-s', '2004', '-au', '2004', '-ap', PASSWORD('2004')], { port });
  assert.equal(r.code, 0, `sipp failed:\n${r.errors}\n${r.output.slice(-2000)}`);
  const challenge = /SIP\/2\.0 401[\s\S]*?\r?\n\r?\n/.exec(r.messages)?.[0] ?? '';
  const algs = [...challenge.matchAll(/WWW-Authenticate:[^\r\n]*algorithm=([A-Za-z0-9-]+)/gi)].map((m) => m[1]);
  assert.deepEqual(algs, ['MD5', 'SHA-256'], 'one challenge per algorithm, MD5 first');
  const regs = await api('/api/v1/registrations');
  const mine = regs.body.items.find((i: { user: string }) => i.user === '2004');
  assert.ok(mine, 'belfry lists the binding');
  assert.match(JSON.stringify(mine), new RegExp(`127\\.0\\.0\\.1:${port}`));
});

test('SIPp REGISTER with a wrong password does not get 200 (SIPp reports the call failed)', { skip: SKIP }, async () => {
  const port = await freeUdpPort();
  const r = await sipp('register-auth-200.xml', ['-s', '2005', '-au', '2005', '-ap', 'not-the-password'], { port, timeoutS: 8 });
  assert.notEqual(r.code, 0);
  assert.match(r.messages, /SIP\/2\.0 403/, 'the digest answer is refused with 403');
});

test('SIPp UAC 2001 -> belfry -> SIPp UAS 2002: 407, digest, INVITE/180/200/ACK/BYE end to end, CDR ANSWERED', { skip: SKIP }, async () => {
  const uasPort = await freeUdpPort();
  const uacPort = await freeUdpPort();
  // Register 2002 from the port the UAS will bind, so its Contact points at the UAS.
  const reg = await sipp('register-auth-200.xml', ['-s', '2002', '-au', '2002', '-ap', PASSWORD('2002')], { port: uasPort });
  assert.equal(reg.code, 0, `registration failed:\n${reg.errors}`);

  const uasDone = sipp('uas-answer.xml', [], { port: uasPort, timeoutS: 20 });
  // The UAS must be listening before belfry forwards the INVITE: wait for its socket.
  await waitFor(() => readFileSync('/proc/net/udp', 'latin1').includes(`:${uasPort.toString(16).toUpperCase().padStart(4, '0')} `), 5000, 'SIPp UAS socket');
  const sipPort = sw?.sipPort ?? 0;
  const uac = await sipp('call-auth-answered.xml', ['-s', '2002', '-key', 'caller', '2001', '-au', '2001', '-ap', PASSWORD('2001'), '-auth_uri', `2002@127.0.0.1:${sipPort}`], { port: uacPort });
  const uas = await uasDone;
  assert.equal(uac.code, 0, `UAC failed:\n${uac.errors}\n${uac.output.slice(-2000)}`);
  assert.equal(uas.code, 0, `UAS failed:\n${uas.errors}\n${uas.output.slice(-2000)}`);

  // The UAC saw the whole flow, with the proxy challenge first.
  for (const line of [/SIP\/2\.0 407/, /Proxy-Authorization: Digest [^\r\n]*algorithm=MD5/i, /SIP\/2\.0 180/, /SIP\/2\.0 200[^\r\n]*\r?\n[\s\S]*CSeq: 2 INVITE/, /^ACK /m, /^BYE /m]) assert.match(uac.messages, line);
  // The UAS got belfry's own INVITE (B2BUA: a new Call-ID, belfry's SDP) and BYE.
  assert.match(uas.messages, /^INVITE sip:2002@127\.0\.0\.1:\d+/m);
  assert.match(uas.messages, /^ACK /m);
  assert.match(uas.messages, /^BYE /m);
  const uacCallId = /Call-ID: ([^\r\n]+)/.exec(uac.messages)?.[1];
  const uasCallId = /^INVITE[\s\S]*?Call-ID: ([^\r\n]+)/m.exec(uas.messages)?.[1];
  assert.ok(uacCallId && uasCallId && uacCallId !== uasCallId, 'the two legs are separate dialogs');

  let row: any;
  await waitFor(() => false, 200).catch(() => undefined);
  for (let i = 0; i < 20 && row?.disposition !== 'ANSWERED'; i++) {
    row = (await api('/api/v1/cdrs?limit=5')).body.items.find((r: { src: string; dst: string }) => r.src === '2001' && r.dst === '2002');
    if (row?.disposition !== 'ANSWERED') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(row?.disposition, 'ANSWERED');
  assert.equal(row?.hangupSide, 'caller');
});
