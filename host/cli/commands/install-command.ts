/** `bazaar install <plugin>`: POST /v1/installs (docs/http-api.md "Installs"; scope plugins:install). */
import { Command, InvalidArgumentError } from 'commander';
import type { JsonValue } from '../../../runtime/types.js';
import type { CliContext } from '../cli-context.js';
import { parseJsonFlag } from '../cli-flags.js';
import { printFields } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface InstallJson {
  id: string;
  plugin: string;
  version: string;
  config: unknown;
  permissions: unknown;
  status: string;
  pendingVersion?: string | null;
  /** e.g. a deprecation notice of the version installed. */
  warnings?: string[];
}

type Grant = { kv?: boolean; network?: { hosts: string[] } };

/**
 * `--grant kv`, `--grant network=api.example.com,other.example` (repeatable),
 * or `--grant '{"kv":true}'`: folded into the manifest-shaped grant.
 */
export function collectGrant(text: string, previous: Grant = {}): Grant {
  const grant: Grant = { ...previous };
  if (text.trim().startsWith('{')) {
    const value = parseJsonFlag(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError('a JSON grant must be an object');
    return { ...grant, ...(value as Grant) };
  }
  if (text === 'kv') return { ...grant, kv: true };
  const network = /^network=(.+)$/.exec(text);
  if (network !== null) {
    const hosts = network[1]!.split(',').map((h) => h.trim()).filter((h) => h !== '');
    return { ...grant, network: { hosts: [...(grant.network?.hosts ?? []), ...hosts] } };
  }
  throw new InvalidArgumentError('expected kv, network=<host,...> or a JSON object');
}

export function installCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('install', 'install an approved plugin for the key\'s tenant')
      .argument('<plugin>', 'plugin name, e.g. @acme/slugify')
      .option('--version <range>', 'version, semver range or dist-tag (default: the latest tag)')
      .option('--config <json>', 'install config as JSON, or @file.json', parseJsonFlag)
      .option('--grant <permission>', 'grant a permission the plugin asks for: kv, network=<host,...>, or JSON (repeatable)', collectGrant)
      .option('--idempotency-key <key>', 'a replay with the same key answers the first install'),
    `
A plugin that asks for permissions installs only when they are all granted
(400 permissions_not_granted otherwise).

Examples:
  bazaar install @examples/slugify --config '{"separator":"_"}'
  bazaar install @examples/feature-flags --grant kv`,
  ).action(async (plugin: string, flags: RemoteFlags & { version?: string; config?: JsonValue; grant?: Grant; idempotencyKey?: string }) => {
    const client = await connect(flags);
    const json = {
      plugin,
      ...(flags.version === undefined ? {} : { version: flags.version }),
      ...(flags.config === undefined ? {} : { config: flags.config }),
      ...(flags.grant === undefined ? {} : { grantPermissions: flags.grant }),
    };
    const { body } = await client.post<InstallJson>('/v1/installs', { json, ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}) });
    emit(cli, flags, body, () => {
      for (const warning of body.warnings ?? []) cli.io.err(`warning: ${warning}\n`);
      cli.io.out(`installed ${body.plugin}@${body.version}\n`);
      printFields(cli.io, [['install', body.id], ['status', body.status], ['config', JSON.stringify(body.config)], ['permissions', JSON.stringify(body.permissions)]], '  ');
    });
  });
}
