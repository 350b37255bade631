/**
 * `bazaar exec <plugin|installId>`: one execution on the host (docs/http-api.md
 * "Executions"; scope plugins:execute). A plugin failure (422) is still an
 * execution: its result is printed and the exit code is 1.
 */
import { Command } from 'commander';
import type { JsonValue } from '../../../runtime/types.js';
import type { CliContext } from '../cli-context.js';
import { parseJsonFlag } from '../cli-flags.js';
import { EXIT, printBlock, printJson, type CliStreams } from '../cli-output.js';
import { spinner } from '../cli-progress.js';
import { pluginPath } from '../client/http-client.js';
import { connect, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import { UUID } from '../tenant-ref.js';

/** Executions may run up to the host's wall-clock ceiling (30 s by default) plus queueing. */
const EXEC_TIMEOUT_MS = 120_000;

interface ExecutionAnswer {
  executionId: string;
  status?: string;
  output?: unknown;
  /** `stack`: the plugin's own frames, for an error it threw. */
  error?: { code: string; message: string; stack?: string };
  logs: string[];
  usage: { cpuMs: number; wallMs: number; memoryBytes: number };
  requestId?: string;
}

function usageLine(usage: ExecutionAnswer['usage']): string {
  return `cpu ${usage.cpuMs.toFixed(1)} ms, wall ${usage.wallMs.toFixed(1)} ms, memory ${(usage.memoryBytes / 1024 / 1024).toFixed(1)} MB`;
}

function printHuman(io: CliStreams, answer: ExecutionAnswer, requestId: string | undefined): void {
  if (answer.error === undefined) {
    io.out(`✔ succeeded (${usageLine(answer.usage)})\n${JSON.stringify(answer.output, null, 2)}\n`);
  } else {
    io.out(`✖ failed [${answer.error.code}]: ${answer.error.message} (${usageLine(answer.usage)})\n`);
    if (typeof answer.error.stack === 'string') io.out(`${answer.error.stack}\n`);
  }
  io.out(`execution ${answer.executionId}${requestId === undefined ? '' : `, request ${requestId}`}\n`);
  if (answer.logs.length > 0) printBlock(io, 'logs', answer.logs);
}

export function execCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('exec', 'execute an installed plugin on the host')
      .argument('<target>', 'plugin name (the tenant\'s install of it) or install id')
      .option('--action <name>', 'action to run (default: the manifest\'s defaultAction)')
      .option('--input <json>', 'action input as JSON, or @file.json', parseJsonFlag, {})
      .option('--idempotency-key <key>', 'a replay with the same key answers the first result and runs nothing'),
    `
Prints the output, logs and usage. Exit 1 when the plugin failed (its error
code: execution_timeout, memory_limit_exceeded, plugin_error, invalid_input,
invalid_output, output_too_large, sandbox_crashed) or the host refused.

Examples:
  bazaar exec @examples/slugify --input '{"title":"Hello Bazaar"}'
  bazaar exec 0b7c...-uuid --action hmac --input @input.json --json`,
  ).action(async (target: string, flags: RemoteFlags & { action?: string; input: JsonValue; idempotencyKey?: string }) => {
    const client = await connect(flags);
    const path = UUID.test(target) ? `/v1/installs/${target}/executions` : `/v1/plugins/${pluginPath(target)}/execute`;
    const json = { ...(flags.action === undefined ? {} : { action: flags.action }), input: flags.input };
    const indicator = spinner(cli.io, `running ${target}`, { json: flags.json === true }); // stderr, and never with --json
    let answer;
    try {
      answer = await client.post<ExecutionAnswer>(path, {
        json,
        accept: [422],
        timeoutMs: EXEC_TIMEOUT_MS,
        ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
      });
    } finally {
      indicator.stop();
    }
    if (flags.json) printJson(cli.io, answer.body);
    else printHuman(cli.io, answer.body, answer.requestId);
    cli.exitCode = answer.status === 200 ? EXIT.ok : EXIT.failure;
  });
}
