/**
 * Property tests for the four transaction machines (RFC 3261 §17): under any
 * interleaving of network events, TU responses and elapsed time, a machine
 * never throws on a legal event, reports at most one failure-or-final to the
 * TU, and leaves no timer running once Terminated.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  INVITE_CLIENT_INITIAL,
  INVITE_SERVER_INITIAL,
  NON_INVITE_CLIENT_INITIAL,
  NON_INVITE_SERVER_INITIAL,
  stepInviteClient,
  stepInviteServer,
  stepNonInviteClient,
  stepNonInviteServer,
  type ClientEvent,
  type ServerEvent,
  type TransactionEffect,
} from '../../../src/sip/transaction/index.ts';
import { MachineHarness, TIMERS, TRANSPORT_ERROR, builders, request, response } from '../../unit/sip/transaction/fixtures.ts';

type ClientAction = { t: 'resp'; status: number } | { t: 'err' } | { t: 'wait'; ms: number };
type ServerAction = { t: 'retx' } | { t: 'ack' } | { t: 'tu'; status: number } | { t: 'err' } | { t: 'wait'; ms: number };

const status = fc.oneof(fc.integer({ min: 100, max: 199 }), fc.integer({ min: 200, max: 299 }), fc.integer({ min: 300, max: 699 }));
const wait = fc.integer({ min: 1, max: 40_000 }).map((ms) => ({ t: 'wait' as const, ms }));
const clientActions = fc.array(fc.oneof(status.map((s) => ({ t: 'resp' as const, status: s })), fc.constant({ t: 'err' as const }), wait), { maxLength: 25 });
const serverActions = fc.array(
  fc.oneof(fc.constant({ t: 'retx' as const }), fc.constant({ t: 'ack' as const }), status.map((s) => ({ t: 'tu' as const, status: s })), fc.constant({ t: 'err' as const }), wait),
  { maxLength: 25 },
);

function tuOutcomes(effects: readonly TransactionEffect[]): number {
  return effects.filter((e) => e.kind === 'tu-timeout' || e.kind === 'tu-transport-error' || (e.kind === 'tu-response' && e.response.status >= 300)).length;
}

describe('transaction machines under random event sequences', () => {
  for (const method of ['INVITE', 'OPTIONS'] as const) {
    it(`${method} client: never throws, at most one non-2xx outcome reaches the TU, no timers after Terminated`, () => {
      const req = request({ method });
      fc.assert(
        fc.property(clientActions, fc.boolean(), (actions: ClientAction[], reliable) => {
          const ctx = { request: req, reliable, timers: TIMERS, builders };
          const h = new MachineHarness<{ kind: string }, ClientEvent>(
            method === 'INVITE' ? INVITE_CLIENT_INITIAL : NON_INVITE_CLIENT_INITIAL,
            (s, e) => (method === 'INVITE' ? stepInviteClient(ctx, s as typeof INVITE_CLIENT_INITIAL, e) : stepNonInviteClient(ctx, s as typeof NON_INVITE_CLIENT_INITIAL, e)),
            (name) => ({ kind: 'timer', name }),
          );
          h.feed({ kind: 'send-request' });
          for (const a of actions) {
            if (h.state.kind === 'terminated') break;
            if (a.t === 'wait') h.clock.advance(a.ms);
            else if (a.t === 'err') h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR });
            else h.feed({ kind: 'response', response: response(req, a.status) });
          }
          const all = h.log.map((l) => l.effect);
          assert.ok(tuOutcomes(all) <= 1, 'at most one failure or non-2xx final to the TU');
          if (h.state.kind === 'terminated') assert.deepEqual(h.runningTimers, []);
          if (reliable) assert.equal(all.filter((e) => e.kind === 'send' && e.message.kind === 'request' && e.message.method === method).length, 1);
        }),
        { numRuns: 300 },
      );
    });
  }

  for (const method of ['INVITE', 'BYE'] as const) {
    it(`${method} server: never throws on legal TU calls, every retransmission in Completed resends the final, terminates once, no timers after Terminated`, () => {
      const req = request({ method, toTag: method === 'BYE' ? 'x' : undefined });
      const ack = request({ method: 'ACK', toTag: 'tt1' });
      fc.assert(
        fc.property(serverActions, fc.boolean(), (actions: ServerAction[], reliable) => {
          const ctx = { request: req, reliable, timers: TIMERS, builders };
          const h = new MachineHarness<{ kind: string }, ServerEvent>(
            method === 'INVITE' ? INVITE_SERVER_INITIAL : NON_INVITE_SERVER_INITIAL,
            (s, e) => (method === 'INVITE' ? stepInviteServer(ctx, s as typeof INVITE_SERVER_INITIAL, e) : stepNonInviteServer(ctx, s as typeof NON_INVITE_SERVER_INITIAL, e)),
            (name) => ({ kind: 'timer', name }),
          );
          h.feed({ kind: 'receive-request' });
          for (const a of actions) {
            const kind = h.state.kind;
            if (kind === 'terminated') break;
            if (a.t === 'wait') h.clock.advance(a.ms);
            else if (a.t === 'err') h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR });
            else if (a.t === 'ack') {
              if (method === 'INVITE') h.feed({ kind: 'ack', ack });
            } else if (a.t === 'retx') {
              const effects = h.feed({ kind: 'request-retransmission' });
              if (kind === 'completed') assert.equal(effects.filter((e) => e.kind === 'send').length, 1);
            } else {
              // Only what a correct TU may do: responses before a final, 2xx repeats in Accepted.
              const open = kind === 'trying' || kind === 'proceeding' || (kind === 'accepted' && a.status >= 200 && a.status < 300);
              if (open) h.feed({ kind: 'tu-response', response: response(req, a.status) });
            }
          }
          if (h.state.kind === 'terminated') assert.deepEqual(h.runningTimers, []);
          // RFC 6026 Accepted reports each failed 2xx send to the TU, so only
          // the Timer H timeout and termination are counted here.
          const all = h.log.map((l) => l.effect);
          assert.ok(all.filter((e) => e.kind === 'tu-timeout').length <= 1);
          assert.ok(all.filter((e) => e.kind === 'terminated').length <= 1);
        }),
        { numRuns: 300 },
      );
    });
  }
});
