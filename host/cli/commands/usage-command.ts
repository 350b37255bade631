/**
 * `bazaar usage`: GET /v1/usage
 * (docs/http-api.md "Billing, usage and analytics"; scope billing:read). The
 * shape is the host's (host/metering/usage-report.ts).
 */
import { Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields, printTable } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface UsageNumbers {
  executions: number;
  cpuMs: number;
  wallMs: number;
  byStatus: { succeeded: number; failed: number };
  /** Failed executions per error code; only codes that occurred. */
  byErrorCode: Record<string, number>;
}

interface UsageJson extends UsageNumbers {
  from: string;
  to: string;
  groupBy: 'day' | 'plugin' | null;
  groups: (UsageNumbers & { day?: string; plugin?: string })[];
  /** The current quota period: the subscription's billing period, or the calendar month without one. */
  quota: { period: string; periodStart: string; periodEnd: string; included: number | null; used: number; remaining: number | null };
}

const ms = (value: unknown) => (typeof value === 'number' ? value.toFixed(1) : '-');
const counts = (by: Record<string, number>) => Object.entries(by).filter(([, c]) => c > 0).map(([s, c]) => `${s} ${c}`).join(', ') || '-';

export function usageCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('usage', "the key's tenant's executions, CPU and wall time, and the quota of its billing period")
      .option('--from <date>', 'start, inclusive: 2024-05-01 or an ISO date-time with zone (default: this UTC month)')
      .option('--to <date>', 'end, exclusive (default: the start of next month)')
      .addOption(new Option('--group-by <what>', 'one row per day or per plugin').choices(['day', 'plugin'])),
    '\nExample:\n  bazaar usage --from 2024-05-01 --to 2024-06-01 --group-by plugin\n',
  ).action(async (flags: RemoteFlags & { from?: string; to?: string; groupBy?: string }) => {
    const client = await connect(flags);
    const { body } = await client.get<UsageJson>('/v1/usage', { query: { from: flags.from, to: flags.to, groupBy: flags.groupBy } });
    emit(cli, flags, body, () => {
      const { quota } = body;
      printFields(cli.io, [
        ['range', `${body.from} .. ${body.to}`],
        ['executions', body.executions],
        ['by status', counts(body.byStatus)],
        ['failures', counts(body.byErrorCode)],
        ['cpu ms', ms(body.cpuMs)],
        ['wall ms', ms(body.wallMs)],
        ['quota', `${quota.used} used of ${quota.included ?? 'unlimited'}${quota.remaining === null ? '' : `, ${quota.remaining} left`}`],
        ['quota period', `${quota.periodStart} .. ${quota.periodEnd}`],
      ]);
      if (body.groupBy === 'day' || body.groupBy === 'plugin') {
        const key = body.groupBy;
        cli.io.out('\n');
        printTable(cli.io, body.groups, [
          { header: key.toUpperCase(), value: (g) => g[key] },
          { header: 'EXECUTIONS', value: (g) => g.executions, align: 'right' },
          { header: 'FAILED', value: (g) => g.byStatus.failed, align: 'right' },
          { header: 'CPU MS', value: (g) => ms(g.cpuMs), align: 'right' },
          { header: 'WALL MS', value: (g) => ms(g.wallMs), align: 'right' },
        ], '(no executions in this period)');
      }
    });
  });
}
