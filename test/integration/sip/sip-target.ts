/**
 * "A running belfry" for the edge tests: the real process (test/helpers/
 * belfry-process.ts) once src/main.ts starts the SIP stack, otherwise
 * createSipStack in-process with a minimal transaction user (REGISTER → 200,
 * anything else → 404), so the tests exercise the same edge either way.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/common/index.ts';
import { createResponse, createSipStack } from '../../../src/sip/index.ts';
import { repoRoot, startBelfry } from '../../helpers/belfry-process.ts';

export interface SipTarget {
  readonly kind: 'process' | 'in-process';
  readonly udpPort: number;
  readonly tcpPort: number;
  /** JSON log lines written so far. */
  readonly logs: string[];
  /** The target's T1: a server transaction absorbs a same-key request for 64·T1. */
  readonly t1Ms: number;
  /** Process id of the target (this process when in-process). */
  readonly pid: number;
  alive(): boolean;
  stop(): Promise<void>;
}

function mainStartsSip(): boolean {
  try {
    return readFileSync(join(repoRoot, 'src', 'main.ts'), 'utf8').includes('createSipStack');
  } catch {
    return false;
  }
}

/**
 * A copy of config/ with a short T1 and TCP idle timeout, so the edge tests
 * run in seconds, and 127.0.0.1 exempt from the engine's Door (per-source
 * rate blocking): these tests aim their bad input at the parser and the
 * edge, which a blocked source would never reach.
 */
function testConfig(t1Ms: number, idleTimeoutMs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-sip-config-'));
  cpSync(join(repoRoot, 'config'), dir, { recursive: true });
  const file = join(dir, 'belfry.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['sip', 'timers', 't1_ms'], t1Ms);
  doc.setIn(['sip', 'tcp', 'idle_timeout_s'], Math.max(1, Math.ceil(idleTimeoutMs / 1000)));
  doc.setIn(['door', 'exempt'], ['127.0.0.1']);
  writeFileSync(file, doc.toString());
  return dir;
}

export async function startSipTarget(opts: { idleTimeoutMs?: number } = {}): Promise<SipTarget> {
  if (process.env.BELFRY_SIP_INPROCESS !== '1' && mainStartsSip()) {
    const t1Ms = 50;
    const configDir = testConfig(t1Ms, opts.idleTimeoutMs ?? 2000);
    const b = await startBelfry({ configDir });
    let exited = false;
    return {
      kind: 'process',
      t1Ms,
      udpPort: b.sipPort,
      tcpPort: b.tcpPort,
      logs: b.logs,
      pid: b.pid,
      alive: () => {
        if (exited) return false;
        try {
          process.kill(b.pid, 0);
          return true;
        } catch {
          return false;
        }
      },
      stop: async () => {
        exited = true;
        await b.stop();
        rmSync(configDir, { recursive: true, force: true });
      },
    };
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.length > 0) logs.push(line);
      cb();
    },
  });
  const stack = await createSipStack({
    listeners: [
      { protocol: 'udp', host: '127.0.0.1', port: 0 },
      { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    ],
    logger: createLogger({ level: 'info', destination: sink }),
    timers: { T1: 20 },
    stream: { idleTimeoutMs: opts.idleTimeoutMs ?? 1500 },
  });
  stack.onRequest((tx) => {
    const status = tx.request.method === 'REGISTER' ? 200 : 404;
    tx.respond(createResponse(tx.request, status, undefined, { toTag: 'tu' }));
  });
  const port = (p: string) => stack.addresses().find((a) => a.protocol === p)?.port ?? 0;
  return {
    kind: 'in-process',
    t1Ms: 20,
    udpPort: port('udp'),
    tcpPort: port('tcp'),
    logs,
    pid: process.pid,
    alive: () => !stack.closed,
    stop: () => stack.close(),
  };
}
