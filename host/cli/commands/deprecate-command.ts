/**
 * `bazaar deprecate <plugin@version> "<message>"` and `--undo`: POST / DELETE
 * /v1/plugins/:name/versions/:version/deprecate (the publisher of the scope,
 * or a reviewer). A deprecated version still installs and runs; installs of
 * it answer the message as a warning.
 */
import { Command } from 'commander';
import { BazaarError } from '../../../manifests/errors.js';
import type { CliContext } from '../cli-context.js';
import { parsePluginVersion } from '../cli-flags.js';
import { pluginPath } from '../client/http-client.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface VersionJson {
  name: string;
  version: string;
  deprecated: { message: string; at: string } | null;
}

export function deprecateCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('deprecate', 'mark a version deprecated with a message (it still installs and runs), or --undo it')
      .argument('<plugin@version>', 'e.g. @acme/slugify@1.2.0', parsePluginVersion)
      .argument('[message]', 'what users should do instead (1-1024 characters)')
      .option('--undo', 'remove the deprecation'),
    `
Examples:
  bazaar deprecate @acme/slugify@1.0.0 "1.0.0 mangles unicode; upgrade to 1.1.0"
  bazaar deprecate @acme/slugify@1.0.0 --undo`,
  ).action(async (target: { name: string; version: string }, message: string | undefined, flags: RemoteFlags & { undo?: boolean }) => {
    if (flags.undo === true && message !== undefined) throw new BazaarError('invalid_request', '--undo takes no message');
    if (flags.undo !== true && (message === undefined || message.trim() === '')) throw new BazaarError('invalid_request', 'a message is required (or --undo)');
    const client = await connect(flags);
    const path = `/v1/plugins/${pluginPath(target.name)}/versions/${encodeURIComponent(target.version)}/deprecate`;
    const { body } = flags.undo === true ? await client.delete<VersionJson>(path) : await client.post<VersionJson>(path, { json: { message } });
    emit(cli, flags, body, () =>
      cli.io.out(body.deprecated === null ? `${body.name}@${body.version}: no longer deprecated\n` : `${body.name}@${body.version}: deprecated: ${body.deprecated.message}\n`),
    );
  });
}
