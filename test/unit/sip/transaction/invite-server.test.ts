/**
 * INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1): every state
 * and transition, on UDP and on a reliable transport, and the 100 Trying
 * choice (sent at once).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError } from '../../../../src/common/index.ts';
import {
  INVITE_SERVER_INITIAL,
  stepInviteServer,
  type InviteServerContext,
  type InviteServerState,
  type ServerEvent,
} from '../../../../src/sip/transaction/index.ts';
import { MachineHarness, TIMERS, TRANSPORT_ERROR, builders, kinds, request, response } from './fixtures.ts';

const invite = request();
const ack = request({ method: 'ACK', toTag: 'tt1' });

function received(reliable = false) {
  const ctx: InviteServerContext = { request: invite, reliable, timers: TIMERS, builders };
  const h = new MachineHarness<InviteServerState, ServerEvent>(
    INVITE_SERVER_INITIAL,
    (s, e) => stepInviteServer(ctx, s, e),
    (name) => ({ kind: 'timer', name }),
  );
  h.feed({ kind: 'receive-request' });
  return h;
}

function completed(reliable = false) {
  const h = received(reliable);
  h.feed({ kind: 'tu-response', response: response(invite, 486) });
  return h;
}

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  it('Proceeding: the server transaction MUST generate a 100 (Trying) — belfry sends it at once, without a To tag', () => {
    const h = received();
    assert.deepEqual(kinds(h.log.map((l) => l.effect)), ['send 100']);
    const first = h.log[0]?.effect;
    assert.ok(first?.kind === 'send' && first.message.kind === 'response');
    assert.equal(first.message.to.tag, undefined);
    assert.equal(h.state.kind, 'proceeding');
  });

  it('Proceeding: an INVITE retransmission resends the most recent provisional response', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 100']);
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(invite, 180) })), ['send 180']);
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 180']);
    assert.equal(h.state.kind, 'proceeding');
  });

  it('RFC 6026: a transport error in Proceeding is reported to the TU but MUST NOT discard the transaction state', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['tu-transport-error']);
    assert.equal(h.state.kind, 'proceeding');
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 100']);
  });

  it('Proceeding: a stray ACK before any final response is dropped', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'ack', ack })), []);
    assert.equal(h.state.kind, 'proceeding');
  });

  it('Proceeding: a 300–699 from the TU is sent; Completed with Timer G = T1 and Timer H = 64·T1 (UDP)', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(invite, 486) })), ['send 486', 'start G 500', 'start H 32000']);
    assert.equal(h.state.kind, 'completed');
  });

  it('reliable transport: Completed starts only Timer H', () => {
    const h = received(true);
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(invite, 486) })), ['send 486', 'start H 32000']);
  });

  it('Timer G: the final response is retransmitted at T1, 2·T1, 4·T1 … capped at T2', () => {
    const h = completed();
    h.clock.advance(20_000);
    assert.deepEqual(h.sendTimes('send 486'), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500]);
  });

  it('Completed: an INVITE retransmission resends the final response', () => {
    const h = completed();
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 486']);
  });

  it('Completed: Timer H fires without an ACK → the TU is told (408) and the transaction terminates', () => {
    const h = completed();
    h.clock.advance(32_000);
    assert.equal(h.state.kind, 'terminated');
    assert.deepEqual(kinds(h.log.map((l) => l.effect)).slice(-3), ['cancel G', 'tu-timeout H', 'terminated']);
    assert.deepEqual(h.runningTimers, []);
  });

  it('RFC 6026: a transport error in Completed is reported to the TU; the state stays until Timer H', () => {
    const h = completed();
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['tu-transport-error']);
    assert.equal(h.state.kind, 'completed');
    h.clock.advance(TIMERS.H);
    assert.equal(h.state.kind, 'terminated');
  });

  it('Completed: the ACK moves to Confirmed with Timer I = T4 (UDP); G and H stop', () => {
    const h = completed();
    assert.deepEqual(kinds(h.feed({ kind: 'ack', ack })), ['cancel G', 'cancel H', 'start I 5000']);
    assert.equal(h.state.kind, 'confirmed');
    h.clock.advance(10_000);
    assert.deepEqual(h.sendTimes('send 486'), [0]);
  });

  it('Confirmed: ACK and INVITE retransmissions are absorbed; Timer I → Terminated', () => {
    const h = completed();
    h.feed({ kind: 'ack', ack });
    assert.deepEqual(kinds(h.feed({ kind: 'ack', ack })), []);
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), []);
    h.clock.advance(5_000);
    assert.equal(h.state.kind, 'terminated');
  });

  it('reliable transport: Timer I is zero, so the ACK terminates at once', () => {
    const h = completed(true);
    assert.deepEqual(kinds(h.feed({ kind: 'ack', ack })), ['cancel H', 'terminated']);
  });

  it('RFC 6026: a 2xx from the TU is sent and the transaction moves to Accepted with Timer L = 64·T1', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(invite, 200) })), ['send 200', 'start L 32000']);
    assert.equal(h.state.kind, 'accepted');
  });

  it('RFC 6026: in Accepted, 2xx retransmissions from the TU are sent, ACKs go to the TU, INVITE retransmissions are absorbed', () => {
    const h = received();
    h.feed({ kind: 'tu-response', response: response(invite, 200) });
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(invite, 200) })), ['send 200']);
    assert.deepEqual(kinds(h.feed({ kind: 'ack', ack })), ['tu ACK']);
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), []);
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['tu-transport-error']);
    assert.equal(h.state.kind, 'accepted');
  });

  it('RFC 6026: Timer L fires in Accepted → Terminated', () => {
    const h = received();
    h.feed({ kind: 'tu-response', response: response(invite, 200) });
    h.clock.advance(32_000);
    assert.equal(h.state.kind, 'terminated');
  });

  it('illegal moves throw IllegalTransitionError: a second final, a non-2xx in Accepted, events in Terminated', () => {
    const c = completed();
    assert.throws(() => c.feed({ kind: 'tu-response', response: response(invite, 500) }), IllegalTransitionError);
    const a = received();
    assert.throws(() => a.feed({ kind: 'receive-request' }), IllegalTransitionError);
    a.feed({ kind: 'tu-response', response: response(invite, 200) });
    assert.throws(() => a.feed({ kind: 'tu-response', response: response(invite, 486) }), IllegalTransitionError);
    a.clock.advance(32_000);
    assert.throws(() => a.feed({ kind: 'ack', ack }), IllegalTransitionError);
  });
});
