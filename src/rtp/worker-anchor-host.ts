/**
 * AnchorHost over node:worker_threads, for packet rates one thread cannot
 * carry. The configured port range is split evenly between the workers; each
 * worker (relay-worker.ts) binds its own sockets, so RTP never crosses
 * threads and the main thread only sends control messages. New anchors go to
 * the worker with the fewest live anchors.
 *
 * Workers are unref'd: they never keep the process alive. If a worker dies,
 * each of its anchors gets a 'host-failure' event and is marked closed; the
 * engine hangs those calls up.
 *
 * Leaves out: restarting dead workers, and rebalancing.
 */
import type { Worker } from 'node:worker_threads';
import { assertNever, err, ok, startModuleWorker, type Result } from '../common/index.ts';
import type { AnchorHandle, AnchorHost, AnchorOptions, AnchorStats } from './anchor-host.ts';
import { RtpError } from './errors.ts';
import { openFileLimit, rtpPairBudget } from './fd-budget.ts';
import type { RelayEvent } from './relay.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol-types.ts';

export interface WorkerAnchorHostOptions {
  readonly address: string;
  readonly minPort: number;
  readonly maxPort: number;
  readonly workers: number;
  readonly socketBufferBytes?: number;
  /** How long to wait for a worker to start or answer (default 10 s). */
  readonly timeoutMs?: number;
}

interface Slot {
  readonly worker: Worker;
  live: number;
  dead: boolean;
  readonly anchors: Map<number, { onEvent: ((e: RelayEvent) => void) | undefined; markClosed: () => void }>;
}

type Pending = (r: WorkerReply) => void;

