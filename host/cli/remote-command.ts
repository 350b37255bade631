/**
 * What every command that talks to a host shares: the --host/--key/--json
 * options, the settings they resolve to (flags > env > config file), and the
 * client built from them.
 */
import { Command, Option } from 'commander';
import type { CliContext } from './cli-context.js';
import { parseHostUrl } from './cli-flags.js';
import { EXIT, printJson } from './cli-output.js';
import { resolveSettings } from './client/client-settings.js';
import { HostClient } from './client/http-client.js';

export interface RemoteFlags {
  host?: string;
  key?: string;
  json?: boolean;
}

export const SETTINGS_HELP = `
Host and key: --host/--key, else BAZAAR_HOST/BAZAAR_KEY, else the file written
by \`bazaar login\` ($XDG_CONFIG_HOME/bazaar/config.json or ~/.config/bazaar/config.json).
Exit codes: 0 ok, 1 the host refused (code, message and request id are printed),
2 usage error, 3 the host cannot be reached.`;

/** Adds --host, --key and --json to `command`, and the settings help after its own. */
export function remoteCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(new Option('--host <url>', 'host base URL, e.g. https://bazaar.example.com').argParser(parseHostUrl))
    .addOption(new Option('--key <key>', 'API key (bzr_...)'))
    .option('--json', "print the host's JSON answer (or {error, requestId}) as one JSON document");
}

/** The client for these flags; a missing host or key is a usage error (exit 2). */
export async function connect(flags: RemoteFlags): Promise<HostClient> {
  return new HostClient(await resolveSettings(flags));
}

/** `--json`: the answer as is; otherwise the command's human rendering. Exit 0 either way. */
export function emit(cli: CliContext, flags: RemoteFlags, answer: unknown, human: () => void): void {
  if (flags.json) printJson(cli.io, answer);
  else human();
  cli.exitCode = EXIT.ok;
}

/** Adds the settings and exit-code help to a leaf command. */
export function withSettingsHelp(command: Command, extra = ''): Command {
  return command.addHelpText('after', `${extra}${SETTINGS_HELP}`);
}
