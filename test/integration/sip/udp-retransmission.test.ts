/**
 * RFC 3261 §17.1.1.2 over a real UDP socket on 127.0.0.1: with T1 shortened
 * to 80 ms and a peer that never answers, the INVITE goes out at about 0,
 * T1, 3·T1, 7·T1 … 63·T1 (7 transmissions) and the TU gets a 408 after
 * 64·T1 (Timer B). Timing is asserted by order and count, with generous
 * tolerance, never by exact milliseconds (a loaded 2-core box must not make
 * this flaky). The transport adapter is a minimal node:dgram one: this test
 * is about the transaction layer, not src/sip/transport.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { sequentialIds, systemClock } from '../../../src/common/index.ts';
import { buildRequest, parseSipMessage, type SipMessage, type SipResponse } from '../../../src/sip/message/index.ts';
import { TransactionLayer, createSipTimers, createTransactionMessages, type TransactionError } from '../../../src/sip/transaction/index.ts';
import type { Flow, SipTransport, TransportError } from '../../../src/sip/transport/index.ts';

const T1 = 80;

function dgramTransport(sock: Socket): SipTransport {
  let handler: ((m: SipMessage, f: Flow) => void) | undefined;
  sock.on('message', (buf, rinfo) => {
    const parsed = parseSipMessage(buf);
    if (!parsed.ok || handler === undefined) return;
    const local = sock.address();
    handler(parsed.message, { protocol: 'udp', remoteAddress: rinfo.address, remotePort: rinfo.port, localAddress: local.address, localPort: local.port });
  });
  return {
    send(flow: Flow, bytes: Buffer, onError?: (e: TransportError) => void) {
      sock.send(bytes, flow.remotePort, flow.remoteAddress, (e) => {
        if (e) onError?.({ code: 'SIP_TRANSPORT_SEND_FAILED', message: e.message });
      });
    },
    onMessage(h) {
      handler = h;
    },
  };
}

async function bound(): Promise<Socket> {
  const sock = createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  return sock;
}

describe('UDP retransmission of an unanswered INVITE (RFC 3261 §17.1.1.2)', () => {
  it('Timer A doubles the interval (0, T1, 3·T1, 7·T1 … 63·T1: 7 sends) and Timer B reports 408 to the TU after 64·T1', async () => {
    const peer = await bound();
    const ours = await bound();
    const arrivals: number[] = [];
    peer.on('message', () => arrivals.push(performance.now()));
    try {
      const layer = new TransactionLayer({
        transport: dgramTransport(ours),
        clock: systemClock,
        timers: createSipTimers({ T1 }),
        messages: createTransactionMessages(sequentialIds()),
      });
      const peerPort = peer.address().port;
      const invite = buildRequest({
        method: 'INVITE',
        uri: `sip:bob@127.0.0.1:${peerPort}`,
        headers: [
          { name: 'via', value: `SIP/2.0/UDP 127.0.0.1:${ours.address().port};branch=z9hG4bKudpretx1` },
          { name: 'max-forwards', value: '70' },
          { name: 'from', value: '<sip:alice@127.0.0.1>;tag=a1' },
          { name: 'to', value: '<sip:bob@127.0.0.1>' },
          { name: 'call-id', value: 'udp-retx@127.0.0.1' },
          { name: 'cseq', value: '1 INVITE' },
        ],
      });
      const flow: Flow = { protocol: 'udp', remoteAddress: '127.0.0.1', remotePort: peerPort, localAddress: '127.0.0.1', localPort: ours.address().port };
      const start = performance.now();
      const outcome = await new Promise<{ response: SipResponse; error: TransactionError | undefined; at: number }>((resolve, reject) => {
        // Bounded: fail rather than hang if Timer B never fires.
        const guard = setTimeout(() => reject(new Error('no 408 within 3·64·T1')), 3 * 64 * T1);
        layer.sendRequest(invite, flow, (response, error) => {
          clearTimeout(guard);
          resolve({ response, error, at: performance.now() });
        });
      });
      // Let any stray late datagram land, then check nothing more was sent.
      await new Promise((r) => setTimeout(r, 3 * T1));

      assert.equal(outcome.response.status, 408);
      assert.equal(outcome.error?.code, 'SIP_TRANSACTION_TIMEOUT');
      assert.ok(outcome.at - start >= 64 * T1 - 5, `408 after ${Math.round(outcome.at - start)} ms, expected ≥ 64·T1`);
      assert.equal(arrivals.length, 7, `sends: ${arrivals.map((a) => Math.round(a - start)).join(', ')}`);
      const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? t));
      for (let i = 1; i < gaps.length; i++) {
        const prev = gaps[i - 1] ?? 0;
        const cur = gaps[i] ?? 0;
        assert.ok(cur > prev, `interval ${i} (${Math.round(cur)} ms) must exceed interval ${i - 1} (${Math.round(prev)} ms)`);
      }
      // Doubling, loosely: the last gap (32·T1) dwarfs the first (T1).
      assert.ok((gaps.at(-1) ?? 0) > 8 * (gaps[0] ?? 0), `gaps ${gaps.map(Math.round).join(', ')}`);
      assert.equal(layer.counts().clientTransactions, 0);
      layer.close();
    } finally {
      peer.close();
      ours.close();
    }
  });
});
