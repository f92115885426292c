/**
 * The transaction layer (RFC 3261 §17, §9, §18.1.2) with an in-memory
 * SipTransport and a ManualClock: retransmission absorption, CANCEL
 * matching, stray responses, synthetic 408/503, the memory bound.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, sequentialIds } from '../../../../src/common/index.ts';
import { createAckForNonSuccess, createCancel, parseSipMessage, type SipMessage, type SipResponse } from '../../../../src/sip/message/index.ts';
import { TransactionLayer, createTransactionMessages, type ServerTransactionHandle, type TransactionError } from '../../../../src/sip/transaction/index.ts';
import type { Flow, SipTransport, TransportError } from '../../../../src/sip/transport/index.ts';
import { TCP_FLOW, TIMERS, UDP_FLOW, request, response, responseWith } from './fixtures.ts';

class FakeTransport implements SipTransport {
  readonly sent: { flow: Flow; message: SipMessage }[] = [];
  failWith: TransportError | undefined;
  #handler: ((m: SipMessage, f: Flow) => void) | undefined;
  send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void): void {
    const parsed = parseSipMessage(bytes);
    assert.ok(parsed.ok, 'the layer sends well-formed messages');
    this.sent.push({ flow, message: parsed.message });
    const failure = this.failWith;
    if (failure !== undefined) queueMicrotask(() => onError?.(failure));
  }
  onMessage(handler: (m: SipMessage, f: Flow) => void): void {
    this.#handler = handler;
  }
  deliver(message: SipMessage, flow: Flow = UDP_FLOW): void {
    this.#handler?.(message, flow);
  }
  /** Start lines of everything sent, e.g. ['INVITE', '100', 'ACK']. */
  get lines(): string[] {
    return this.sent.map((s) => (s.message.kind === 'request' ? s.message.method : String(s.message.status)));
  }
}

function setup(maxTransactions?: number) {
  const clock = new ManualClock();
  const transport = new FakeTransport();
  const layer = new TransactionLayer({ transport, clock, timers: TIMERS, messages: createTransactionMessages(sequentialIds()), maxTransactions });
  return { clock, transport, layer };
}

function collect() {
  const got: { status: number; code: string | undefined }[] = [];
  const handler = (r: SipResponse, e?: TransactionError) => got.push({ status: r.status, code: e?.code });
  return { got, handler };
}

