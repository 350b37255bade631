/**
 * `bazaar rollout <plugin|installId> <version> --percent N`: a gradual rollout
 * (PATCH /v1/installs/:id with `rollout`); `bazaar rollout promote|abort
 * <plugin|installId>` ends it (scope plugins:install).
 */
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields } from '../cli-table.js';
import { resolveInstall } from '../install-ref.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import { collectGrant } from './install-command.js';

interface RolloutInstallJson {
  id: string;
  plugin: string;
  version: string;
  rollout: { version: string; percent: number; startedAt: string } | null;
  lastRolloutAbort: { version: string; reason: string; at: string } | null;
}

function parsePercent(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new InvalidArgumentError('a whole number from 1 to 99');
  return n;
}

/** The install's versions as the rollout leaves them. */
function printRollout(cli: CliContext, body: RolloutInstallJson): void {
  const rollout = body.rollout === null ? 'none' : `${body.rollout.version} on ${body.rollout.percent}% since ${body.rollout.startedAt}`;
  const rows: [string, string][] = [['install', body.id], ['version', body.version], ['rollout', rollout]];
  if (body.lastRolloutAbort !== null) rows.push(['last abort', `${body.lastRolloutAbort.version}: ${body.lastRolloutAbort.reason}`]);
  printFields(cli.io, rows, '  ');
}

function endCommand(cli: CliContext, action: 'promote' | 'abort', description: string): Command {
  return remoteCommand(action, description)
    .argument('<target>', "plugin name (the tenant's install of it) or install id")
    .action(async (target: string, _flags: RemoteFlags, self: Command) => {
      // `rollout` declares the same connection flags and takes them wherever they stand: read both.
      const flags = self.optsWithGlobals<RemoteFlags>();
      const client = await connect(flags);
      const install = await resolveInstall(client, target);
      const { body } = await client.post<RolloutInstallJson>(`/v1/installs/${encodeURIComponent(install.id)}/rollout/${action}`, { json: {} });
      emit(cli, flags, body, () => {
        cli.io.out(action === 'promote' ? `promoted: ${body.plugin} runs ${body.version}\n` : `aborted: ${body.plugin} runs ${body.version} only\n`);
        printRollout(cli, body);
      });
    });
}

export function rolloutCommand(cli: CliContext): Command {
  const command = withSettingsHelp(
    remoteCommand('rollout', 'roll a version out to a share of an install\'s executions, then promote or abort it')
      .argument('<target>', "plugin name (the tenant's install of it) or install id")
      .argument('<version>', 'the approved version to roll out (newer or older)')
      .option('--percent <n>', 'share of the executions that run it, 1..99 (required)', parsePercent)
      .option('--grant <permission>', 'grant a permission the version asks for: kv, network=<host,...>, or JSON (repeatable)', collectGrant),
    `
Each execution runs the new version with that probability; run it again with
another --percent to adjust. The circuit breaker aborts a rollout whose new
version fails markedly more than the installed one.

Examples:
  bazaar rollout @examples/slugify 1.1.0 --percent 10
  bazaar rollout promote @examples/slugify
  bazaar rollout abort @examples/slugify`,
  ).action(async (target: string, version: string, flags: RemoteFlags & { percent?: number; grant?: Record<string, unknown> }) => {
    // Not a required option: commander would demand it of `rollout promote|abort` too.
    if (flags.percent === undefined) command.error("error: required option '--percent <n>' not specified", { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
    const client = await connect(flags);
    const install = await resolveInstall(client, target);
    const json = { version, rollout: { percent: flags.percent }, ...(flags.grant === undefined ? {} : { grantPermissions: flags.grant }) };
    const { body } = await client.request<RolloutInstallJson>('PATCH', `/v1/installs/${encodeURIComponent(install.id)}`, { json });
    emit(cli, flags, body, () => {
      cli.io.out(`rolling out ${body.plugin}@${version}\n`);
      printRollout(cli, body);
    });
  });
  command.addCommand(endCommand(cli, 'promote', 'all traffic to the rollout\'s version (an upgrade)'));
  command.addCommand(endCommand(cli, 'abort', 'back to the installed version only'));
  return command;
}
