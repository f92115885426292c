import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, sequentialIds, silentLogger } from '../../../src/common/index.ts';
import { RegistrarService, type RegistrarServiceOptions } from '../../../src/engine/registrar-service.ts';
import type { Binding, SipRequest } from '../../../src/sip/index.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function binding(i: number): Binding {
  return {
    aor: `sip:${1000 + i}@pbx`, key: `uri:sip:${1000 + i}@192.0.2.${i % 250}:5060`, contact: `sip:${1000 + i}@192.0.2.${i % 250}:5060`,
    flow: { protocol: 'udp', remoteAddress: `192.0.2.${i % 250}`, remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 },
    expiresAt: T0 + 3_600_000, q: undefined, callId: `c${i}`, cseq: 1, userAgent: undefined, instanceId: undefined, regId: undefined, registeredAt: T0, updatedAt: T0,
  };
}

/** A registrar with fake transport and store: records every OPTIONS it sends and the callback for its answer. */
function setup(n: number): { clock: ManualClock; sent: Array<{ to: string; answer: (status: number) => void }>; reg: RegistrarService; all: Binding[] } {
  const clock = new ManualClock(0, T0);
  const all = Array.from({ length: n }, (_, i) => binding(i));
  const sent: Array<{ to: string; answer: (status: number) => void }> = [];
  const sip = {
    via: () => 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
    transactions: {
      sendRequest: (req: SipRequest, _flow: unknown, onResponse: (r: { status: number }) => void) => {
        sent.push({ to: req.headers.find((h) => h.name === 'to')?.value ?? '', answer: (status) => onResponse({ status }) });
      },
    },
  } as unknown as RegistrarServiceOptions['sip'];
  const store = { bindingsFor: (aor: string) => all.filter((b) => b.aor === aor), applyBindingChanges: () => {}, purgeExpired: () => 0 };
  const reg = new RegistrarService({
    store, auth: {} as RegistrarServiceOptions['auth'], policy: { minExpires: 60, maxExpires: 7200, defaultExpires: 3600, maxContacts: 5 },
    maxContactsFor: () => 5, clock, ids: sequentialIds(), log: silentLogger(), sip, domain: () => 'pbx', qualifyIntervalMs: 60_000,
  });
  reg.setBindingLister(() => all);
  return { clock, sent, reg, all };
}

test('qualify: a round starts one interval after start and is spread over the interval, each binding once', (t) => {
  const { clock, sent, reg } = setup(600);
  t.after(() => reg.close());
  clock.advance(59_000);
  assert.equal(sent.length, 0, 'nothing before the first interval');
  clock.advance(1_000);
  assert.equal(sent.length, 10, '600 bindings over 60 ticks: 10 per second, not 600 at once');
  clock.advance(30_000);
  assert.equal(sent.length, 310);
  clock.advance(29_000);
  assert.equal(sent.length, 600, 'the round ends within its interval');
  assert.equal(new Set(sent.map((s) => s.to)).size, 600, 'every binding exactly once');
  clock.advance(1_000);
  assert.equal(sent.length, 610, 'the next round starts one interval after the previous one');
});

test('qualify: no answer (408) marks a contact unreachable and it is not rung; an answer makes it reachable again', (t) => {
  const { clock, sent, reg, all } = setup(3);
  t.after(() => reg.close());
  clock.advance(60_000);
  assert.equal(sent.length, 1, 'fewer bindings than ticks: one per tick');
  clock.advance(2_000);
  assert.equal(sent.length, 3);
  const first = sent[0];
  assert.ok(first !== undefined);
  first.answer(408);
  const user = all[0]?.aor.slice(4, 8) ?? '';
  assert.deepEqual(reg.contactsOf(user), []);
  first.answer(200);
  assert.equal(reg.contactsOf(user).length, 1);
});
