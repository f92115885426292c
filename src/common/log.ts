/**
 * The logger type the whole code base uses: pino's, narrowed. One JSON line
 * per event; call logs are child loggers bound to the call-id.
 */
import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

export interface LogOptions {
  readonly level?: string;
  /** Human-readable output (pino-pretty) — used when stdout is a terminal. */
  readonly pretty?: boolean;
  /** Write to this destination instead of stdout (tests). */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options: LoggerOptions = { level: opts.level ?? 'info', base: { app: 'belfry' } };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(options);
}

/** A logger that writes nothing (unit tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export function callLogger(parent: Logger, callId: string): Logger {
  return parent.child({ callId });
}
