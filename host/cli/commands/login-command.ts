/**
 * `bazaar login --host --key`: checks the key against the host, then saves
 * both to the CLI's config file (mode 0600) for later commands. Flags and
 * BAZAAR_HOST/BAZAAR_KEY still win over the file.
 */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { configFilePath, readSavedSettings, resolveSettings, writeSavedSettings } from '../client/client-settings.js';
import { HostClient } from '../client/http-client.js';
import { emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

export function loginCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('login', 'save a host URL and API key for later commands')
      .option('--no-verify', 'save without asking the host whether the key works'),
    `
Writes {host, key} to $XDG_CONFIG_HOME/bazaar/config.json (or
~/.config/bazaar/config.json) with mode 0600. Before saving it asks the host
for one marketplace page with the key: an unknown key exits 1 (unauthorized)
and nothing is saved.

Example:
  bazaar login --host https://bazaar.example.com --key bzr_...`,
  ).action(async (flags: RemoteFlags & { verify: boolean }) => {
    const file = configFilePath();
    const settings = await resolveSettings(flags);
    // Any valid key may read the marketplace: the cheapest call that proves host and key.
    if (flags.verify) await new HostClient(settings).get('/v1/plugins', { query: { limit: 1 } });
    await writeSavedSettings(file, { ...(await readSavedSettings(file)), host: settings.host, key: settings.key });
    const result = { file, host: settings.host, keyPrefix: settings.key.slice(0, 12), verified: flags.verify };
    emit(cli, flags, result, () => cli.io.out(`logged in to ${settings.host}${flags.verify ? '' : ' (not verified)'}; saved to ${file}\n`));
  });
}
