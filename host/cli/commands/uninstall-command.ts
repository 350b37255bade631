/** `bazaar uninstall <plugin|installId>`: DELETE /v1/installs/:id (scope plugins:install). */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { resolveInstall } from '../install-ref.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

export function uninstallCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('uninstall', "remove a plugin's install from the key's tenant")
      .argument('<target>', "plugin name (the tenant's install of it) or install id"),
    `
The plugin stops running for the tenant at once; its past executions stay
listed (bazaar executions list). An unknown plugin or install exits 1 (not_found).

Examples:
  bazaar uninstall @examples/slugify
  bazaar uninstall 0b7c...-uuid --json
`,
  ).action(async (target: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    const install = await resolveInstall(client, target);
    await client.delete(`/v1/installs/${encodeURIComponent(install.id)}`);
    const result = { id: install.id, ...(install.plugin === undefined ? {} : { plugin: install.plugin }), uninstalled: true };
    emit(cli, flags, result, () => cli.io.out(install.plugin === undefined ? `uninstalled install ${install.id}\n` : `uninstalled ${install.plugin} (install ${install.id})\n`));
  });
}
