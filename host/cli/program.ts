/**
 * The `bazaar` command line: the commands, and one place that turns every
 * failure into an exit code and an error in the API's shape.
 */
import { Command, CommanderError } from 'commander';
import { isBazaarError } from '../../manifests/errors.js';
import type { CliContext } from './cli-context.js';
import { EXIT, errorBody, processStreams, reportError, type CliStreams } from './cli-output.js';
import { packCommand } from './commands/pack-command.js';
import { publishCommand } from './commands/publish-command.js';
import { runCommand } from './commands/run-command.js';
import { serveCommand } from './commands/serve-command.js';

export function createProgram(cli: CliContext): Command {
  const program = new Command('bazaar')
    .description('Bazaar: run, pack and publish sandboxed plugins; serve the marketplace host')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => cli.io.out(text), writeErr: (text) => cli.io.err(text) })
    .exitOverride();
  for (const command of [runCommand(cli), packCommand(cli), publishCommand(cli), serveCommand(cli)]) {
    // Subcommands are built separately, so copy the output and exit settings onto each.
    program.addCommand(command.copyInheritedSettings(program));
  }
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`) and returns the exit code:
 * 0 ok, 1 plugin failure or remote refusal, 2 usage, package or network error.
 */
export async function runCli(argv: readonly string[], io: CliStreams = processStreams): Promise<number> {
  const cli: CliContext = { io, exitCode: EXIT.ok };
  const json = argv.includes('--json');
  try {
    await createProgram(cli).parseAsync([...argv]);
    return cli.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end the same way; commander already printed them.
      if (err.exitCode === 0) return EXIT.ok;
      if (json) reportError(io, true, { error: { code: 'invalid_request', message: err.message.replace(/^error: /, '') } });
      return EXIT.usage;
    }
    reportError(io, json, errorBody(err));
    if (!isBazaarError(err) && !json && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return EXIT.usage;
  }
}
