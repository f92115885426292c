/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2): every state and
 * transition, on UDP and on a reliable transport.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError } from '../../../../src/common/index.ts';
import {
  NON_INVITE_CLIENT_INITIAL,
  stepNonInviteClient,
  type ClientEvent,
  type MachineContext,
  type NonInviteClientState,
} from '../../../../src/sip/transaction/index.ts';
import { MachineHarness, TIMERS, TRANSPORT_ERROR, kinds, request, response } from './fixtures.ts';

const options = request({ method: 'OPTIONS' });

function started(reliable = false) {
  const ctx: MachineContext = { request: options, reliable, timers: TIMERS };
  const h = new MachineHarness<NonInviteClientState, ClientEvent>(
    NON_INVITE_CLIENT_INITIAL,
    (s, e) => stepNonInviteClient(ctx, s, e),
    (name) => ({ kind: 'timer', name }),
  );
  h.feed({ kind: 'send-request' });
  return h;
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('Trying: the request is sent, Timer E starts at T1 and Timer F at 64·T1 (UDP)', () => {
    const h = started();
    assert.deepEqual(kinds(h.log.map((l) => l.effect)), ['send OPTIONS', 'start E 500', 'start F 32000']);
    assert.equal(h.state.kind, 'trying');
  });

  it('reliable transport: no Timer E, only Timer F', () => {
    const h = started(true);
    assert.deepEqual(kinds(h.log.map((l) => l.effect)), ['send OPTIONS', 'start F 32000']);
  });

  it('Timer E doubles up to T2: retransmits at 0.5, 1.5, 3.5, 7.5, 11.5 … s', () => {
    const h = started();
    h.clock.advance(20_000);
    assert.deepEqual(h.sendTimes('send OPTIONS'), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500]);
  });

  it('Timer F fires in Trying: the TU is informed of a timeout (408), Terminated', () => {
    const h = started();
    h.clock.advance(32_000);
    assert.equal(h.state.kind, 'terminated');
    assert.deepEqual(kinds(h.log.map((l) => l.effect)).slice(-3), ['cancel E', 'tu-timeout F', 'terminated']);
    assert.deepEqual(h.runningTimers, []);
  });

  it('Trying: a transport error is reported to the TU (503), Terminated', () => {
    const h = started();
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['cancel E', 'cancel F', 'tu-transport-error', 'terminated']);
  });

  it('Trying: a 1xx moves to Proceeding and goes to the TU; Timer E then retransmits every T2', () => {
    const h = started();
    h.clock.advance(500); // first retransmit at 500, E now runs 1000 → fires at 1500
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(options, 100) })), ['tu 100']);
    assert.equal(h.state.kind, 'proceeding');
    h.clock.advance(10_000); // to 10500
    assert.deepEqual(h.sendTimes('send OPTIONS'), [0, 500, 1500, 5500, 9500]);
  });

  it('Proceeding: further 1xx go to the TU; Timer F still applies (408)', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(options, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(options, 183) })), ['tu 183']);
    h.clock.advance(32_000);
    assert.equal(h.state.kind, 'terminated');
    assert.ok(kinds(h.log.map((l) => l.effect)).includes('tu-timeout F'));
  });

  it('Proceeding: a transport error is reported to the TU (503), Terminated', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(options, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['cancel E', 'cancel F', 'tu-transport-error', 'terminated']);
  });

  it('Trying: a 200–699 goes to the TU and moves to Completed with Timer K = T4 (UDP)', () => {
    const h = started();
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(options, 200) })), ['cancel E', 'cancel F', 'tu 200', 'start K 5000']);
    assert.equal(h.state.kind, 'completed');
  });

  it('Proceeding: a final response moves to Completed', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(options, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(options, 404) })), ['cancel E', 'cancel F', 'tu 404', 'start K 5000']);
  });

  it('Completed: response retransmissions are absorbed; Timer K → Terminated', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(options, 200) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(options, 200) })), []);
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), []);
    h.clock.advance(5_000);
    assert.equal(h.state.kind, 'terminated');
    assert.deepEqual(h.sendTimes('send OPTIONS'), [0]);
  });

  it('reliable transport: Timer K is zero, so a final response terminates at once', () => {
    const h = started(true);
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(options, 200) })), ['cancel F', 'tu 200', 'terminated']);
  });

  it('illegal moves throw IllegalTransitionError', () => {
    const h = started();
    assert.throws(() => h.feed({ kind: 'send-request' }), IllegalTransitionError);
    assert.throws(() => h.feed({ kind: 'timer', name: 'K' }), IllegalTransitionError);
    h.feed({ kind: 'response', response: response(options, 200) });
    assert.throws(() => h.feed({ kind: 'timer', name: 'E' }), IllegalTransitionError);
    h.clock.advance(5_000);
    assert.throws(() => h.feed({ kind: 'response', response: response(options, 200) }), IllegalTransitionError);
  });
});
