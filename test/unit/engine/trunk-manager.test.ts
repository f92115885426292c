/**
 * TrunkManager as the driver of the registration machine and the OPTIONS
 * ping, with a manual clock and a recording transaction layer (no sockets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, sequentialIds, silentLogger } from '../../../src/common/index.ts';
import { TrunkDirectory, TrunkManager } from '../../../src/engine/index.ts';
import {
  createResponse,
  createSipTimers,
  DigestServer,
  headerValue,
  type ClientTransactionHandle,
  type Flow,
  type LegContext,
  type ResponseHandler,
  type SipRequest,
} from '../../../src/sip/index.ts';
import { local, trunkPlan } from './trunk-fixture.ts';

interface Sent {
  readonly req: SipRequest;
  readonly flow: Flow;
  readonly answer: ResponseHandler;
}

function rig(trunks: string, env: Record<string, string> = {}) {
  const clock = new ManualClock();
  const sent: Sent[] = [];
  const ctx: LegContext = {
    transactions: {
      sendRequest(req, flow, answer) {
        sent.push({ req, flow, answer });
        return { key: req.callId, request: req, terminated: false } as unknown as ClientTransactionHandle;
      },
      sendAck() {},
    },
    routing: { register() {}, unregister() {} },
    clock,
    ids: sequentialIds('id'),
    timers: createSipTimers({}),
    log: silentLogger(),
    product: 'belfry/test',
    via: (_f, branch) => `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch};rport`,
    contact: () => '<sip:belfry@192.0.2.1:5060>',
  };
  const manager = new TrunkManager({ sip: ctx, clock, ids: ctx.ids, log: ctx.log, expiresS: 3600, retryMinMs: 1000, retryMaxMs: 8000 });
  const dir = (t: string, e: Record<string, string>) => new TrunkDirectory(trunkPlan(t), new Map(), local, { env: e, reachable: (n) => manager.reachable(n) });
  manager.update(dir(trunks, env));
  const reply = (s: Sent, status: number, headers: Array<{ name: string; value: string }> = []) => s.answer(createResponse(s.req, status, undefined, { toTag: 'x', headers }));
  return { clock, sent, manager, dir, reply, methods: (m: string) => sent.filter((s) => s.req.method === m) };
}

const digest = new DigestServer({ secret: Buffer.alloc(32, 3), nonceLifetimeMs: 600_000, maxTrackedNonces: 100, random: (n) => Buffer.alloc(n, 2) });
const REG = `  carrier:
    host: 198.51.100.7
    register: true
    username: acct
    password: "\${PASS}"
    ping: 0`;

test('registers with digest, shows registered, refreshes at half the granted expiry on the same Call-ID', () => {
  const r = rig(REG, { PASS: 'pw' });
  const first = r.methods('REGISTER')[0];
  assert.ok(first);
  assert.equal(first.req.uri, 'sip:198.51.100.7');
  assert.equal(first.flow.remoteAddress, '198.51.100.7');
  assert.equal(r.manager.state('carrier').registration, 'registering');
  const challenge = digest.createChallenge({ realm: 'c', now: 0, algorithms: ['MD5'] })[0] ?? '';
  r.reply(first, 401, [{ name: 'www-authenticate', value: challenge }]);
  const second = r.methods('REGISTER')[1];
  assert.ok(second);
  assert.equal(second.req.callId, first.req.callId);
  assert.equal(second.req.cseq.seq, 2);
  const ok = digest.verifyAuthorization({ method: 'REGISTER', requestUri: second.req.uri, authorizationValue: headerValue(second.req, 'authorization') ?? '', realm: 'c', lookup: () => ({ password: 'pw' }), now: 0 });
  assert.equal(ok.kind, 'ok');
  r.reply(second, 200, [{ name: 'contact', value: '<sip:belfry@192.0.2.1:5060>;expires=120' }]);
  const st = r.manager.state('carrier');
  assert.equal(st.registration, 'registered');
  assert.equal(Date.parse(st.nextAttempt ?? '') - r.clock.wallNow(), 60_000);
  r.clock.advance(59_999);
  assert.equal(r.methods('REGISTER').length, 2);
  r.clock.advance(1);
  const refresh = r.methods('REGISTER')[2];
  assert.equal(refresh?.req.callId, first.req.callId);
  assert.equal(refresh?.req.cseq.seq, 3);
});

test('a failing registrar is retried with exponential backoff, visible as failed with the next attempt', () => {
  const r = rig(REG, { PASS: 'pw' });
  const gaps: number[] = [];
  let last = r.clock.now();
  for (let i = 0; i < 5; i++) {
    const s = r.methods('REGISTER').at(-1);
    assert.ok(s);
    r.reply(s, 503);
    const st = r.manager.state('carrier');
    assert.equal(st.registration, 'failed');
    assert.equal(st.lastErrorCode, 'TRUNK_REG_UNAVAILABLE');
    const count = r.methods('REGISTER').length;
    while (r.methods('REGISTER').length === count) r.clock.advance(100);
    gaps.push(r.clock.now() - last);
    last = r.clock.now();
  }
  assert.deepEqual(gaps, [1000, 2000, 4000, 8000, 8000]);
});

test('CHANGE-ME credentials never register and the state says why', () => {
  const r = rig(REG, { PASS: 'CHANGE-ME' });
  assert.equal(r.methods('REGISTER').length, 0);
  const st = r.manager.state('carrier');
  assert.equal(st.registration, 'unregistered');
  assert.equal(st.lastErrorCode, 'TRUNK_CREDENTIALS_PLACEHOLDER');
});

test('OPTIONS ping: no answer marks the trunk unreachable, an answer brings it back', () => {
  const r = rig(`  carrier:\n    host: 203.0.113.9\n    ping: 5`);
  const ping = r.methods('OPTIONS')[0];
  assert.ok(ping);
  assert.equal(r.manager.reachable('carrier'), undefined);
  r.reply(ping, 408);
  assert.equal(r.manager.reachable('carrier'), false);
  assert.equal(r.manager.state('carrier').lastErrorCode, 'TRUNK_UNREACHABLE');
  assert.equal(r.manager.state('carrier').registration, 'not-used');
  r.clock.advance(5000);
  const again = r.methods('OPTIONS')[1];
  assert.ok(again);
  r.reply(again, 405); // any answer proves the carrier is there
  assert.equal(r.manager.reachable('carrier'), true);
});

test('plan swap with new credentials: the old binding is removed (Expires: 0) before the new REGISTER', () => {
  const r = rig(REG, { PASS: 'pw' });
  const first = r.methods('REGISTER')[0];
  assert.ok(first);
  r.reply(first, 200, [{ name: 'expires', value: '600' }]);
  r.manager.update(r.dir(REG, { PASS: 'pw2' }));
  const unreg = r.methods('REGISTER')[1];
  assert.equal(headerValue(unreg?.req ?? first.req, 'expires'), '0');
  assert.equal(r.methods('REGISTER').length, 2, 'the new registration waits');
  assert.ok(unreg);
  r.reply(unreg, 200);
  return new Promise<void>((done) =>
    setImmediate(() => {
      const fresh = r.methods('REGISTER')[2];
      assert.ok(fresh, 'new REGISTER after the old binding is gone');
      assert.notEqual(fresh.req.callId, first.req.callId);
      assert.equal(headerValue(fresh.req, 'expires'), '3600');
      done();
    }),
  );
});

test('close unregisters and resolves on the answer, or after its timeout when the carrier is silent', async () => {
  const r = rig(REG, { PASS: 'pw' });
  const first = r.methods('REGISTER')[0];
  assert.ok(first);
  r.reply(first, 200);
  const closing = r.manager.close(1500);
  const unreg = r.methods('REGISTER')[1];
  assert.equal(headerValue(unreg?.req ?? first.req, 'expires'), '0');
  r.clock.advance(1500);
  await closing;
  assert.equal(r.methods('REGISTER').length, 2);
});
