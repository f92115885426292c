/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2): every state and
 * transition, on UDP and on a reliable transport.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError } from '../../../../src/common/index.ts';
import {
  NON_INVITE_SERVER_INITIAL,
  stepNonInviteServer,
  type MachineContext,
  type NonInviteServerState,
  type ServerEvent,
} from '../../../../src/sip/transaction/index.ts';
import { MachineHarness, TIMERS, TRANSPORT_ERROR, kinds, request, response } from './fixtures.ts';

const bye = request({ method: 'BYE', toTag: 'tt1' });

function received(reliable = false) {
  const ctx: MachineContext = { request: bye, reliable, timers: TIMERS };
  const h = new MachineHarness<NonInviteServerState, ServerEvent>(
    NON_INVITE_SERVER_INITIAL,
    (s, e) => stepNonInviteServer(ctx, s, e),
    (name) => ({ kind: 'timer', name }),
  );
  h.feed({ kind: 'receive-request' });
  return h;
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('Trying: the request creates the transaction and sends nothing by itself (no automatic 100)', () => {
    const h = received();
    assert.deepEqual(h.log, []);
    assert.equal(h.state.kind, 'trying');
  });

  it('non-INVITE server absorbs retransmissions in Trying', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), []);
    assert.equal(h.state.kind, 'trying');
  });

  it('Trying: a stale transport error is ignored (nothing was sent yet)', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), []);
  });

  it('Trying: a 1xx from the TU is sent and moves to Proceeding; retransmissions then get the last provisional', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(bye, 100) })), ['send 100']);
    assert.equal(h.state.kind, 'proceeding');
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(bye, 183) })), ['send 183']);
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 183']);
  });

  it('Proceeding: a transport error is reported to the TU, Terminated', () => {
    const h = received();
    h.feed({ kind: 'tu-response', response: response(bye, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['tu-transport-error', 'terminated']);
  });

  it('Trying: a 200–699 from the TU is sent; Completed with Timer J = 64·T1 (UDP)', () => {
    const h = received();
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(bye, 200) })), ['send 200', 'start J 32000']);
    assert.equal(h.state.kind, 'completed');
  });

  it('Proceeding: a 200–699 from the TU moves to Completed', () => {
    const h = received();
    h.feed({ kind: 'tu-response', response: response(bye, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(bye, 481) })), ['send 481', 'start J 32000']);
  });

  it('Completed: every request retransmission gets the final response again; Timer J → Terminated', () => {
    const h = received();
    h.feed({ kind: 'tu-response', response: response(bye, 200) });
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 200']);
    assert.deepEqual(kinds(h.feed({ kind: 'request-retransmission' })), ['send 200']);
    h.clock.advance(31_999);
    assert.equal(h.state.kind, 'completed');
    h.clock.advance(1);
    assert.equal(h.state.kind, 'terminated');
  });

  it('Completed: a transport error is reported to the TU, Terminated', () => {
    const h = received();
    h.feed({ kind: 'tu-response', response: response(bye, 200) });
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['cancel J', 'tu-transport-error', 'terminated']);
  });

  it('reliable transport: Timer J is zero, so the final response terminates at once', () => {
    const h = received(true);
    assert.deepEqual(kinds(h.feed({ kind: 'tu-response', response: response(bye, 200) })), ['send 200', 'terminated']);
  });

  it('illegal moves throw IllegalTransitionError: a second final, an ACK, a timer in Trying, events in Terminated', () => {
    const h = received();
    assert.throws(() => h.feed({ kind: 'ack', ack: bye }), IllegalTransitionError);
    assert.throws(() => h.feed({ kind: 'timer', name: 'J' }), IllegalTransitionError);
    h.feed({ kind: 'tu-response', response: response(bye, 200) });
    assert.throws(() => h.feed({ kind: 'tu-response', response: response(bye, 500) }), IllegalTransitionError);
    h.clock.advance(32_000);
    assert.throws(() => h.feed({ kind: 'request-retransmission' }), IllegalTransitionError);
  });
});
