/**
 * The host's structured logger: pino, one JSON object per line, with pino's
 * standard fields (`level` as a number — 20 debug, 30 info, 40 warn, 50 error —
 * `time` in epoch milliseconds, `pid`, `hostname`, `msg`), so log shippers and
 * `pino-pretty` read it as they read any pino service.
 *
 * Code depends on the narrow `Logger` interface below (`logger.info(fields,
 * message)`), which a pino logger satisfies; tests build one writing to an
 * array through `write`.
 */
import { pino, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export type LogFields = Readonly<Record<string, unknown>>;

/** What the host logs through. Pass it in; never import a global one. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go (without their newline); defaults to stdout. Tests pass an array's `push`. */
  readonly write?: (line: string) => void;
}

/** Create a JSON-lines logger that drops entries below `level`. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    // `err` is usually already trimmed by `errorFields`; a raw error passed by
    // mistake is trimmed the same way instead of pino copying its every property.
    serializers: { err: (value: unknown) => (value instanceof Error ? errorFields(value).err : value) },
  };
  if (options.write === undefined) return pino(settings); // stdout, written synchronously
  const write = options.write;
  // pino hands a custom stream one complete line per call.
  const destination: DestinationStream = { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) };
  return pino(settings, destination);
}

/** A logger that drops everything (tests, tools). */
export const silentLogger: Logger = createLogger({ level: 'silent', write: () => undefined });

/** Log fields for an error: name, message and stack, never the whole object (it may hold secrets). */
export function errorFields(err: unknown): { err: Record<string, unknown> } {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
    return { err: { name: e.name, message: e.message, code: e.code, stack: e.stack } };
  }
  return { err: { message: String(err) } };
}
