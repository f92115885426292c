/**
 * Transaction setup rate (STYLE G11): complete server and client
 * transactions per second through TransactionLayer with an in-memory
 * transport and a ManualClock (so timers cost what they cost, but no real
 * time passes). Messages are pre-parsed: this measures the layer, not the
 * parser. Prints one JSON line.
 *
 *   node --import tsx bench/transaction.bench.ts [secondsPerCase=2]
 *
 * Cases: a non-INVITE server transaction (OPTIONS in, 200 out, retransmission
 * absorbed, Timer J), and an INVITE client transaction (INVITE out, 180 and
 * 200 in, Timer M). Numbers are for the lead to record, never asserted.
 * Note: ManualClock.advance scans its whole timer list per firing, so the
 * drain step is a visible share of the profile at large batch sizes.
 */
import { ManualClock, sequentialIds } from '../src/common/index.ts';
import { buildRequest, createResponse, type SipMessage, type SipRequest } from '../src/sip/message/index.ts';
import { TransactionLayer, createSipTimers, createTransactionMessages } from '../src/sip/transaction/index.ts';
import type { Flow, SipTransport } from '../src/sip/transport/index.ts';

const seconds = Number(process.argv[2] ?? '2');
const FLOW: Flow = { protocol: 'udp', remoteAddress: '192.0.2.10', remotePort: 5060, localAddress: '192.0.2.1', localPort: 5060 };

function req(method: string, branch: string): SipRequest {
  return buildRequest({
    method,
    uri: 'sip:bob@example.com',
    headers: [
      { name: 'via', value: `SIP/2.0/UDP 192.0.2.10:5060;branch=${branch}` },
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: '<sip:alice@example.com>;tag=ft1' },
      { name: 'to', value: '<sip:bob@example.com>' },
      { name: 'call-id', value: `${branch}@example.com` },
      { name: 'cseq', value: `1 ${method}` },
    ],
  });
}

function setup() {
  const clock = new ManualClock();
  let deliver: (m: SipMessage, f: Flow) => void = () => undefined;
  const transport: SipTransport = { send: () => undefined, onMessage: (h) => (deliver = h) };
  const layer = new TransactionLayer({ transport, clock, timers: createSipTimers(), messages: createTransactionMessages(sequentialIds()) });
  return { clock, layer, deliver: (m: SipMessage) => deliver(m, FLOW) };
}

/** Pre-built inputs, reused round-robin so building them is not measured. */
const POOL = 2048;
const options = Array.from({ length: POOL }, (_, i) => req('OPTIONS', `z9hG4bKo${i}`));
const invites = Array.from({ length: POOL }, (_, i) => req('INVITE', `z9hG4bKi${i}`));
const ringing = invites.map((r) => createResponse(r, 180, undefined, { toTag: 'b1' }));
const ok = invites.map((r) => createResponse(r, 200, undefined, { toTag: 'b1' }));
const optionsOk = options.map((r) => createResponse(r, 200, undefined, { toTag: 'b1' }));

function measure(round: (i: number) => void, drain: () => void): number {
  for (let i = 0; i < POOL; i++) round(i); // warm-up for the JIT
  drain();
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let ops = 0;
  while (performance.now() < deadline) {
    // One pool's worth per batch, then let the clock retire the batch.
    for (let i = 0; i < POOL; i++) round(i);
    drain();
    ops += POOL;
  }
  return Math.round(ops / ((performance.now() - start) / 1000));
}

const server = setup();
server.layer.onRequest((tx) => tx.respond(optionsOk[Number(tx.request.callId.slice(8, -12))] ?? createResponse(tx.request, 200)));
const serverRate = measure(
  (i) => {
    const r = options[i] as SipRequest;
    server.deliver(r);
    server.deliver(r); // retransmission absorbed
  },
  () => server.clock.advance(64 * 500),
);

const client = setup();
const clientRate = measure(
  (i) => {
    client.layer.sendRequest(invites[i] as SipRequest, FLOW, () => undefined);
    client.deliver(ringing[i] as SipMessage);
    client.deliver(ok[i] as SipMessage);
  },
  () => client.clock.advance(64 * 500),
);

console.log(
  JSON.stringify({
    bench: 'sip-transaction',
    node: process.version,
    secondsPerCase: seconds,
    nonInviteServerPerSec: serverRate,
    inviteClientPerSec: clientRate,
    leftOver: { server: server.layer.counts().serverTransactions, client: client.layer.counts().clientTransactions },
  }),
);