/** Start one relay worker. */
function spawnWorker(init: WorkerInit): Worker {
  // The relay allocates nothing per packet, so its isolate needs only a small
  // young generation; without a limit it would take the process-wide
  // --max-semi-space-size the launcher sets for the signalling thread.
  return startModuleWorker(new URL('./relay-worker.ts', import.meta.url), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
}

export class WorkerAnchorHost implements AnchorHost {
  readonly #slots: Slot[];
  readonly #pendingCreate = new Map<number, Pending>();
  readonly #pendingStats = new Map<number, Pending>();
  readonly #timeoutMs: number;
  #nextId = 1;
  #nextRequest = 1;
  #closed = false;

  private constructor(slots: Slot[], timeoutMs: number) {
    this.#slots = slots;
    this.#timeoutMs = timeoutMs;
  }

  /** Start the workers and wait until each is ready. */
  static async start(opts: WorkerAnchorHostOptions): Promise<Result<WorkerAnchorHost, RtpError>> {
    const n = Math.max(1, Math.floor(opts.workers));
    const first = opts.minPort + (opts.minPort & 1);
    const pairsEach = Math.floor((opts.maxPort - first + 1) / 2 / n);
    if (pairsEach < 2) return err(new RtpError('RTP_POOL_BAD_RANGE', `port range ${opts.minPort}-${opts.maxPort} too small for ${n} workers`));
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const budget = rtpPairBudget(openFileLimit(), n);
    const slots: Slot[] = [];
    const host = new WorkerAnchorHost(slots, timeoutMs);
    const readies: Promise<boolean>[] = [];
    for (let i = 0; i < n; i++) {
      const minPort = first + i * pairsEach * 2;
      const init: WorkerInit = {
        address: opts.address,
        minPort,
        maxPort: minPort + pairsEach * 2 - 1,
        ...(opts.socketBufferBytes !== undefined ? { socketBufferBytes: opts.socketBufferBytes } : {}),
        maxBoundPairs: budget,
      };
      const worker = spawnWorker(init);
      worker.unref();
      const slot: Slot = { worker, live: 0, dead: false, anchors: new Map() };
      slots.push(slot);
      readies.push(
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          timer.unref();
          worker.on('message', (m: WorkerReply) => {
            if (m.op === 'ready') {
              clearTimeout(timer);
              resolve(true);
            } else {
              host.#onReply(slot, m);
            }
          });
          const fail = (why: string) => {
            clearTimeout(timer);
            resolve(false);
            host.#onWorkerDeath(slot, why);
          };
          worker.on('error', (e) => fail(e.message));
          worker.on('exit', (code) => fail(`worker exited with code ${code}`));
        }),
      );
    }
    const ready = await Promise.all(readies);
    if (ready.includes(false)) {
      await host.close();
      return err(new RtpError('RTP_BIND_FAILED', 'a relay worker did not start'));
    }
    return ok(host);
  }

  #onReply(slot: Slot, m: WorkerReply): void {
    switch (m.op) {
      case 'created':
      case 'create-failed': {
        const p = this.#pendingCreate.get(m.id);
        this.#pendingCreate.delete(m.id);
        p?.(m);
        break;
      }
      case 'event':
        try {
          slot.anchors.get(m.id)?.onEvent?.(m.event);
        } catch {
          // STYLE G9: a listener's failure must not break the control channel.
        }
        break;
      case 'stats': {
        const p = this.#pendingStats.get(m.requestId);
        this.#pendingStats.delete(m.requestId);
        p?.(m);
        break;
      }
      case 'ready':
      case 'shutdown-done':
        break;
      default:
        assertNever(m, 'relay worker reply');
    }
  }

  #onWorkerDeath(slot: Slot, why: string): void {
    if (slot.dead) return;
    slot.dead = true;
    for (const [, a] of slot.anchors) {
      a.markClosed();
      if (!this.#closed) a.onEvent?.({ kind: 'host-failure', message: why });
    }
    slot.anchors.clear();
  }

  #post(slot: Slot, m: WorkerRequest): void {
    if (!slot.dead) slot.worker.postMessage(m);
  }

  #request(map: Map<number, Pending>, key: number, send: () => void): Promise<WorkerReply | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        map.delete(key);
        resolve(undefined);
      }, this.#timeoutMs);
      timer.unref();
      map.set(key, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      send();
    });
  }

  async createAnchor(opts: AnchorOptions): Promise<Result<AnchorHandle, RtpError>> {
    if (this.#closed) return err(new RtpError('RTP_SESSION_CLOSED', 'anchor host is closed'));
    const alive = this.#slots.filter((s) => !s.dead);
    const slot = alive.reduce<Slot | undefined>((best, s) => (best === undefined || s.live < best.live ? s : best), undefined);
    if (slot === undefined) return err(new RtpError('RTP_SESSION_CLOSED', 'no relay worker is running'));
    const id = this.#nextId++;
    slot.live++;
    const reply = await this.#request(this.#pendingCreate, id, () =>
      this.#post(slot, { op: 'create', id, silenceTimeoutMs: opts.silenceTimeoutMs, ...(opts.relatchGuardMs !== undefined ? { relatchGuardMs: opts.relatchGuardMs } : {}) }),
    );
    if (reply === undefined || reply.op !== 'created') {
      slot.live--;
      if (reply !== undefined && reply.op === 'create-failed') return err(new RtpError(reply.code, reply.message));
      return err(new RtpError('RTP_BIND_FAILED', 'relay worker did not answer'));
    }
    let closed = false;
    const markClosed = () => {
      if (closed) return;
      closed = true;
      slot.live--;
    };
    slot.anchors.set(id, { onEvent: opts.onEvent, markClosed });
    const post = (m: WorkerRequest) => {
      if (!closed) this.#post(slot, m);
    };
    const handle: AnchorHandle = {
      address: reply.address,
      aPort: reply.aPort,
      bPort: reply.bPort,
      setRemote: (side, remote) => post({ op: 'set-remote', id, side, remote }),
      setMappings: (aToB, bToA) => post({ op: 'set-mappings', id, ...(aToB ? { aToB } : {}), ...(bToA ? { bToA } : {}) }),
      setSilenceTimeout: (ms) => post({ op: 'set-silence', id, ms }),
      stats: async () => {
        const requestId = this.#nextRequest++;
        const r = await this.#request(this.#pendingStats, requestId, () => post({ op: 'stats', id, requestId }));
        if (r === undefined || r.op !== 'stats' || r.stats === undefined) throw new RtpError('RTP_SESSION_CLOSED', 'anchor stats unavailable');
        return r.stats satisfies AnchorStats;
      },
      close: () => {
        if (closed) return;
        post({ op: 'close', id });
        markClosed();
        slot.anchors.delete(id);
      },
      get closed() {
        return closed;
      },
    };
    return ok(handle);
  }

  get anchorsPerWorker(): number[] {
    return this.#slots.map((s) => s.live);
  }

  /** Close every anchor (the workers release their ports) and stop the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (!slot.dead) {
          const done = new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.#timeoutMs);
            timer.unref();
            slot.worker.on('message', (m: WorkerReply) => {
              if (m.op === 'shutdown-done') {
                clearTimeout(timer);
                resolve();
              }
            });
          });
          slot.worker.postMessage({ op: 'shutdown' } satisfies WorkerRequest);
          await done;
        }
        for (const [, a] of slot.anchors) a.markClosed();
        slot.anchors.clear();
        await slot.worker.terminate();
      }),
    );
  }
}
