import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBindingStore, processRegister, type RegisterFacts } from '../../../../src/sip/registrar/index.ts';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const FLOW = { protocol: 'udp', remoteAddress: '192.0.2.10', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 } as const;
const POLICY = { minExpires: 60, maxExpires: 3600, defaultExpires: 600, maxContacts: 2 };

function register(store: MemoryBindingStore, f: Partial<RegisterFacts> & Pick<RegisterFacts, 'contacts'>): number {
  const facts: RegisterFacts = { aor: 'sip:a@x', expiresHeader: undefined, callId: 'c', cseq: 1, flow: FLOW, userAgent: undefined, now: NOW, ...f };
  const out = processRegister(store.bindingsFor(facts.aor, facts.now), facts, POLICY);
  store.applyBindingChanges(facts.aor, out.upsert, out.remove);
  return out.response.status;
}

test('MemoryBindingStore drives the registrar like the SQLite store: add, refresh, remove, expire, purge', () => {
  const s = new MemoryBindingStore();
  assert.equal(register(s, { contacts: [{ uri: 'sip:a@192.0.2.10', expires: '120' }] }), 200);
  assert.equal(register(s, { contacts: [{ uri: 'sip:b@192.0.2.11' }], cseq: 2 }), 200);
  assert.equal(s.bindingsFor('sip:a@x', NOW).length, 2);
  assert.equal(register(s, { contacts: [{ uri: 'sip:b@192.0.2.11' }], cseq: 2 }), 400, 'same Call-ID and CSeq');
  assert.equal(register(s, { contacts: [{ uri: 'sip:b@192.0.2.11', expires: '0' }], cseq: 3 }), 200);
  assert.deepEqual(s.bindingsFor('sip:a@x', NOW).map((b) => b.contact), ['sip:a@192.0.2.10']);
  assert.equal(s.bindingsFor('sip:a@x', NOW + 120_000).length, 0);
  assert.equal(s.purgeExpired(NOW + 120_000), 1);
  assert.equal(s.purgeExpired(NOW + 120_000), 0);
  const foreign = processRegister([], { aor: 'sip:other@x', contacts: [{ uri: 'sip:z@h' }], expiresHeader: undefined, callId: 'c', cseq: 1, flow: FLOW, userAgent: undefined, now: NOW }, POLICY).upsert;
  assert.throws(() => s.applyBindingChanges('sip:a@x', [...foreign], []));
  assert.equal(s.bindingsFor('sip:a@x', NOW).length, 0);
});
