/** `bazaar review list|show|approve|reject` (docs/http-api.md "Review"; scope reviews:write). */
import { Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { parsePluginVersion } from '../cli-flags.js';
import type { CliStreams } from '../cli-output.js';
import { printFields, printTable } from '../cli-table.js';
import { pluginPath } from '../client/http-client.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import type { Page } from '../tenant-ref.js';

interface Trust {
  score: number;
  risk: string;
  factors: Record<string, number>;
  evidence?: { factor: string; signal: string; detail: string; impact: number; severity?: string }[];
  findings?: { rule: string; severity: string; file: string; line: number | null; message: string }[];
}

interface ReviewItem {
  name: string;
  version: string;
  status: string;
  publishedAt: string;
  description: string | null;
  permissions: unknown;
  trust: Trust;
}

interface VersionJson {
  name: string;
  version: string;
  status: string;
  statusReason?: string | null;
  deprecated?: { message: string; at: string } | null;
  sha256: string;
  publishedAt: string;
  manifest: { description?: string; license?: string; permissions?: unknown; actions?: Record<string, unknown> };
  trust: Trust;
}

type Target = { name: string; version: string };

function printTrust(io: CliStreams, trust: Trust): void {
  io.out(`trust ${trust.score} (${trust.risk} risk)\n`);
  for (const [factor, score] of Object.entries(trust.factors)) io.out(`  ${factor.padEnd(18)} ${String(score).padStart(3)}\n`);
  const findings = trust.findings ?? [];
  if (findings.length > 0) io.out('findings:\n');
  for (const f of findings.slice(0, 40)) io.out(`  [${f.severity}] ${f.file}${f.line === null ? '' : `:${f.line}`} ${f.message} (${f.rule})\n`);
  const evidence = trust.evidence ?? [];
  if (evidence.length > 0) io.out('evidence:\n');
  for (const e of evidence.slice(0, 40)) {
    const impact = e.impact > 0 ? `+${e.impact}` : String(e.impact);
    io.out(`  ${e.factor.padEnd(18)} ${impact.padStart(4)}  ${e.signal}: ${e.detail}\n`);
  }
}

function printVersion(io: CliStreams, v: VersionJson): void {
  printFields(io, [
    ['plugin', `${v.name}@${v.version}`],
    ['status', v.statusReason ? `${v.status} (${v.statusReason})` : v.status],
    ...(v.deprecated ? [['deprecated', `${v.deprecated.message} (since ${v.deprecated.at})`] as const] : []),
    ['published', v.publishedAt],
    ['sha256', v.sha256],
    ['license', v.manifest.license],
    ['actions', Object.keys(v.manifest.actions ?? {})],
    ['permissions', JSON.stringify(v.manifest.permissions ?? {})],
    ['description', v.manifest.description],
  ]);
  printTrust(io, v.trust);
}

function listCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('list', 'the queue of versions waiting for review, by trust score (GET /v1/reviews)')
      .addOption(new Option('--order <order>', 'by trust score').choices(['asc', 'desc']))
      .option('--limit <n>', 'page size (1-200)', '50')
      .option('--cursor <cursor>', 'the nextCursor of a previous page'),
  ).action(async (flags: RemoteFlags & { order?: string; limit: string; cursor?: string }) => {
    const client = await connect(flags);
    const { body } = await client.get<Page<ReviewItem>>('/v1/reviews', { query: { order: flags.order, limit: flags.limit, cursor: flags.cursor } });
    emit(cli, flags, body, () => {
      printTable(cli.io, body.items, [
        { header: 'PLUGIN', value: (r) => `${r.name}@${r.version}` },
        { header: 'TRUST', value: (r) => r.trust.score, align: 'right' },
        { header: 'RISK', value: (r) => r.trust.risk },
        { header: 'PUBLISHED', value: (r) => r.publishedAt },
        { header: 'DESCRIPTION', value: (r) => (r.description ?? '').slice(0, 60) },
      ], '(the review queue is empty)');
      if (body.nextCursor !== null) cli.io.out(`more: --cursor ${body.nextCursor}\n`);
    });
  });
}

function showCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('show', 'one version: status, manifest summary, trust breakdown and evidence').argument('<plugin@version>', 'e.g. @acme/slugify@1.2.0', parsePluginVersion),
  ).action(async (target: Target, flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.get<VersionJson>(`/v1/plugins/${pluginPath(target.name)}/versions/${encodeURIComponent(target.version)}`);
    emit(cli, flags, body, () => printVersion(cli.io, body));
  });
}

function decideCommand(cli: CliContext, decision: 'approve' | 'reject'): Command {
  const command = remoteCommand(decision, `${decision} a pending version; recorded in the audit log`)
    .argument('<plugin@version>', 'e.g. @acme/slugify@1.2.0', parsePluginVersion);
  // A rejection must tell the publisher why; an approval may say what was checked.
  if (decision === 'reject') command.requiredOption('--notes <text>', 'why: the publisher reads this');
  else command.option('--notes <text>', 'what was checked');
  return withSettingsHelp(command).action(async (target: Target, flags: RemoteFlags & { notes?: string }) => {
    const client = await connect(flags);
    const json = { decision, ...(flags.notes === undefined ? {} : { notes: flags.notes }) };
    const { body } = await client.post<VersionJson>(`/v1/plugins/${pluginPath(target.name)}/versions/${encodeURIComponent(target.version)}/review`, { json });
    emit(cli, flags, body, () => cli.io.out(`${body.name}@${body.version}: ${body.status}\n`));
  });
}

export function reviewCommand(cli: CliContext): Command {
  return new Command('review')
    .description('review submitted plugin versions (reviewer key, scope reviews:write)')
    .addCommand(listCommand(cli))
    .addCommand(showCommand(cli))
    .addCommand(decideCommand(cli, 'approve'))
    .addCommand(decideCommand(cli, 'reject'));
}
