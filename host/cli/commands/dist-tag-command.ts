/**
 * `bazaar dist-tag add|rm|ls`: a plugin's dist-tags (PUT / DELETE
 * /v1/plugins/:name/dist-tags/:tag by the publisher of the scope; `ls` reads
 * GET /v1/plugins/:name). An install's --version may name a tag: it resolves
 * once, when installing.
 */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { parsePluginVersion } from '../cli-flags.js';
import { printTable } from '../cli-table.js';
import { pluginPath, type HostClient } from '../client/http-client.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface DistTagsJson {
  distTags: Record<string, string>;
}

function printTags(cli: CliContext, tags: Record<string, string>): void {
  printTable(cli.io, Object.entries(tags), [
    { header: 'TAG', value: ([tag]) => tag },
    { header: 'VERSION', value: ([, version]) => version },
  ], '(no dist-tags: nothing is approved yet)');
}

const tagPath = (name: string, tag: string): string => `/v1/plugins/${pluginPath(name)}/dist-tags/${encodeURIComponent(tag)}`;

function addCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('add', 'point a tag at an approved version (PUT /v1/plugins/:name/dist-tags/:tag)')
      .argument('<plugin@version>', 'e.g. @acme/slugify@2.0.0-beta.1', parsePluginVersion)
      .argument('<tag>', 'e.g. beta (lowercase, not a semver range)'),
  ).action(async (target: { name: string; version: string }, tag: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.request<DistTagsJson>('PUT', tagPath(target.name, tag), { json: { version: target.version } });
    emit(cli, flags, body, () => printTags(cli, body.distTags));
  });
}

function rmCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('rm', 'remove a tag other than latest (DELETE /v1/plugins/:name/dist-tags/:tag)').argument('<plugin>', 'e.g. @acme/slugify').argument('<tag>', 'e.g. beta'),
  ).action(async (name: string, tag: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.delete<DistTagsJson>(tagPath(name, tag));
    emit(cli, flags, body, () => printTags(cli, body.distTags));
  });
}

async function readTags(client: HostClient, name: string): Promise<DistTagsJson> {
  const { body } = await client.get<DistTagsJson>(`/v1/plugins/${pluginPath(name)}`);
  return { distTags: body.distTags };
}

function lsCommand(cli: CliContext): Command {
  return withSettingsHelp(remoteCommand('ls', "a plugin's dist-tags").argument('<plugin>', 'e.g. @acme/slugify')).action(async (name: string, flags: RemoteFlags) => {
    const body = await readTags(await connect(flags), name);
    emit(cli, flags, body, () => printTags(cli, body.distTags));
  });
}

export function distTagCommand(cli: CliContext): Command {
  return new Command('dist-tag')
    .description("name versions of a plugin (latest, beta, ...); installs may ask for a tag (publisher key to change them)")
    .addCommand(addCommand(cli))
    .addCommand(rmCommand(cli))
    .addCommand(lsCommand(cli));
}
