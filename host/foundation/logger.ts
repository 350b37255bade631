/**
 * A small structured logger: one JSON object per line on stdout. Light enough
 * that we do not need pino for a handful of lines per request; the interface is
 * pino-like (`logger.info(fields, message)`) so swapping it later is mechanical.
 */
import type { LogLevel } from './config.js';

export type LogFields = Readonly<Record<string, unknown>>;

/** What the host logs through. Pass it in; never import a global one. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass an array's `push`. */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/** Create a JSON-lines logger that drops entries below `level`. */
export function createLogger(options: LoggerOptions): Logger {
  const min = RANK[options.level];
  const write = options.write ?? ((line: string) => void process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const log = (level: Exclude<LogLevel, 'silent'>) =>
    function logAt(fields: LogFields, message: string): void {
      if (RANK[level] < min) return;
      write(safeStringify({ time: now().toISOString(), level, msg: message, ...fields }));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (tests, tools). */
export const silentLogger: Logger = createLogger({ level: 'silent' });

/** Log fields for an error: name, message and stack, never the whole object (it may hold secrets). */
export function errorFields(err: unknown): Record<string, unknown> {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
    return { err: { name: e.name, message: e.message, code: e.code, stack: e.stack } };
  }
  return { err: { message: String(err) } };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return JSON.stringify({ level: 'error', msg: 'unserialisable log entry' });
  }
}
