/**
 * `bazaar logout`: removes the API key `bazaar login` saved. The host URL
 * stays, so `bazaar login --key <key>` is enough to log in again. Nothing is
 * asked of the host: a key is revoked with `bazaar keys revoke`, not here.
 */
import { rm } from 'node:fs/promises';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { EXIT, printJson } from '../cli-output.js';
import { configFilePath, readSavedSettings, writeSavedSettings } from '../client/client-settings.js';

export function logoutCommand(cli: CliContext): Command {
  return new Command('logout')
    .description('remove the API key `bazaar login` saved (the host URL stays)')
    .option('--json', 'print {file, removed, host, envKey} as JSON')
    .addHelpText(
      'after',
      `
Edits $XDG_CONFIG_HOME/bazaar/config.json (or ~/.config/bazaar/config.json);
the file is deleted when nothing is left in it. Logging out twice is not an
error. BAZAAR_KEY and --key are not affected: when BAZAAR_KEY is set,
commands keep using it. The key itself still works until revoked
(bazaar keys revoke).
Exit codes: 0 ok, 2 the file cannot be read or written.`,
    )
    .action(async (flags: { json?: boolean }) => {
      const file = configFilePath();
      const saved = await readSavedSettings(file);
      const removed = saved.key !== undefined;
      if (removed) {
        const { key: _key, ...rest } = saved;
        if (rest.host === undefined) await rm(file, { force: true });
        else await writeSavedSettings(file, rest);
      }
      const envKey = process.env.BAZAAR_KEY !== undefined && process.env.BAZAAR_KEY !== '';
      if (flags.json) printJson(cli.io, { file, removed, host: saved.host ?? null, envKey });
      else {
        cli.io.out(removed ? `removed the saved key from ${file}\n` : `no key saved in ${file}; nothing to do\n`);
        if (envKey) cli.io.err('note: BAZAAR_KEY is set in this environment; commands still use it\n');
      }
      cli.exitCode = EXIT.ok;
    });
}
