/**
 * A SipEdge with a recording in-memory UDP listener and a manual clock, for
 * tests of the receive path without sockets.
 */
import { ManualClock, silentLogger } from '../../src/common/index.ts';
import { DEFAULT_SIP_LIMITS } from '../../src/sip/message/index.ts';
import { SipEdge } from '../../src/sip/stack-edge.ts';
import { newListenerCounters, type Listener } from '../../src/sip/transport/listener-types.ts';

export const EDGE_MERGE_WINDOW_MS = 32_000;

export function edgeHarness() {
  const clock = new ManualClock();
  const sent: Buffer[] = [];
  const delivered: unknown[] = [];
  const listener: Listener = {
    protocol: 'udp',
    counters: newListenerCounters(),
    start: async () => {},
    addresses: () => [],
    send: (_f, bytes) => sent.push(bytes),
    close: async () => {},
  };
  const edge = new SipEdge({
    limits: DEFAULT_SIP_LIMITS,
    clock,
    logger: silentLogger(),
    policy: { allowedMethods: ['INVITE', 'ACK', 'OPTIONS', 'BYE', 'CANCEL', 'REGISTER'], supportedExtensions: [] },
    symmetricResponses: true,
    logIntervalMs: 10_000,
    mergeWindowMs: EDGE_MERGE_WINDOW_MS,
    drainRetryAfterSec: 5,
    isKnownTransaction: () => false,
  });
  edge.addListener(listener);
  edge.onMessage((m) => delivered.push(m));
  return { edge, clock, sent, delivered };
}
