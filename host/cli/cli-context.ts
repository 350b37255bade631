/** What every command gets: where to write, and the exit code to end with. */
import type { CliStreams } from './cli-output.js';

export interface CliContext {
  readonly io: CliStreams;
  /** Set by the command; `runCli` returns it. */
  exitCode: number;
}
