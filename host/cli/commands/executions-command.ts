/**
 * `bazaar executions [list] | show <executionId>`: GET /v1/executions and
 * GET /v1/executions/:id (scope plugins:execute, plugins:install or
 * billing:read). The host keeps usage, never output; `show` prints the logs
 * and full error while the host keeps them (failed executions, for some days).
 */
import { Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { integerFlag } from '../cli-flags.js';
import { printBlock } from '../cli-output.js';
import { printFields, printTable } from '../cli-table.js';
import { resolveInstall } from '../install-ref.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import type { Page } from '../tenant-ref.js';

/** The host's execution record (host/metering/usage-record.ts `executionToJson`). */
interface ExecutionJson {
  executionId: string;
  installId: string;
  plugin: string;
  version: string;
  action: string;
  status: 'succeeded' | 'failed';
  /** `message` and `stack` only on one execution, while its logs are kept. */
  error: { code: string; message?: string; stack?: string } | null;
  usage: { cpuMs: number; wallMs: number; memoryBytes: number; inputBytes: number; outputBytes: number };
  startedAt: string;
  finishedAt: string;
}

/** One execution (`executionDetailToJson`): `logs` while kept, else `null`. */
interface ExecutionDetailJson extends ExecutionJson {
  logs: string[] | null;
}

const ms = (value: number) => value.toFixed(1);
const status = (e: ExecutionJson) => (e.error === null ? e.status : `${e.status} (${e.error.code})`);

function listCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('list', "the key's tenant's executions, newest first")
      .option('--install <install>', 'only this install: its id, or the plugin name of the tenant\'s install')
      .addOption(new Option('--status <status>', 'only succeeded or only failed executions').choices(['succeeded', 'failed']))
      .option('--limit <n>', 'page size, 1-200 (default 50)', integerFlag(1, 200))
      .option('--cursor <cursor>', 'the nextCursor of a previous page'),
    `
Examples:
  bazaar executions list --status failed --limit 10
  bazaar executions list --install @examples/slugify --json
`,
  ).action(async (flags: RemoteFlags & { install?: string; status?: string; limit?: number; cursor?: string }) => {
    const client = await connect(flags);
    const install = flags.install === undefined ? undefined : (await resolveInstall(client, flags.install)).id;
    const { body } = await client.get<Page<ExecutionJson>>('/v1/executions', {
      query: { install, status: flags.status, limit: flags.limit, cursor: flags.cursor },
    });
    emit(cli, flags, body, () => {
      printTable(cli.io, body.items, [
        { header: 'ID', value: (e) => e.executionId },
        { header: 'PLUGIN', value: (e) => `${e.plugin}@${e.version}` },
        { header: 'ACTION', value: (e) => e.action },
        { header: 'STATUS', value: status },
        { header: 'CPU MS', value: (e) => ms(e.usage.cpuMs), align: 'right' },
        { header: 'WALL MS', value: (e) => ms(e.usage.wallMs), align: 'right' },
        { header: 'STARTED', value: (e) => e.startedAt },
      ], '(no executions)');
      if (body.nextCursor !== null) cli.io.out(`more: --cursor ${body.nextCursor}\n`);
    });
  });
}

function showCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('show', 'one execution: plugin, version, status, usage, and its error and logs while the host keeps them').argument(
      '<executionId>',
      'as exec printed it, or from executions list',
    ),
  ).action(async (id: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body: e } = await client.get<ExecutionDetailJson>(`/v1/executions/${encodeURIComponent(id)}`);
    emit(cli, flags, e, () => {
      printFields(cli.io, [
        ['execution', e.executionId],
        ['plugin', `${e.plugin}@${e.version}`],
        ['install', e.installId],
        ['action', e.action],
        ['status', e.status],
        ['error', e.error?.code],
        ...(e.error?.message === undefined ? [] : [['message', e.error.message] as const]),
        ['cpu ms', ms(e.usage.cpuMs)],
        ['wall ms', ms(e.usage.wallMs)],
        ['memory', `${(e.usage.memoryBytes / 1024 / 1024).toFixed(1)} MB`],
        ['input', `${e.usage.inputBytes} bytes`],
        ['output', `${e.usage.outputBytes} bytes`],
        ['started', e.startedAt],
        ['finished', e.finishedAt],
      ]);
      if (e.error?.stack !== undefined) printBlock(cli.io, 'stack', [e.error.stack]);
      // null: the host never kept them (a success, by default) or they expired.
      if (e.logs === null) cli.io.out('logs: (not kept)\n');
      else if (e.logs.length === 0) cli.io.out('logs: (none)\n');
      else printBlock(cli.io, 'logs', e.logs);
    });
  });
}

export function executionsCommand(cli: CliContext): Command {
  return new Command('executions')
    .description("list and show the key's tenant's past executions (default: list)")
    .addCommand(listCommand(cli), { isDefault: true })
    .addCommand(showCommand(cli));
}
