/**
 * UacLeg against a recording transaction layer and a manual clock (no
 * sockets): CANCEL timing and Reason (RFC 3261 §9.1, RFC 3326), the 2xx
 * that races a CANCEL, the final response after a CANCEL, and the late-offer
 * answer carried in the ACK (§13.2.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, cryptoIds, silentLogger } from '../../../../src/common/index.ts';
import { createResponse, createSipTimers, headerValue, UacLeg, type Flow, type LegContext, type LegEvent, type ResponseHandler, type SipRequest } from '../../../../src/sip/index.ts';

const flow: Flow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: 5070, localAddress: '127.0.0.1', localPort: 5060 };

function harness(opts: { body?: boolean; lateAnswer?: boolean } = {}) {
  const sent: Array<{ request: SipRequest; onResponse: ResponseHandler }> = [];
  const acks: SipRequest[] = [];
  const ctx: LegContext = {
    transactions: {
      sendRequest(request, _flow, onResponse) {
        const entry = { request, onResponse };
        sent.push(entry);
        const handOver = (h: ResponseHandler): void => {
          entry.onResponse = h;
        };
        return { key: String(sent.length), request, terminated: false, cancel: () => false, handOver } as unknown as ReturnType<LegContext['transactions']['sendRequest']>;
      },
      sendAck(ack) {
        acks.push(ack);
      },
    },
    routing: { register: () => {}, unregister: () => {} },
    clock: new ManualClock(),
    ids: cryptoIds(),
    timers: createSipTimers({ T1: 500 }),
    log: silentLogger(),
    via: (_f, branch) => `SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`,
    contact: () => '<sip:belfry@127.0.0.1:5060>',
    product: 'belfry-test',
  };
  const leg = new UacLeg(ctx, {
    flow,
    requestUri: 'sip:2002@127.0.0.1:5070',
    from: '<sip:2001@belfry>',
    to: '<sip:2002@belfry>',
    body: opts.body === false ? undefined : { body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' },
    lateAnswer: opts.lateAnswer ? (offer) => ({ body: Buffer.concat([Buffer.from('answer-to:'), offer]), contentType: 'application/sdp' }) : undefined,
  });
  const events: LegEvent[] = [];
  leg.on((e) => events.push(e));
  leg.start();
  const invite = sent[0];
  assert.ok(invite);
  const respond = (status: number, body?: string) =>
    invite.onResponse(createResponse(invite.request, status, undefined, { toTag: 'callee-tag', headers: [{ name: 'contact', value: '<sip:2002@127.0.0.1:5070>' }], body: body === undefined ? undefined : Buffer.from(body) }));
  return { leg, sent, acks, events, respond };
}

test('UAC leg: a CANCEL before any provisional waits for one (RFC 3261 §9.1), then carries the Reason (RFC 3326)', () => {
  const h = harness();
  h.leg.cancel('SIP;cause=200;text="Call completed elsewhere"');
  assert.equal(h.sent.length, 1, 'no CANCEL before a provisional');
  h.respond(180);
  assert.equal(h.sent.length, 2);
  const cancel = h.sent[1]?.request;
  assert.equal(cancel?.method, 'CANCEL');
  assert.equal(headerValue(cancel ?? h.sent[0]!.request, 'reason'), 'SIP;cause=200;text="Call completed elsewhere"');
  h.respond(180);
  assert.equal(h.sent.length, 2, 'one CANCEL only');
});

test('UAC leg: the 487 after our CANCEL is reported once as cancel-completed, not as a failure', () => {
  const h = harness();
  h.respond(180);
  h.leg.cancel();
  h.respond(487);
  h.respond(487);
  assert.deepEqual(
    h.events.filter((e) => e.kind === 'cancel-completed' || e.kind === 'failed').map((e) => e.kind),
    ['cancel-completed'],
  );
});

test('UAC leg: a 2xx that races our CANCEL is ACKed and released with BYE', () => {
  const h = harness();
  h.respond(180);
  h.leg.cancel();
  h.respond(200, 'v=0\r\n');
  assert.equal(h.acks.length, 1);
  assert.equal(h.sent.at(-1)?.request.method, 'BYE');
  assert.equal(h.events.some((e) => e.kind === 'answered'), false);
});

test('UAC leg: late offer — the answer to the offer in the 2xx goes in the ACK, and again for a retransmitted 2xx (§13.2.1)', () => {
  const h = harness({ body: false, lateAnswer: true });
  h.respond(200, 'offer');
  assert.equal(h.acks.length, 1);
  assert.equal(h.acks[0]?.body.toString(), 'answer-to:offer');
  assert.equal(headerValue(h.acks[0] ?? h.sent[0]!.request, 'content-type'), 'application/sdp');
  h.respond(200, 'offer');
  assert.equal(h.acks.length, 2);
  assert.equal(h.acks[1]?.body.toString(), 'answer-to:offer');
});

test('UAC leg: with an offer in the INVITE the ACK carries no body', () => {
  const h = harness({ lateAnswer: true });
  h.respond(200, 'answer');
  assert.equal(h.acks[0]?.body.length, 0);
});

test('UAC leg: after the call ends, a 2xx retransmission (Timer M) is ACKed again by the handed-over handler, which keeps no leg', () => {
  const h = harness({ body: false, lateAnswer: true });
  const legHandler = h.sent[0]?.onResponse;
  h.respond(200, 'offer');
  assert.equal(h.acks.length, 1);
  h.leg.hangup();
  assert.equal(h.sent.at(-1)?.request.method, 'BYE');
  assert.notEqual(h.sent[0]?.onResponse, legHandler, 'the INVITE transaction no longer holds the leg handler');
  h.respond(200, 'offer');
  assert.equal(h.acks.length, 2, 'the retransmitted 2xx is ACKed');
  assert.equal(h.acks[1]?.body.toString(), 'answer-to:offer', 'with the same ACK (late-offer answer included)');
  assert.equal(h.acks[1]?.cseq.seq, h.acks[0]?.cseq.seq);
  assert.equal(h.acks[1]?.callId, h.acks[0]?.callId);
  const invite = h.sent[0];
  assert.ok(invite);
  invite.onResponse(createResponse(invite.request, 200, undefined, { toTag: 'other-fork', headers: [{ name: 'contact', value: '<sip:2002@127.0.0.1:5071>' }] }));
  assert.equal(h.acks.length, 2, 'a 2xx from another fork after the call ended is not answered (logged)');
});
