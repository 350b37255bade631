/**
 * How the CLI talks back: exit codes, JSON or human output, and errors in the
 * same `{ error: { code, message, details? } }` shape as the HTTP API, so a
 * script can handle both the same way.
 */
import { isBazaarError, type ErrorCode } from '../../manifests/errors.js';

/** 0 ok; 1 the plugin failed or the host refused; 2 usage, package or file error; 3 the host cannot be reached. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, unreachable: 3 });

/** Where output goes: the process's streams in production, buffers in tests. */
export interface CliStreams {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: spinners and progress bars may be drawn there (never into pipes or logs). */
  readonly interactive?: boolean;
}

export const processStreams: CliStreams = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get interactive() {
    return process.stderr.isTTY === true;
  },
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
  /** The host's request id, when the error came from a host: what its operator needs to find the request. */
  requestId?: string;
}

/** The contract's error body for any thrown value; unknown failures are `internal_error`. */
export function errorBody(err: unknown, fallback: ErrorCode = 'internal_error'): ErrorBody {
  if (isBazaarError(err)) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    return { error };
  }
  return { error: { code: fallback, message: err instanceof Error ? err.message : String(err) } };
}

/** Exactly one JSON document on stdout: what `--json` promises. */
export function printJson(io: CliStreams, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** `name:` then each entry indented, its own line breaks too, so multi-line values (a log entry, a stack) stay readable. */
export function printBlock(io: CliStreams, name: string, entries: readonly string[]): void {
  io.out(`${name}:\n`);
  for (const entry of entries) io.out(`  ${entry.replace(/\n/g, '\n  ')}\n`);
}

/** `error [code]: message`, then one line per issue of `details` when it is a list. */
export function printHumanError(io: CliStreams, body: ErrorBody): void {
  io.err(`error [${body.error.code}]: ${body.error.message}\n`);
  if (body.requestId !== undefined) io.err(`  request id: ${body.requestId}\n`);
  const { details } = body.error;
  if (!Array.isArray(details)) return;
  for (const issue of details.slice(0, 50) as { path?: unknown; keyword?: unknown; message?: unknown }[]) {
    const where = typeof issue.path === 'string' && issue.path !== '' ? issue.path : '/';
    const keyword = typeof issue.keyword === 'string' ? ` (${issue.keyword})` : '';
    io.err(`  ${where} ${String(issue.message ?? 'is invalid')}${keyword}\n`);
  }
}

/** Prints an error the way the command was asked to print. */
export function reportError(io: CliStreams, json: boolean, body: ErrorBody): void {
  if (json) printJson(io, body);
  else printHumanError(io, body);
}
