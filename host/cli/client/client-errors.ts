/**
 * The two ways a call to a host can fail, kept apart because they end with
 * different exit codes (cli-output.ts EXIT): the host answered and refused
 * (1), or there was no answer at all (3).
 */
import { BazaarError } from '../../../manifests/errors.js';

/** The contract's error answer: `{error: {code, message, details?}, requestId}`. */
export interface ErrorAnswer {
  error: { code: string; message: string; details?: unknown };
  requestId?: string;
}

/** The host answered with an error status. Carries the answer as the host sent it (the code may be newer than our catalog). */
export class HostRefusedError extends Error {
  readonly status: number;
  readonly answer: ErrorAnswer;
  /** What a person can do about it, printed under the error (never in --json). */
  hint: string | undefined;

  constructor(status: number, answer: ErrorAnswer) {
    super(answer.error.message);
    this.name = 'HostRefusedError';
    this.status = status;
    this.answer = answer;
  }
}

/**
 * No answer: connection refused, DNS failure, TLS failure, or a timeout. The
 * catalog has no "unreachable" code; `dependency_unavailable` says it best,
 * since the dependency here is the host itself (or, for `migrate`, the database).
 */
export class HostUnreachableError extends BazaarError<'dependency_unavailable'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('dependency_unavailable', message, undefined, options);
  }
}
