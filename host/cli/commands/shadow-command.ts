/**
 * `bazaar shadow <plugin|installId> <version> --sample-rate <0..1>`: shadow
 * runs of a candidate version (PATCH /v1/installs/:id with `shadow`);
 * `bazaar shadow report <plugin|installId>` reads the comparison (GET
 * /v1/installs/:id/shadow) and `bazaar shadow stop <plugin|installId>` ends
 * it (DELETE). Scope plugins:install.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields } from '../cli-table.js';
import { resolveInstall } from '../install-ref.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

interface ShadowInstallJson {
  id: string;
  plugin: string;
  version: string;
  shadow: { version: string; sampleRate: number; startedAt: string } | null;
}

interface Percentiles {
  p50: number | null;
  p95: number | null;
}

interface ShadowReportJson {
  version: string;
  sampleRate: number;
  startedAt: string;
  compared: number;
  identical: number;
  different: number;
  candidateFailed: number;
  samples: { executionId: string; output: unknown; candidateOutput: unknown }[];
  cpuMs: { current: Percentiles; candidate: Percentiles };
  deniedHostCalls: ({ kind: 'kv' } | { kind: 'network'; host: string })[];
  costPer1000: { current: number; candidate: number; difference: number };
}

function parseSampleRate(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('a number from 0 to 1');
  return n;
}

const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
const cents = (v: number) => `${v} ¢`;

/** The report, readable: counts, CPU both sides, cost, denied calls, then each sample's two outputs. */
function printReport(cli: CliContext, install: { id: string; plugin?: string }, r: ShadowReportJson): void {
  cli.io.out(`shadow of ${install.plugin ?? install.id} on ${r.version} (sample rate ${r.sampleRate}, since ${r.startedAt})\n`);
  printFields(
    cli.io,
    [
      ['compared', r.compared],
      ['identical', r.identical],
      ['different', r.different],
      ['candidate failed', r.candidateFailed],
      ['cpu p50/p95 current', `${ms(r.cpuMs.current.p50)} / ${ms(r.cpuMs.current.p95)}`],
      ['cpu p50/p95 candidate', `${ms(r.cpuMs.candidate.p50)} / ${ms(r.cpuMs.candidate.p95)}`],
      ['cost per 1000', `current ${cents(r.costPer1000.current)}, candidate ${cents(r.costPer1000.candidate)}, difference ${cents(r.costPer1000.difference)}`],
      ['denied host calls', r.deniedHostCalls.length === 0 ? 'none' : r.deniedHostCalls.map((c) => (c.kind === 'kv' ? 'kv' : `network ${c.host}`)).join(', ')],
    ],
    '  ',
  );
  if (r.samples.length === 0) return;
  cli.io.out('\nsamples (differing or failed):\n');
  for (const s of r.samples) {
    cli.io.out(`  execution ${s.executionId}\n`);
    cli.io.out(`    - current:   ${JSON.stringify(s.output)}\n`);
    cli.io.out(`    + candidate: ${JSON.stringify(s.candidateOutput)}\n`);
  }
}

function subCommand(cli: CliContext, name: 'report' | 'stop', description: string): Command {
  return remoteCommand(name, description)
    .argument('<target>', "plugin name (the tenant's install of it) or install id")
    .action(async (target: string, _flags: RemoteFlags, self: Command) => {
      // `shadow` declares the same connection flags and takes them wherever they stand: read both.
      const flags = self.optsWithGlobals<RemoteFlags>();
      const client = await connect(flags);
      const install = await resolveInstall(client, target);
      const path = `/v1/installs/${encodeURIComponent(install.id)}/shadow`;
      if (name === 'report') {
        const { body } = await client.get<ShadowReportJson>(path);
        emit(cli, flags, body, () => printReport(cli, install, body));
        return;
      }
      await client.delete(path);
      const result = { id: install.id, ...(install.plugin === undefined ? {} : { plugin: install.plugin }), shadow: null };
      emit(cli, flags, result, () => cli.io.out(`stopped the shadow runs of ${install.plugin ?? install.id}\n`));
    });
}

export function shadowCommand(cli: CliContext): Command {
  const command = withSettingsHelp(
    remoteCommand('shadow', "run a candidate version on a sample of an install's executions, never answered nor billed, and compare")
      .argument('<target>', "plugin name (the tenant's install of it) or install id")
      .argument('<version>', 'the approved version to shadow (a version, range or dist-tag)')
      .option('--sample-rate <rate>', 'share of the executions also run on it, 0..1 (required)', parseSampleRate),
    `
After each answered execution, with that probability, the same input runs on
the candidate under the install's current grants: calls beyond them are
refused and reported, kv writes are discarded, fetches to granted hosts go
out. Run it again (any version) to start a fresh report.

Examples:
  bazaar shadow @examples/slugify 1.1.0 --sample-rate 0.1
  bazaar shadow report @examples/slugify
  bazaar shadow stop @examples/slugify`,
  ).action(async (target: string, version: string, flags: RemoteFlags & { sampleRate?: number }) => {
    // Not a required option: commander would demand it of `shadow report|stop` too.
    if (flags.sampleRate === undefined) command.error("error: required option '--sample-rate <rate>' not specified", { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
    const client = await connect(flags);
    const install = await resolveInstall(client, target);
    const json = { shadow: { version, sampleRate: flags.sampleRate } };
    const { body } = await client.request<ShadowInstallJson>('PATCH', `/v1/installs/${encodeURIComponent(install.id)}`, { json });
    emit(cli, flags, body, () => {
      const shadow = body.shadow === null ? 'none' : `${body.shadow.version} on ${body.shadow.sampleRate} of the executions since ${body.shadow.startedAt}`;
      cli.io.out(`shadowing ${body.plugin}@${body.version} with ${body.shadow?.version ?? version}\n`);
      printFields(cli.io, [['install', body.id], ['version', body.version], ['shadow', shadow]], '  ');
    });
  });
  command.addCommand(subCommand(cli, 'report', 'compare the shadow runs: counts, CPU, cost, denied host calls, differing outputs'));
  command.addCommand(subCommand(cli, 'stop', 'stop the shadow runs and forget their report'));
  return command;
}
