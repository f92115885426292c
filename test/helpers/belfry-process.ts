/**
 * Starts a real belfry process (bin/belfry start) for integration tests and
 * reads its bound ports from the "sip listening" / "http listening" log lines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BelfryProcess {
  readonly pid: number;
  readonly sipPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number | undefined;
  readonly httpPort: number | undefined;
  readonly apiToken: string;
  readonly dataDir: string;
  /** Every log line so far (JSON text). */
  readonly logs: string[];
  /** SIGTERM, wait for exit, return the exit code (or the signal number + 128). */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface StartBelfryOptions {
  readonly configDir?: string;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly dataDir?: string;
}

export async function startBelfry(opts: StartBelfryOptions = {}): Promise<BelfryProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'belfry-test-'));
  const ownsDataDir = opts.dataDir === undefined;
  const apiToken = 'test-token-0123456789abcdef';
  const child = spawn(
    join(repoRoot, 'bin', 'belfry'),
    ['start', '--config', opts.configDir ?? join(repoRoot, 'config'), '--sip-host', '127.0.0.1', '--sip-port', '0', '--http-port', '0', '--data-dir', dataDir, ...(opts.args ?? [])],
    { env: { ...process.env, BELFRY_API_TOKEN: apiToken, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  let stderr = '';
  const exited = new Promise<number>((res) => child.on('exit', (code, sig) => res(code ?? (sig ? 128 : 1))));
  let pending = '';
  const ports = await new Promise<{ udp: number; tcp: number; tls?: number; http?: number }>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`belfry did not start in time; stderr: ${stderr}\nlogs:\n${logs.join('\n')}`)), opts.timeoutMs ?? 20_000);
    let sip: { udp: number; tcp: number; tls?: number } | undefined;
    let http: number | undefined;
    let httpExpected = true;
    const maybeDone = () => {
      if (sip && (http !== undefined || !httpExpected)) {
        clearTimeout(timer);
        res({ ...sip, http });
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        logs.push(line);
        try {
          const j = JSON.parse(line) as { msg?: string; udp?: number; tcp?: number; tls?: number; port?: number; enabled?: boolean };
          if (j.msg === 'sip listening' && typeof j.udp === 'number' && typeof j.tcp === 'number') sip = { udp: j.udp, tcp: j.tcp, tls: j.tls };
          if (j.msg === 'http listening' && typeof j.port === 'number') http = j.port;
          if (j.msg === 'http disabled') httpExpected = false;
          maybeDone();
        } catch {
          /* not JSON: keep it in logs only */
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      stderr += c;
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`belfry exited early with ${code}; stderr: ${stderr}\nlogs:\n${logs.join('\n')}`));
    });
  });
  return {
    pid: child.pid ?? -1,
    sipPort: ports.udp,
    tcpPort: ports.tcp,
    tlsPort: ports.tls,
    httpPort: ports.http,
    apiToken,
    dataDir,
    logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(kill);
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
