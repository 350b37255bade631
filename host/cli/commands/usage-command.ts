/** `bazaar usage`: GET /v1/usage (API.md "Billing, usage, analytics"; scope billing:read). */
import { Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields, printTable } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface UsageNumbers {
  executions: number;
  cpuMs: number;
  wallMs: number;
  byStatus?: Record<string, number>;
}

interface UsageJson extends UsageNumbers {
  from?: string;
  to?: string;
  groupBy?: string | null;
  groups?: (UsageNumbers & { day?: string; plugin?: string })[];
  quota?: { period?: string; included: number | null; used: number; remaining: number | null };
}

const ms = (value: unknown) => (typeof value === 'number' ? value.toFixed(1) : '-');
const failed = (n: UsageNumbers) => Object.entries(n.byStatus ?? {}).filter(([s]) => s !== 'succeeded').reduce((sum, [, c]) => sum + c, 0);

export function usageCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('usage', "the key's tenant's executions, CPU and wall time, and this month's quota")
      .option('--from <date>', 'start, inclusive: 2024-05-01 or an ISO date-time with zone (default: this UTC month)')
      .option('--to <date>', 'end, exclusive (default: the start of next month)')
      .addOption(new Option('--group-by <what>', 'one row per day or per plugin').choices(['day', 'plugin'])),
    '\nExample:\n  bazaar usage --from 2024-05-01 --to 2024-06-01 --group-by plugin\n',
  ).action(async (flags: RemoteFlags & { from?: string; to?: string; groupBy?: string }) => {
    const client = await connect(flags);
    const { body } = await client.get<UsageJson>('/v1/usage', { query: { from: flags.from, to: flags.to, groupBy: flags.groupBy } });
    emit(cli, flags, body, () => {
      printFields(cli.io, [
        ['period', body.from !== undefined ? `${body.from} .. ${body.to ?? ''}` : undefined],
        ['executions', body.executions],
        ['by status', Object.entries(body.byStatus ?? {}).filter(([, c]) => c > 0).map(([s, c]) => `${s} ${c}`).join(', ') || '-'],
        ['cpu ms', ms(body.cpuMs)],
        ['wall ms', ms(body.wallMs)],
        ['quota', body.quota === undefined ? undefined : `${body.quota.used} used of ${body.quota.included ?? 'unlimited'}${body.quota.remaining === null ? '' : `, ${body.quota.remaining} left`}`],
      ]);
      if (body.groupBy === 'day' || body.groupBy === 'plugin') {
        const key = body.groupBy;
        cli.io.out('\n');
        printTable(cli.io, body.groups ?? [], [
          { header: key.toUpperCase(), value: (g) => g[key] },
          { header: 'EXECUTIONS', value: (g) => g.executions, align: 'right' },
          { header: 'FAILED', value: failed, align: 'right' },
          { header: 'CPU MS', value: (g) => ms(g.cpuMs), align: 'right' },
          { header: 'WALL MS', value: (g) => ms(g.wallMs), align: 'right' },
        ], '(no executions in this period)');
      }
    });
  });
}
