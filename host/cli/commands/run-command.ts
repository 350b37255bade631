/** `bazaar run <dir|tgz>`: one execution in the real sandbox, judged as the host judges it. */
import { isDeepStrictEqual } from 'node:util';
import { Command } from 'commander';
import type { ExecutionResult, JsonValue, SandboxRuntime } from '../../../runtime/types.js';
import type { CliContext } from '../cli-context.js';
import { integerFlag, parseJsonFlag } from '../cli-flags.js';
import { EXIT, printBlock, printJson, type CliStreams } from '../cli-output.js';
import { loadKv, localBridge, saveKv } from '../local-bridge.js';
import { MAX_TIMEOUT_MS, parseTier, resolveRunLimits, type LimitFlags } from '../run-limits.js';
import type { Executor } from '../run-plugin.js';

interface RunFlags extends LimitFlags {
  action?: string;
  input: JsonValue;
  config?: JsonValue;
  cpuMs?: number;
  memoryMb?: number;
  timeoutMs?: number;
  kvFile?: string;
  expect?: JsonValue;
  json?: boolean;
}

const HELP_AFTER = `
Limits: by default the manifest's "limits", capped by the enterprise tier
(5000 ms CPU, 256 MB memory) and ${MAX_TIMEOUT_MS} ms wall time, i.e. what the
best-provisioned tenant gets on a host. --cpu-ms, --memory-mb and --timeout-ms
override them; --tier free|pro|team caps them by that tier instead.

Checks, as on the host: config against the manifest's config schema (defaults
applied; a mismatch is invalid_config, exit 2), input against the action's input
schema (invalid_input), output against its output schema (invalid_output).
Permissions asked for are granted: kv is in memory (--kv-file keeps it in a
JSON file between runs), fetch reaches only the manifest's network.hosts.

--input, --config and --expect take JSON or @file.json. With --expect the run
is a test: the output must equal that JSON value (exit 1 otherwise).

Exit codes: 0 succeeded, 1 the plugin failed (result.error.code says how) or
the output was not the expected one, 2 usage or package error.

Examples:
  bazaar run examples/slugify --input '{"title":"Hello World"}'
  bazaar run . --input @test/greet.input.json --expect @test/greet.expected.json
  bazaar run plugin.tgz --action hmac --input '{"key":"k","message":"m"}' --json`;

function formatUsage(result: ExecutionResult): string {
  const { cpuMs, wallMs, memoryBytes } = result.usage;
  return `cpu ${cpuMs.toFixed(1)} ms, wall ${wallMs.toFixed(1)} ms, memory ${(memoryBytes / 1024 / 1024).toFixed(1)} MB`;
}

function printHuman(io: CliStreams, action: string, result: ExecutionResult): void {
  if (result.status === 'succeeded') {
    io.out(`✔ ${action} succeeded (${formatUsage(result)})\n`);
    io.out(`${JSON.stringify(result.output, null, 2)}\n`);
  } else {
    io.out(`✖ ${action} failed [${result.error?.code ?? 'unknown'}]: ${result.error?.message ?? ''} (${formatUsage(result)})\n`);
    // Where the plugin threw, in its own files: already indented "    at fn (file:line:column)" lines.
    if (result.error?.stack !== undefined) io.out(`${result.error.stack}\n`);
  }
  if (result.logs.length > 0) printBlock(io, 'logs', result.logs);
}

export function runCommand(cli: CliContext): Command {
  return new Command('run')
    .description('run a plugin folder or .tgz locally, in the same sandbox and with the same checks as the host')
    .argument('<target>', 'plugin folder or packed .tgz')
    .option('--action <name>', 'action to run (default: the manifest\'s defaultAction, or its only action)')
    .option('--input <json>', 'action input as JSON', parseJsonFlag, {})
    .option('--config <json>', 'install config as JSON (defaults from the config schema)', parseJsonFlag)
    .option('--tier <tier>', 'cap the limits by this tier: free, pro, team or enterprise (default)', parseTier)
    .option('--cpu-ms <n>', 'CPU time limit in ms (1-60000)', integerFlag(1, 60_000))
    .option('--memory-mb <n>', 'memory limit in MB (8-1024)', integerFlag(8, 1024))
    .option('--timeout-ms <n>', 'wall-clock limit in ms (1-300000)', integerFlag(1, 300_000))
    .option('--kv-file <file>', 'load the kv store from this JSON file and save it back after the run')
    .option('--expect <json>', 'the output the action must return (JSON or @file.json): the run becomes a test', parseJsonFlag)
    .option('--json', 'print exactly one JSON object: the ExecutionResult')
    .addHelpText('after', HELP_AFTER)
    .action(async (target: string, flags: RunFlags) => {
      // Loaded on use (tar, ajv): the other commands and --help start faster without them.
      const { loadPackage } = await import('../load-package.js');
      const { chooseAction, runPlugin } = await import('../run-plugin.js');
      const pkg = await loadPackage(target);
      const action = chooseAction(pkg, flags.action);
      const kv = flags.kvFile === undefined ? undefined : await loadKv(flags.kvFile);
      // Loaded here so that `pack`, `publish` and --help never load the sandbox.
      const { createSandboxRuntime } = await import('../../../runtime/index.js');
      // Started on first use: a config or input refusal never forks a worker.
      // One execution needs one worker and no isolates created ahead of need.
      let runtime: SandboxRuntime | undefined;
      const executor: Executor = {
        execute: (request) => (runtime ??= createSandboxRuntime({ workers: 1, spareIsolates: 0 })).execute(request),
      };
      let result: ExecutionResult;
      try {
        result = await runPlugin(executor, pkg, {
          action,
          input: flags.input,
          ...(flags.config !== undefined ? { config: flags.config } : {}),
          limits: resolveRunLimits(pkg.manifest, flags),
          bridge: localBridge(pkg.manifest, kv),
        });
      } finally {
        await runtime?.close();
      }
      if (kv !== undefined && flags.kvFile !== undefined) await saveKv(flags.kvFile, kv);
      const expected = flags.expect;
      const matched = expected === undefined || (result.status === 'succeeded' && isDeepStrictEqual(result.output, expected));
      if (flags.json) printJson(cli.io, expected === undefined ? result : { ...result, expected: { output: expected, matched } });
      else {
        printHuman(cli.io, action, result);
        if (expected !== undefined && result.status === 'succeeded') {
          cli.io.out(matched ? '✔ output is the expected one\n' : `✖ expected output:\n${JSON.stringify(expected, null, 2)}\n`);
        }
      }
      cli.exitCode = result.status === 'succeeded' && matched ? EXIT.ok : EXIT.failure;
    });
}
