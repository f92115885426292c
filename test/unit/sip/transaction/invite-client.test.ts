/**
 * INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2): every state
 * and transition of the diagram, on UDP and on a reliable transport.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError } from '../../../../src/common/index.ts';
import {
  INVITE_CLIENT_INITIAL,
  createSipTimers,
  stepInviteClient,
  type ClientEvent,
  type InviteClientContext,
  type InviteClientState,
} from '../../../../src/sip/transaction/index.ts';
import { MachineHarness, TIMERS, TRANSPORT_ERROR, builders, kinds, request, response } from './fixtures.ts';

const invite = request();

function harness(reliable = false, timers = TIMERS) {
  const ctx: InviteClientContext = { request: invite, reliable, timers, builders };
  return new MachineHarness<InviteClientState, ClientEvent>(
    INVITE_CLIENT_INITIAL,
    (s, e) => stepInviteClient(ctx, s, e),
    (name) => ({ kind: 'timer', name }),
  );
}

function started(reliable = false) {
  const h = harness(reliable);
  h.feed({ kind: 'send-request' });
  return h;
}

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('Calling: the INVITE is passed to the transport, Timer A starts at T1 and Timer B at 64·T1 (UDP)', () => {
    const h = harness();
    assert.deepEqual(kinds(h.feed({ kind: 'send-request' })), ['send INVITE', 'start A 500', 'start B 32000']);
    assert.equal(h.state.kind, 'calling');
  });

  it('Calling over a reliable transport: Timer A MUST NOT be started, Timer B is', () => {
    const h = harness(true);
    assert.deepEqual(kinds(h.feed({ kind: 'send-request' })), ['send INVITE', 'start B 32000']);
  });

  it('Timer A: retransmit at T1, 2·T1, 4·T1 … (intervals double without a cap)', () => {
    const h = started();
    h.clock.advance(31_999);
    // Sends at 0, 500, 1500, 3500, 7500, 15500, 31500: 7 transmissions before B.
    assert.deepEqual(h.sendTimes('send INVITE'), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(h.state.kind, 'calling');
  });

  it('Timer B fires in Calling: the TU is informed of a timeout (408) and the transaction terminates', () => {
    const h = started();
    h.clock.advance(32_000);
    assert.equal(h.state.kind, 'terminated');
    const tail = kinds(h.log.map((l) => l.effect)).slice(-3);
    assert.deepEqual(tail, ['cancel A', 'tu-timeout B', 'terminated']);
    assert.deepEqual(h.runningTimers, []);
  });

  it('Calling: a transport error MUST be reported to the TU (503) and the transaction terminates', () => {
    const h = started();
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['cancel A', 'cancel B', 'tu-transport-error', 'terminated']);
    assert.equal(h.state.kind, 'terminated');
  });

  it('Calling: a 1xx moves to Proceeding, goes to the TU, and retransmissions stop', () => {
    const h = started();
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 180) })), ['cancel A', 'cancel B', 'tu 180']);
    assert.equal(h.state.kind, 'proceeding');
    h.clock.advance(60_000);
    assert.deepEqual(h.sendTimes('send INVITE'), [0]);
    assert.equal(h.state.kind, 'proceeding');
  });

  it('Proceeding: further provisional responses MUST be passed up to the TU', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 183) })), ['tu 183']);
    assert.equal(h.state.kind, 'proceeding');
  });

  it('INVITE client: 300–699 in Calling MUST send ACK and move to Completed (Timer D ≥ 32 s on UDP)', () => {
    const h = started();
    const effects = h.feed({ kind: 'response', response: response(invite, 486) });
    assert.deepEqual(kinds(effects), ['cancel A', 'cancel B', 'send ACK', 'tu 486', 'start D 32000']);
    assert.equal(h.state.kind, 'completed');
  });

  it('§17.1.1.3: the ACK has the INVITE branch, CSeq number with method ACK, and the To tag of the response', () => {
    const h = started();
    const effects = h.feed({ kind: 'response', response: response(invite, 603, 'xyz') });
    const send = effects.find((e) => e.kind === 'send');
    assert.ok(send !== undefined && send.kind === 'send' && send.message.kind === 'request');
    const ack = send.message;
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.via.branch, invite.via.branch);
    assert.deepEqual(ack.cseq, { seq: invite.cseq.seq, method: 'ACK' });
    assert.equal(ack.to.tag, 'xyz');
    assert.equal(ack.uri, invite.uri);
  });

  it('Proceeding: 300–699 MUST send ACK, pass the response up and move to Completed', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 180) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 404) })), ['send ACK', 'tu 404', 'start D 32000']);
    assert.equal(h.state.kind, 'completed');
  });

  it('Completed: a retransmitted final response MUST cause the ACK to be resent and MUST NOT go to the TU', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 486) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 486) })), ['send ACK']);
    // Provisionals and 2xx are ignored in Completed.
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 180) })), []);
    assert.equal(h.state.kind, 'completed');
  });

  it('Completed: Timer D fires → Terminated', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 486) });
    h.clock.advance(31_999);
    assert.equal(h.state.kind, 'completed');
    h.clock.advance(1);
    assert.equal(h.state.kind, 'terminated');
  });

  it('Completed: a transport error while sending the ACK terminates without a second TU report', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 486) });
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), ['cancel D', 'terminated']);
  });

  it('reliable transport: Timer D is zero, so a 300–699 moves straight to Terminated', () => {
    const h = started(true);
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 486) })), ['cancel B', 'send ACK', 'tu 486', 'terminated']);
    assert.equal(h.state.kind, 'terminated');
  });

  it('Timer D is at least 32 s even with a tiny T1, and 64·T1 when T1 is stretched', () => {
    assert.equal(createSipTimers({ T1: 50 }).D, 32_000);
    assert.equal(createSipTimers({ T1: 1000, T2: 4000 }).D, 64_000);
  });

  it('RFC 6026: a 2xx in Calling goes to the TU and moves to Accepted with Timer M = 64·T1', () => {
    const h = started();
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 200) })), ['cancel A', 'cancel B', 'tu 200', 'start M 32000']);
    assert.equal(h.state.kind, 'accepted');
  });

  it('RFC 6026: a 2xx in Proceeding goes to the TU and moves to Accepted', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 180) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 200) })), ['tu 200', 'start M 32000']);
    assert.equal(h.state.kind, 'accepted');
  });

  it('RFC 6026: 2xx retransmissions in Accepted are passed to the TU; other responses are discarded', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 200) });
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 200) })), ['tu 200']);
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 200, 'fork2') })), ['tu 200']);
    assert.deepEqual(kinds(h.feed({ kind: 'response', response: response(invite, 486) })), []);
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), []);
    assert.equal(h.state.kind, 'accepted');
  });

  it('RFC 6026: Timer M fires in Accepted → Terminated', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 200) });
    h.clock.advance(32_000);
    assert.equal(h.state.kind, 'terminated');
  });

  it('Proceeding: a late transport error (for an earlier retransmission) changes nothing', () => {
    const h = started();
    h.feed({ kind: 'response', response: response(invite, 100) });
    assert.deepEqual(kinds(h.feed({ kind: 'transport-error', error: TRANSPORT_ERROR })), []);
    assert.equal(h.state.kind, 'proceeding');
  });

  it('illegal moves throw IllegalTransitionError: a response before send, Timer B in Proceeding, anything in Terminated', () => {
    const fresh = harness();
    assert.throws(() => fresh.feed({ kind: 'response', response: response(invite, 180) }), IllegalTransitionError);
    const h = started();
    assert.throws(() => h.feed({ kind: 'send-request' }), IllegalTransitionError);
    h.feed({ kind: 'response', response: response(invite, 180) });
    assert.throws(() => h.feed({ kind: 'timer', name: 'B' }), IllegalTransitionError);
    h.feed({ kind: 'response', response: response(invite, 486) });
    assert.throws(() => h.feed({ kind: 'timer', name: 'A' }), IllegalTransitionError);
    h.clock.advance(32_000);
    assert.throws(() => h.feed({ kind: 'response', response: response(invite, 486) }), IllegalTransitionError);
  });
});
