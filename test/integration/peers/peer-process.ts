/**
 * Runs external SIP peers (SIPp, baresip) for the peer integration tests:
 * finds the binary (a missing one means "skip", not "fail"), spawns it with
 * a hard time bound, collects its output and exit code, and stops it by the
 * PID we started. Also hands out free UDP ports on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when `bin` can be executed (looked up on PATH). */
export function haveBinary(bin: string, versionArg = '-v'): boolean {
  const r = spawnSync(bin, [versionArg], { stdio: 'ignore', timeout: 5000 });
  return r.error === undefined;
}

/** A UDP port that was free a moment ago (bind to 0, read, close). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  const p = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return p;
}

export interface PeerRun {
  readonly pid: number;
  readonly child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Exit code (128 + n on a signal; 124 if we had to kill it at the deadline). */
  readonly exited: Promise<number>;
  /** SIGTERM (then SIGKILL after 3 s) and wait for the exit. */
  stop(): Promise<number>;
}

export function runPeer(bin: string, args: readonly string[], o: { cwd?: string; timeoutMs: number; stdin?: 'pipe' | 'ignore' }): PeerRun {
  const cwd = o.cwd ?? mkdtempSync(join(tmpdir(), 'belfry-peer-'));
  const child = spawn(bin, [...args], { cwd, stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => (out = (out + c).slice(-200_000)));
  child.stderr?.on('data', (c: string) => (out = (out + c).slice(-200_000)));
  let timedOut = false;
  const exited = new Promise<number>((res) => {
    child.on('error', () => res(127));
    child.on('exit', (code, sig) => {
      clearTimeout(deadline);
      res(timedOut ? 124 : (code ?? (sig ? 128 : 1)));
    });
  });
  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
    void exited.then(() => clearTimeout(hard));
  };
  const deadline = setTimeout(() => {
    timedOut = true;
    kill();
  }, o.timeoutMs);
  return {
    pid: child.pid ?? -1,
    child,
    output: () => out,
    exited,
    stop: () => {
      kill();
      return exited;
    },
  };
}
