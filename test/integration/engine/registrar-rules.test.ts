/**
 * The registrar on the wire against a real belfry (RFC 3261 §10.3): 423
 * with Min-Expires, removing one binding with Expires 0 and all with
 * `Contact: *`, 403 for another user's AOR, the per-address block after
 * repeated wrong passwords (silence, while other addresses still register),
 * a user limited to `networks`, and bindings surviving a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBelfry, type BelfryProcess } from '../../helpers/belfry-process.ts';
import { makeSwitchConfig, PASSWORD } from '../../helpers/switch-config.ts';
import { TestUa } from '../../helpers/test-ua.ts';
import { api } from '../../helpers/admin-api.ts';

let sw: BelfryProcess;
const uas: TestUa[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'belfry-reg-'));
const users = [
  ...['2001', '2002', '2003', '2004', '2005'].map((e) => `  "${e}":\n    name: User ${e}\n    password: ${PASSWORD(e)}\n    max_contacts: 3`),
  `  "2006":\n    name: Remote Only\n    password: ${PASSWORD('2006')}\n    networks: ["10.0.0.0/8"]`,
].join('\n');
const configDir = makeSwitchConfig({ users });

async function ua(user: string, o: { host?: string; t1?: number } = {}): Promise<TestUa> {
  const u = await TestUa.start({ user, password: PASSWORD(user), switchPort: sw.sipPort, ...o });
  uas.push(u);
  return u;
}

async function bindingsOf(user: string): Promise<Array<{ contact: string }>> {
  const r = await api(sw, '/api/v1/registrations');
  return (r.body as { items: Array<{ user: string; contact: string }> }).items.filter((i) => i.user === user);
}

before(async () => {
  sw = await startBelfry({ configDir, dataDir });
});

after(async () => {
  for (const u of uas) await u.close();
  await sw?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('Expires below the minimum gets 423 Interval Too Brief with Min-Expires', async () => {
  const a = await ua('2001');
  const r = await a.register({ expires: 10 });
  assert.equal(r.status, 423);
  assert.equal(r.headers.find((h) => h.name === 'min-expires')?.value, '60');
  assert.equal((await bindingsOf('2001')).length, 0);
});

test('Expires: 0 removes one contact; Contact: * with Expires: 0 removes them all', async () => {
  const p1 = await ua('2003');
  const p2 = await ua('2003');
  const p3 = await ua('2003');
  for (const p of [p1, p2, p3]) assert.equal((await p.register()).status, 200);
  assert.equal((await bindingsOf('2003')).length, 3);
  const r = await p1.register({ expires: 0 });
  assert.equal(r.status, 200);
  const left = await bindingsOf('2003');
  assert.equal(left.length, 2);
  assert.ok(!left.some((b) => b.contact.includes(`:${p1.port}`)), 'the first phone is gone');
  const star = await p2.register({ contact: '*', expires: 0 });
  assert.equal(star.status, 200);
  assert.equal((await bindingsOf('2003')).length, 0);
});

test('REGISTER for another user\'s AOR is refused with 403', async () => {
  const a = await ua('2001');
  const r = await a.register({ toUser: '2002' });
  assert.equal(r.status, 403);
  assert.equal((await bindingsOf('2002')).length, 0);
});

test('a user limited to networks gets 403 from outside them', async () => {
  const r = await (await ua('2006')).register();
  assert.equal(r.status, 403);
  assert.equal((await bindingsOf('2006')).length, 0);
});

test('repeated wrong passwords block the address (no answer at all) while another address still registers', async () => {
  const bad = await ua('2004', { host: '127.0.0.3', t1: 50 });
  for (let i = 0; i < 5; i++) assert.equal((await bad.register({ password: 'wrong' })).status, 403, `attempt ${i + 1}`);
  // Blocked now: even the right password gets no answer (the client transaction times out: 408).
  const t0 = Date.now();
  const r = await bad.register();
  assert.equal(r.status, 408, 'no response from belfry');
  assert.ok(Date.now() - t0 >= 1000);
  const good = await ua('2005');
  assert.equal((await good.register()).status, 200, 'another address is not affected');
});

test('bindings survive a restart on the same data directory', async () => {
  const p = await ua('2002');
  assert.equal((await p.register()).status, 200);
  const before = await bindingsOf('2002');
  assert.equal(before.length, 1);
  assert.equal(await sw.stop(), 0);
  sw = await startBelfry({ configDir, dataDir });
  const afterRestart = await bindingsOf('2002');
  assert.deepEqual(afterRestart.map((b) => b.contact), before.map((b) => b.contact));
});
