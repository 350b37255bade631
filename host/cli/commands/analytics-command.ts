/**
 * `bazaar analytics <plugin> [--from --to]`: GET /v1/analytics/plugins/:name
 * (docs/http-api.md "Billing, usage and analytics"; the publisher of the
 * plugin's scope, reviewers and the operator). The shape is the host's
 * (host/analytics/plugin-analytics.ts): hourly series per version, from the
 * rolled-up aggregates. Human output: one line per version with its totals,
 * then the hours.
 */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields, printTable } from '../cli-table.js';
import { pluginPath } from '../client/http-client.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface Percentiles {
  total: number;
  p50: number;
  p95: number;
}

interface HourJson {
  hour: string;
  executions: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  timeouts: number;
  memoryLimitExceeded: number;
  pluginErrors: number;
  invalidInputs: number;
  cpuMs: Percentiles;
  wallMs: Percentiles;
}

interface AnalyticsJson {
  plugin: string;
  from: string;
  to: string;
  granularity: 'hour';
  versions: { version: string; series: HourJson[] }[];
}

const rate = (r: number | null) => (r === null ? undefined : `${(r * 100).toFixed(1)}%`);
const ms = (n: number) => n.toFixed(1);

export function analyticsCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('analytics', "a plugin's hourly executions, success rate and p50/p95 times (publisher, reviewer, operator)")
      .argument('<plugin>', 'plugin name, e.g. @acme/slugify')
      .option('--from <date>', 'start, inclusive: 2024-05-01 or an ISO date-time with zone (default: 7 days ago)')
      .option('--to <date>', 'end, exclusive (default: the end of the current hour)'),
    '\nFigures come from an hourly rollup: the current hour shows up within the rollup interval.\nExample:\n  bazaar analytics @acme/slugify --from 2024-05-01\n',
  ).action(async (plugin: string, flags: RemoteFlags & { from?: string; to?: string }) => {
    const client = await connect(flags);
    const { body } = await client.get<AnalyticsJson>(`/v1/analytics/plugins/${pluginPath(plugin)}`, { query: { from: flags.from, to: flags.to } });
    emit(cli, flags, body, () => {
      printFields(cli.io, [['plugin', body.plugin], ['range', `${body.from} .. ${body.to}`]]);
      cli.io.out('\n');
      const totals = body.versions.map((v) => {
        const executions = v.series.reduce((n, h) => n + h.executions, 0);
        const succeeded = v.series.reduce((n, h) => n + h.succeeded, 0);
        return { version: v.version, hours: v.series.length, executions, succeeded, failed: executions - succeeded };
      });
      printTable(cli.io, totals, [
        { header: 'VERSION', value: (t) => t.version },
        { header: 'EXECUTIONS', value: (t) => t.executions, align: 'right' },
        { header: 'FAILED', value: (t) => t.failed, align: 'right' },
        { header: 'SUCCESS', value: (t) => rate(t.executions === 0 ? null : t.succeeded / t.executions), align: 'right' },
        { header: 'HOURS', value: (t) => t.hours, align: 'right' },
      ], '(no executions in this range)');
      const hours = body.versions.flatMap((v) => v.series.map((h) => ({ version: v.version, ...h })));
      if (hours.length === 0) return;
      cli.io.out('\n');
      printTable(cli.io, hours, [
        { header: 'HOUR', value: (h) => h.hour.slice(0, 13).replace('T', ' ') + 'h' },
        { header: 'VERSION', value: (h) => h.version },
        { header: 'EXECUTIONS', value: (h) => h.executions, align: 'right' },
        { header: 'SUCCESS', value: (h) => rate(h.successRate), align: 'right' },
        { header: 'WALL P50', value: (h) => ms(h.wallMs.p50), align: 'right' },
        { header: 'WALL P95', value: (h) => ms(h.wallMs.p95), align: 'right' },
        { header: 'CPU P50', value: (h) => ms(h.cpuMs.p50), align: 'right' },
        { header: 'CPU P95', value: (h) => ms(h.cpuMs.p95), align: 'right' },
      ]);
    });
  });
}
