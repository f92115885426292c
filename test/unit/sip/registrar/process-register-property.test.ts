import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { processRegister, type Binding, type ContactFact, type RegisterFacts, type RegistrarPolicy } from '../../../../src/sip/registrar/index.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const FLOW = { protocol: 'udp', remoteAddress: '192.0.2.10', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 } as const;
const POLICY: RegistrarPolicy = { minExpires: 60, maxExpires: 3600, defaultExpires: 600, maxContacts: 3 };

const contact: fc.Arbitrary<ContactFact | '*'> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('*' as const) },
  {
    weight: 8,
    arbitrary: fc.record({
      uri: fc.oneof(fc.constantFrom('sip:a@192.0.2.1', 'sip:b@192.0.2.2', 'SIP:a@192.0.2.1', 'sip:c@h;transport=tcp', 'sips:d@h:5061', 'tel:+311'), fc.string({ maxLength: 20 })),
      expires: fc.option(fc.oneof(fc.constantFrom('0', '30', '60', '3600', '99999'), fc.string({ maxLength: 5 })), { nil: undefined }),
      q: fc.option(fc.constantFrom('0.5', '1', '1.0', 'x'), { nil: undefined }),
      instanceId: fc.option(fc.constantFrom('urn:uuid:1', 'urn:uuid:2'), { nil: undefined }),
      regId: fc.option(fc.constantFrom('1', '2', 'x'), { nil: undefined }),
    }),
  },
);

const request = fc.record({
  contacts: fc.array(contact, { maxLength: 5 }),
  expiresHeader: fc.option(fc.constantFrom('0', '45', '120', '7200', 'junk'), { nil: undefined }),
  callId: fc.constantFrom('c1', 'c2', 'c3'),
  cseq: fc.integer({ min: 1, max: 6 }),
  dt: fc.integer({ min: 0, max: 700_000 }),
});

test('property: over any REGISTER sequence, bindings stay ≤ maxContacts, rejections change nothing, and every 200 lists exactly the bindings', () => {
  fc.assert(
    fc.property(fc.array(request, { minLength: 1, maxLength: 12 }), (reqs) => {
      let state: Binding[] = [];
      let now = T0;
      for (const r of reqs) {
        now += r.dt;
        const facts: RegisterFacts = { aor: 'sip:alice@x', contacts: r.contacts, expiresHeader: r.expiresHeader, callId: r.callId, cseq: r.cseq, flow: FLOW, userAgent: undefined, now };
        const out = processRegister(state, facts, POLICY);
        if (out.response.status !== 200) {
          assert.equal(out.upsert.length + out.remove.length, 0);
          assert.ok(out.response.code !== undefined);
          continue;
        }
        const removed = new Set(out.remove);
        const ups = new Set(out.upsert.map((b) => b.key));
        state = [...state.filter((b) => !removed.has(b.key) && !ups.has(b.key)), ...out.upsert];
        const live = state.filter((b) => b.expiresAt > now);
        assert.ok(live.length <= POLICY.maxContacts, `live ${live.length}`);
        assert.deepEqual(new Set(live.map((b) => b.key)), new Set(out.bindings.map((b) => b.key)));
        const contacts = out.response.headers.filter((h) => h.name === 'contact');
        assert.equal(contacts.length, live.length);
        for (const b of live) {
          assert.ok(b.expiresAt - now <= POLICY.maxExpires * 1000);
          assert.ok(contacts.some((h) => h.value.startsWith(`<${b.contact}>;expires=`)));
        }
      }
    }),
    { numRuns: 400 },
  );
});
