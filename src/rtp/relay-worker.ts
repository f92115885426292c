/**
 * Entry point of one relay worker thread (started by WorkerAnchorHost). It
 * owns a PortPool over its own port range and an InProcessAnchorHost; the
 * main thread only sends control messages (worker-protocol-types.ts), so the
 * per-packet path never crosses threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { assertNever, systemClock } from '../common/index.ts';
import { InProcessAnchorHost, type AnchorHandle } from './anchor-host.ts';
import { PortPool } from './port-pool.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol-types.ts';

const port = parentPort;
if (port !== null) {
  const init = workerData as WorkerInit;
  const pool = new PortPool({
    address: init.address,
    minPort: init.minPort,
    maxPort: init.maxPort,
    ...(init.socketBufferBytes !== undefined ? { socketBufferBytes: init.socketBufferBytes } : {}),
    ...(init.maxBoundPairs !== undefined ? { maxBoundPairs: init.maxBoundPairs } : {}),
  });
  const host = new InProcessAnchorHost(pool, systemClock);
  const anchors = new Map<number, AnchorHandle>();
  const reply = (m: WorkerReply) => port.postMessage(m);

  port.on('message', (m: WorkerRequest) => {
    switch (m.op) {
      case 'create':
        void host
          .createAnchor({
            silenceTimeoutMs: m.silenceTimeoutMs,
            ...(m.relatchGuardMs !== undefined ? { relatchGuardMs: m.relatchGuardMs } : {}),
            onEvent: (event) => reply({ op: 'event', id: m.id, event }),
          })
          .then((r) => {
            if (r.ok) {
              anchors.set(m.id, r.value);
              reply({ op: 'created', id: m.id, address: r.value.address, aPort: r.value.aPort, bPort: r.value.bPort });
            } else {
              reply({ op: 'create-failed', id: m.id, code: r.error.code, message: r.error.message });
            }
          });
        break;
      case 'set-remote':
        anchors.get(m.id)?.setRemote(m.side, m.remote);
        break;
      case 'set-mappings':
        anchors.get(m.id)?.setMappings(m.aToB, m.bToA);
        break;
      case 'set-silence':
        anchors.get(m.id)?.setSilenceTimeout(m.ms);
        break;
      case 'stats': {
        const a = anchors.get(m.id);
        if (a === undefined) reply({ op: 'stats', requestId: m.requestId, stats: undefined });
        else void a.stats().then((stats) => reply({ op: 'stats', requestId: m.requestId, stats }));
        break;
      }
      case 'close':
        anchors.get(m.id)?.close();
        anchors.delete(m.id);
        break;
      case 'shutdown':
        void host.close().then(() => {
          anchors.clear();
          reply({ op: 'shutdown-done' });
          port.close();
        });
        break;
      default:
        assertNever(m, 'relay worker request');
    }
  });
  reply({ op: 'ready' });
}
