/**
 * The `bazaar` command line: the commands, and one place that turns every
 * failure into an exit code and an error in the API's shape.
 */
import { Command, CommanderError } from 'commander';
import { isBazaarError } from '../../manifests/errors.js';
import type { CliContext } from './cli-context.js';
import { installHelp } from './cli-invocation.js';
import { EXIT, errorBody, processStreams, reportError, type CliStreams } from './cli-output.js';
import { HostRefusedError, HostUnreachableError } from './client/client-errors.js';
import { analyticsCommand } from './commands/analytics-command.js';
import { deprecateCommand } from './commands/deprecate-command.js';
import { devCommand } from './commands/dev-command.js';
import { distTagCommand } from './commands/dist-tag-command.js';
import { execCommand } from './commands/exec-command.js';
import { executionsCommand } from './commands/executions-command.js';
import { initCommand } from './commands/init-command.js';
import { installCommand } from './commands/install-command.js';
import { invoicesCommand } from './commands/invoices-command.js';
import { keysCommand } from './commands/keys-command.js';
import { loginCommand } from './commands/login-command.js';
import { logoutCommand } from './commands/logout-command.js';
import { migrateCommand } from './commands/migrate-command.js';
import { packCommand } from './commands/pack-command.js';
import { publishCommand } from './commands/publish-command.js';
import { reviewCommand } from './commands/review-command.js';
import { runCommand } from './commands/run-command.js';
import { serveCommand } from './commands/serve-command.js';
import { subscriptionCommand } from './commands/subscription-command.js';
import { tenantsCommand } from './commands/tenants-command.js';
import { uninstallCommand } from './commands/uninstall-command.js';
import { rolloutCommand } from './commands/rollout-command.js';
import { shadowCommand } from './commands/shadow-command.js';
import { usageCommand } from './commands/usage-command.js';
import { whoamiCommand } from './commands/whoami-command.js';

/** Subcommands are built on their own, so the output and exit settings are copied down the whole tree. */
function inheritSettings(command: Command, parent: Command): void {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(sub, command);
}

export function createProgram(cli: CliContext): Command {
  const program = new Command('bazaar')
    .description('Bazaar: build, publish, review, install and run sandboxed plugins; serve the marketplace host')
    .version('0.1.0')
    // The program's own options (--version, --help) only before a command, so `install x --version 1.2.0` means the plugin's.
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => cli.io.out(text), writeErr: (text) => cli.io.err(text) })
    .exitOverride()
    .addHelpText(
      'after',
      `
Commands that talk to a host take --host/--key, else BAZAAR_HOST/BAZAAR_KEY,
else the file \`bazaar login\` writes. Every command has --help; most have --json.
Exit codes: 0 ok, 1 the host refused or the plugin failed, 2 usage error,
3 the host cannot be reached.`,
    )
    .addHelpText('after', () => installHelp());
  const commands = [
    // author
    initCommand(cli), runCommand(cli), devCommand(cli), packCommand(cli), publishCommand(cli), deprecateCommand(cli), distTagCommand(cli),
    // reviewer and operator
    reviewCommand(cli), tenantsCommand(cli), keysCommand(cli),
    // tenant
    installCommand(cli), rolloutCommand(cli), shadowCommand(cli), uninstallCommand(cli), execCommand(cli), executionsCommand(cli), usageCommand(cli), invoicesCommand(cli), subscriptionCommand(cli),
    // publisher
    analyticsCommand(cli),
    // everyone
    loginCommand(cli), logoutCommand(cli), whoamiCommand(cli), serveCommand(cli), migrateCommand(cli),
  ];
  for (const command of commands) {
    inheritSettings(command, program);
    program.addCommand(command);
  }
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`) and returns the exit code:
 * 0 ok, 1 the plugin failed or the host refused, 2 usage, package or file
 * error, 3 the host (or, for migrate, the database) cannot be reached.
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
    if (err instanceof HostRefusedError) {
      // The host's answer as it sent it, request id included: what its operator needs.
      reportError(io, json, err.answer);
      if (!json && err.hint !== undefined) io.err(`hint: ${err.hint}\n`);
      return EXIT.failure;
    }
    reportError(io, json, errorBody(err));
    if (err instanceof HostUnreachableError) return EXIT.unreachable;
    if (!isBazaarError(err) && !json && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return EXIT.usage;
  }
}