describe('transaction layer: client side', () => {
  it('an INVITE is retransmitted by Timer A over UDP until a provisional arrives, and responses reach the TU', () => {
    const { clock, transport, layer } = setup();
    const invite = request();
    const { got, handler } = collect();
    layer.sendRequest(invite, UDP_FLOW, handler);
    clock.advance(1500);
    assert.deepEqual(transport.lines, ['INVITE', 'INVITE', 'INVITE']);
    transport.deliver(response(invite, 180));
    clock.advance(10_000);
    assert.equal(transport.lines.length, 3);
    transport.deliver(response(invite, 200));
    assert.deepEqual(got, [{ status: 180, code: undefined }, { status: 200, code: undefined }]);
    assert.equal(layer.counts().clientTransactions, 1, 'Accepted keeps the transaction for Timer M');
    clock.advance(TIMERS.M);
    assert.equal(layer.counts().clientTransactions, 0);
    assert.equal(clock.pending, 0);
  });

  it('reliable flow: the request is sent once, with no retransmission', () => {
    const { clock, transport, layer } = setup();
    layer.sendRequest(request(), TCP_FLOW, () => undefined);
    clock.advance(20_000);
    assert.deepEqual(transport.lines, ['INVITE']);
  });

  it('§8.1.3.1: a timeout (Timer B) reaches the TU as a synthetic 408, and the transaction is removed', () => {
    const { clock, layer } = setup();
    const { got, handler } = collect();
    layer.sendRequest(request(), UDP_FLOW, handler);
    clock.advance(TIMERS.B);
    assert.deepEqual(got, [{ status: 408, code: 'SIP_TRANSACTION_TIMEOUT' }]);
    assert.equal(layer.counts().clientTransactions, 0);
    assert.equal(clock.pending, 0);
  });

  it('§8.1.3.1: a transport error reaches the TU as a synthetic 503', async () => {
    const { transport, layer } = setup();
    transport.failWith = { code: 'SIP_TRANSPORT_SEND_FAILED', message: 'EHOSTUNREACH' };
    const { got, handler } = collect();
    layer.sendRequest(request({ method: 'OPTIONS' }), UDP_FLOW, handler);
    await Promise.resolve();
    assert.deepEqual(got, [{ status: 503, code: 'SIP_TRANSACTION_TRANSPORT' }]);
    assert.equal(layer.counts().clientTransactions, 0);
  });

  it('a 486 is ACKed by the layer; its retransmission is ACKed again but reaches the TU only once', () => {
    const { transport, layer } = setup();
    const invite = request();
    const { got, handler } = collect();
    layer.sendRequest(invite, UDP_FLOW, handler);
    transport.deliver(response(invite, 486));
    transport.deliver(response(invite, 486));
    assert.deepEqual(transport.lines, ['INVITE', 'ACK', 'ACK']);
    assert.deepEqual(got, [{ status: 486, code: undefined }]);
  });

  it('§18.1.2: a response matching no client transaction is dropped and counted', () => {
    const { transport, layer } = setup();
    const { got, handler } = collect();
    layer.sendRequest(request(), UDP_FLOW, handler);
    transport.deliver(responseWith('z9hG4bKnobody', 'INVITE', 200));
    transport.deliver(responseWith('z9hG4bKabc1', 'BYE', 200));
    assert.deepEqual(got, []);
    assert.equal(layer.counts().strayResponses, 2);
  });

  it('§9.1: cancel() before any provisional waits; the CANCEL goes out in its own transaction once a 1xx arrives', () => {
    const { transport, layer } = setup();
    const invite = request();
    const cancelResponses = collect();
    const tx = layer.sendRequest(invite, UDP_FLOW, () => undefined);
    assert.equal(tx.cancel(cancelResponses.handler), true);
    assert.equal(tx.cancel(), false, 'a second cancel is a no-op');
    assert.deepEqual(transport.lines, ['INVITE']);
    transport.deliver(response(invite, 180));
    assert.deepEqual(transport.lines, ['INVITE', 'CANCEL']);
    assert.equal(layer.counts().clientTransactions, 2);
    transport.deliver(response(createCancel(invite), 200));
    assert.deepEqual(cancelResponses.got, [{ status: 200, code: undefined }]);
    transport.deliver(response(invite, 487));
    assert.deepEqual(transport.lines, ['INVITE', 'CANCEL', 'ACK']);
  });

  it('§9.1: cancel() after a final response does nothing; it is refused for non-INVITE requests', () => {
    const { transport, layer } = setup();
    const invite = request();
    const tx = layer.sendRequest(invite, UDP_FLOW, () => undefined);
    transport.deliver(response(invite, 200));
    assert.equal(tx.cancel(), false);
    assert.equal(layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKopt' }), UDP_FLOW, () => undefined).cancel(), false);
  });

  it('the TU may cancel from inside its provisional-response callback', () => {
    const { transport, layer } = setup();
    const invite = request();
    const tx = layer.sendRequest(invite, UDP_FLOW, (r) => {
      if (r.status === 180) tx.cancel();
    });
    transport.deliver(response(invite, 180));
    assert.deepEqual(transport.lines, ['INVITE', 'CANCEL']);
  });

  it('memory bound: over maxTransactions a new client request is not sent and the TU gets a 503', async () => {
    const { transport, layer } = setup(1);
    layer.sendRequest(request(), UDP_FLOW, () => undefined);
    const { got, handler } = collect();
    layer.sendRequest(request({ branch: 'z9hG4bKsecond' }), UDP_FLOW, handler);
    await Promise.resolve();
    assert.deepEqual(got, [{ status: 503, code: 'SIP_TRANSACTION_TABLE_FULL' }]);
    assert.deepEqual(transport.lines, ['INVITE']);
    assert.equal(layer.counts().rejectedOverLimit, 1);
  });

  it('ACK is not a transaction: sendRequest refuses it, sendAck sends it as is', () => {
    const { transport, layer } = setup();
    const invite = request();
    const ack = createAckForNonSuccess(invite, response(invite, 486));
    assert.throws(() => layer.sendRequest(ack, UDP_FLOW, () => undefined), RangeError);
    layer.sendAck(ack, UDP_FLOW);
    assert.deepEqual(transport.lines, ['ACK']);
    assert.equal(layer.counts().clientTransactions, 0);
  });
});

describe('transaction layer: server side', () => {
  function serverSetup(maxTransactions?: number) {
    const s = setup(maxTransactions);
    const seen: ServerTransactionHandle[] = [];
    s.layer.onRequest((tx) => seen.push(tx));
    return { ...s, seen };
  }

  it('a new INVITE gets 100 Trying at once and one TU callback; retransmissions are absorbed with the last provisional', () => {
    const { transport, layer, seen } = serverSetup();
    const invite = request();
    transport.deliver(invite);
    assert.equal(seen.length, 1);
    assert.deepEqual(transport.lines, ['100']);
    transport.deliver(invite);
    assert.equal(seen.length, 1, 'the TU sees the INVITE once');
    assert.deepEqual(transport.lines, ['100', '100']);
    seen[0]?.respond(response(invite, 180));
    transport.deliver(invite);
    assert.deepEqual(transport.lines, ['100', '100', '180', '180']);
    assert.equal(layer.counts().absorbedRetransmissions, 2);
  });

  it('a final non-2xx is retransmitted by Timer G until the ACK, which is absorbed (not passed to the TU)', () => {
    const { clock, transport, layer, seen } = serverSetup();
    const acks: string[] = [];
    layer.onAck((a) => acks.push(a.method));
    const invite = request();
    transport.deliver(invite);
    const final = response(invite, 486);
    seen[0]?.respond(final);
    clock.advance(1500);
    assert.deepEqual(transport.lines, ['100', '486', '486', '486']);
    transport.deliver(createAckForNonSuccess(invite, final));
    clock.advance(10_000);
    assert.equal(transport.lines.length, 4);
    assert.deepEqual(acks, []);
    assert.equal(layer.counts().serverTransactions, 0, 'Timer I removed it');
    assert.equal(clock.pending, 0);
  });

  it('§17.2.1: no ACK before Timer H → the TU is told through onFailure (408)', () => {
    const { clock, transport, seen } = serverSetup();
    transport.deliver(request());
    const failures: string[] = [];
    seen[0]?.onFailure((e) => failures.push(e.code));
    seen[0]?.respond(response(request(), 500));
    clock.advance(TIMERS.H);
    assert.deepEqual(failures, ['SIP_TRANSACTION_TIMEOUT']);
  });

  it('RFC 6026: after a 2xx the TU retransmits it through the transaction, and the 2xx ACK (new branch) goes to onAck', () => {
    const { clock, transport, layer, seen } = serverSetup();
    const acks: string[] = [];
    layer.onAck((a) => acks.push(a.method));
    const invite = request();
    transport.deliver(invite);
    const ok = response(invite, 200);
    seen[0]?.respond(ok);
    seen[0]?.respond(ok);
    transport.deliver(invite); // absorbed in Accepted
    assert.deepEqual(transport.lines, ['100', '200', '200']);
    transport.deliver(request({ method: 'ACK', branch: 'z9hG4bKack2xx', toTag: 'tt1' }));
    assert.deepEqual(acks, ['ACK']);
    clock.advance(TIMERS.L);
    assert.equal(layer.counts().serverTransactions, 0);
  });

  it('RFC 6026: a TU 2xx retransmission racing Timer L is still sent (statelessly), not refused', () => {
    const { clock, transport, layer, seen } = serverSetup();
    const invite = request();
    transport.deliver(invite);
    const ok = response(invite, 200);
    seen[0]?.respond(ok);
    clock.advance(TIMERS.L);
    assert.equal(layer.counts().serverTransactions, 0);
    seen[0]?.respond(ok);
    assert.deepEqual(transport.lines, ['100', '200', '200']);
    assert.throws(() => seen[0]?.respond(response(invite, 486)), (e: TransactionError) => e.code === 'SIP_TRANSACTION_ALREADY_FINAL');
  });

  it('RFC 6026: a failing send of the final response is reported once through onFailure; the INVITE state is kept until Timer H', async () => {
    const { clock, transport, layer, seen } = serverSetup();
    const invite = request();
    transport.deliver(invite);
    const failures: string[] = [];
    seen[0]?.onFailure((e) => failures.push(e.code));
    transport.failWith = { code: 'SIP_TRANSPORT_SEND_FAILED', message: 'ECONNREFUSED' };
    seen[0]?.respond(response(invite, 486));
    clock.advance(1500); // Timer G retransmissions fail too
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(failures, ['SIP_TRANSACTION_TRANSPORT']);
    assert.equal(layer.counts().serverTransactions, 1);
    clock.advance(TIMERS.H);
    assert.equal(layer.counts().serverTransactions, 0);
  });

  it('a second final response is a programmer error: SIP_TRANSACTION_ALREADY_FINAL', () => {
    const { transport, seen } = serverSetup();
    const bye = request({ method: 'BYE', toTag: 'x' });
    transport.deliver(bye);
    seen[0]?.respond(response(bye, 200));
    assert.throws(() => seen[0]?.respond(response(bye, 500)), (e: TransactionError) => e.code === 'SIP_TRANSACTION_ALREADY_FINAL');
  });

  it('non-INVITE: a retransmitted BYE in Completed gets the final response again; Timer J removes the transaction', () => {
    const { clock, transport, layer, seen } = serverSetup();
    const bye = request({ method: 'BYE', toTag: 'x' });
    transport.deliver(bye);
    assert.deepEqual(transport.lines, [], 'no automatic 100 for non-INVITE');
    transport.deliver(bye);
    assert.deepEqual(transport.lines, [], 'absorbed in Trying');
    seen[0]?.respond(response(bye, 200));
    transport.deliver(bye);
    assert.deepEqual(transport.lines, ['200', '200']);
    clock.advance(TIMERS.J);
    assert.equal(layer.counts().serverTransactions, 0);
  });

  it('waiting states linger compactly: 100 completed BYEs keep answering retransmissions with one clock timer, and expire together after Timer J', () => {
    const { clock, transport, layer, seen } = serverSetup();
    for (let i = 0; i < 100; i++) {
      transport.deliver(request({ method: 'BYE', toTag: 'x', branch: `z9hG4bKbye${i}` }));
      const tx = seen[i];
      tx?.respond(response(tx.request, 200));
    }
    assert.equal(layer.counts().serverTransactions, 100);
    assert.equal(clock.pending, 1, 'one timer for all waiting transactions, not one each');
    assert.equal(seen[7]?.terminated, true, 'the TU handle is finished once the final response is out');
    transport.deliver(request({ method: 'BYE', toTag: 'x', branch: 'z9hG4bKbye7' }));
    assert.equal(transport.lines.length, 101, 'the retransmission got the 200 again');
    assert.equal(seen.length, 100, 'and never reached the TU');
    const first = transport.sent[7];
    const again = transport.sent[100];
    assert.equal(again?.message.kind === 'response' && again.message.callId, first?.message.kind === 'response' && first.message.callId);
    assert.deepEqual(again?.flow, first?.flow);
    clock.advance(TIMERS.J - 1);
    assert.equal(layer.counts().serverTransactions, 100, 'not before Timer J');
    clock.advance(1);
    assert.equal(layer.counts().serverTransactions, 0);
    assert.equal(clock.pending, 0);
    transport.deliver(request({ method: 'BYE', toTag: 'x', branch: 'z9hG4bKbye7' }));
    assert.equal(seen.length, 101, 'after Timer J the same request is a new transaction');
  });

  it('§9.2: a CANCEL for an INVITE already answered 2xx (Accepted, lingering) gets 481 and does not reach the TU', () => {
    const { transport, layer, seen } = serverSetup();
    const invite = request();
    transport.deliver(invite);
    seen[0]?.respond(response(invite, 200));
    assert.equal(layer.knows(invite), true, 'the INVITE is still known (a retransmission)');
    assert.equal(layer.knows(createCancel(invite)), false, 'nothing left to cancel');
    transport.deliver(createCancel(invite));
    assert.deepEqual(transport.lines, ['100', '200', '481']);
    assert.equal(seen.length, 1);
    transport.deliver(invite);
    assert.deepEqual(transport.lines, ['100', '200', '481'], 'RFC 6026 §7.1: INVITE retransmissions in Accepted are absorbed');
  });

  it('RFC 6026 §7.2: a 2xx retransmission while the INVITE client transaction lingers in Accepted reaches the TU again', () => {
    const { clock, transport, layer } = setup();
    const invite = request();
    const { got, handler } = collect();
    layer.sendRequest(invite, UDP_FLOW, handler);
    transport.deliver(response(invite, 200));
    transport.deliver(response(invite, 200));
    transport.deliver(response(invite, 486));
    assert.deepEqual(got, [{ status: 200, code: undefined }, { status: 200, code: undefined }], 'a non-2xx in Accepted is discarded');
    clock.advance(TIMERS.M);
    transport.deliver(response(invite, 200));
    assert.equal(got.length, 2, 'after Timer M the 2xx is a stray');
    assert.equal(layer.counts().strayResponses, 1);
  });

  it('handOver: a TU that hands over a new handler gets no more responses; a lingering Accepted INVITE calls the new one', () => {
    const { clock, transport, layer } = setup();
    const invite = request();
    const first = collect();
    const second = collect();
    const tx = layer.sendRequest(invite, UDP_FLOW, first.handler);
    transport.deliver(response(invite, 200));
    assert.equal(first.got.length, 1);
    tx.handOver(second.handler); // after the 2xx: the transaction lingers in Accepted (Timer M)
    transport.deliver(response(invite, 200));
    assert.equal(first.got.length, 1, 'the old handler is no longer called (nor kept)');
    assert.deepEqual(second.got, [{ status: 200, code: undefined }]);
    clock.advance(TIMERS.M);
    transport.deliver(response(invite, 200));
    assert.equal(second.got.length, 1, 'after Timer M the 2xx is a stray');

    // Handed over while the INVITE is still running: the final response goes to the new handler.
    const invite2 = request();
    const third = collect();
    const fourth = collect();
    layer.sendRequest(invite2, UDP_FLOW, third.handler).handOver(fourth.handler);
    transport.deliver(response(invite2, 180));
    transport.deliver(response(invite2, 200));
    assert.deepEqual(third.got, []);
    assert.deepEqual(fourth.got.map((g) => g.status), [180, 200]);
  });

  it('§9.2: a CANCEL reaches the TU with the INVITE server transaction it matches', () => {
    const { transport, seen } = serverSetup();
    const invite = request();
    transport.deliver(invite);
    transport.deliver(createCancel(invite));
    assert.equal(seen.length, 2);
    assert.equal(seen[1]?.request.method, 'CANCEL');
    assert.equal(seen[1]?.cancels, seen[0]);
    seen[1]?.respond(response(seen[1].request, 200));
    seen[0]?.respond(response(invite, 487));
    assert.deepEqual(transport.lines, ['100', '200', '487']);
  });

  it('§9.2: a CANCEL matching no transaction is answered 481 by the layer and never reaches the TU', () => {
    const { transport, layer, seen } = serverSetup();
    transport.deliver(createCancel(request({ branch: 'z9hG4bKgone' })));
    assert.equal(seen.length, 0);
    assert.deepEqual(transport.lines, ['481']);
    const sent = transport.sent[0]?.message;
    assert.ok(sent?.kind === 'response' && sent.to.tag !== undefined, '§8.2.6.2: the 481 carries a To tag');
    assert.equal(layer.counts().unmatchedCancels, 1);
  });

  it('memory bound: over maxTransactions a new request gets a stateless 503 and the table does not grow', () => {
    const { transport, layer, seen } = serverSetup(2);
    transport.deliver(request({ branch: 'z9hG4bK1' }));
    transport.deliver(request({ branch: 'z9hG4bK2' }));
    transport.deliver(request({ branch: 'z9hG4bK3' }));
    assert.equal(seen.length, 2);
    assert.equal(layer.counts().serverTransactions, 2);
    assert.equal(layer.counts().rejectedOverLimit, 1);
    assert.deepEqual(transport.lines, ['100', '100', '503']);
    // A retransmission of a live transaction is still absorbed when full.
    transport.deliver(request({ branch: 'z9hG4bK1' }));
    assert.deepEqual(transport.lines, ['100', '100', '503', '100']);
  });

  it('a TU that throws on a new request does not break the layer', () => {
    const { transport, layer } = setup();
    layer.onRequest(() => {
      throw new Error('boom');
    });
    transport.deliver(request());
    assert.equal(layer.counts().serverTransactions, 1);
  });

  it('close() cancels every timer, empties the tables, is idempotent, and later messages are ignored', () => {
    const { clock, transport, layer } = serverSetup();
    layer.sendRequest(request({ branch: 'z9hG4bKout' }), UDP_FLOW, () => undefined);
    transport.deliver(request());
    layer.close();
    layer.close();
    assert.equal(layer.closed, true);
    assert.equal(clock.pending, 0);
    assert.deepEqual({ c: layer.counts().clientTransactions, s: layer.counts().serverTransactions }, { c: 0, s: 0 });
    transport.deliver(request({ branch: 'z9hG4bKlate' }));
    assert.equal(layer.counts().serverTransactions, 0);
  });
});
