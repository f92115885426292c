import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EDGE_MERGE_WINDOW_MS as WINDOW, edgeHarness } from '../../helpers/edge-harness.ts';
import type { Flow } from '../../../src/sip/transport/index.ts';

// RFC 3261 §8.2.2.2 merged requests, and the memory the edge keeps for them.
const flow: Flow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 5060 };

const register = (callId: string, branch: string): Buffer =>
  Buffer.from(
    `REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK${branch}\r\nMax-Forwards: 70\r\n` +
      `From: <sip:1001@example.com>;tag=f${callId}\r\nTo: <sip:1001@example.com>\r\nCall-ID: ${callId}\r\nCSeq: 1 REGISTER\r\n` +
      `Contact: <sip:1001@127.0.0.1:40000>\r\nContent-Length: 0\r\n\r\n`,
    'latin1',
  );

const harness = edgeHarness;

test('a copy of a request with another branch inside the merge window gets 482; the same branch is delivered', () => {
  const h = harness();
  h.edge.receive(register('a1', 'one'), flow);
  h.edge.receive(register('a1', 'one'), flow);
  assert.equal(h.delivered.length, 2, 'a retransmission goes on to the transaction layer');
  h.edge.receive(register('a1', 'two'), flow);
  assert.equal(h.delivered.length, 2);
  assert.equal(h.sent.length, 1);
  assert.match(h.sent[0]?.toString('latin1') ?? '', /^SIP\/2\.0 482 /);
});

test('the merge memory holds only the last window: expired entries go, and their requests may come again', () => {
  const h = harness();
  for (let i = 0; i < 100; i++) h.edge.receive(register(`c${i}`, `b${i}`), flow);
  assert.equal(h.edge.mergeMemory, 100);
  h.clock.advance(WINDOW + 1);
  h.edge.receive(register('late', 'x'), flow);
  assert.equal(h.edge.mergeMemory, 1, 'the 100 expired entries were dropped when the next request came');
  // An old request's Call-ID with a new branch is no longer a merge.
  h.edge.receive(register('c5', 'new'), flow);
  assert.equal(h.sent.length, 0);
  assert.equal(h.delivered.length, 102);
});

test('with no further requests, sweeps empty the merge memory as its entries expire', () => {
  const h = harness();
  for (let i = 0; i < 10; i++) h.edge.receive(register(`s${i}`, `b${i}`), flow);
  h.clock.advance(WINDOW / 2);
  h.edge.receive(register('mid', 'm'), flow);
  h.clock.advance(WINDOW / 2 + 2);
  assert.equal(h.edge.mergeMemory, 1, 'the first ten expired, the later one is still inside its window');
  h.clock.advance(WINDOW / 2);
  assert.equal(h.edge.mergeMemory, 0, 'swept as soon as the last one expired');
  assert.equal(h.clock.pending, 0, 'no sweep left once empty');
});
