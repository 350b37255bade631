/**
 * `bazaar dev <dir>`: the plugin on a local HTTP endpoint, reloaded on every
 * change, in the sandbox and with the limits of `bazaar run` (dev-server.ts).
 * Runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import path from 'node:path';
import { Command } from 'commander';
import type { JsonValue, SandboxRuntime } from '../../../runtime/types.js';
import type { TierName } from '../../foundation/tiers.js';
import type { CliContext } from '../cli-context.js';
import { integerFlag, parseJsonFlag } from '../cli-flags.js';
import { EXIT, printHumanError, type CliStreams } from '../cli-output.js';
import type { Loaded } from '../dev-server.js';
import { parseTier } from '../run-limits.js';

interface DevFlags {
  port: number;
  host: string;
  tier?: TierName;
  config?: JsonValue;
}

const DEFAULT_PORT = 7878;

const HELP_AFTER = `
Serves the plugin at http://<host>:<port>/: POST /<action> with the JSON input
(POST / runs the default action) answers as a host's execute does: 200
{executionId, status, output, logs, usage}, or 422 {error, executionId, logs,
usage, requestId} when the plugin fails. GET / shows the loaded package, its
tier and limits.

Every change in the folder reloads the package (what \`bazaar pack\` would pack,
.bazaarignore included); a change that breaks it is printed, and answered with
its error until the next change fixes it. kv lives in memory for the session.

Limits: as \`bazaar run\`: the manifest's, capped by --tier (default enterprise).

Example:
  bazaar dev examples/slugify --port 7878
  curl -s -X POST http://127.0.0.1:7878/slugify -d '{"title":"Hello World"}'`;

function describeLoad(io: CliStreams, loaded: Loaded, tier: TierName): void {
  if (!loaded.ok) {
    io.err('✖ the package cannot be loaded (fix it and save: it reloads)\n');
    printHumanError(io, loaded.error);
    return;
  }
  const { pkg, limits } = loaded;
  io.out(
    `loaded ${pkg.manifest.name}@${pkg.manifest.version} (sha256 ${pkg.sha256.slice(0, 12)}); ` +
      `tier ${tier}: cpu ${limits.cpuMs} ms, memory ${limits.memoryMb} MB, timeout ${limits.timeoutMs} ms\n`,
  );
}

export function devCommand(cli: CliContext): Command {
  return new Command('dev')
    .description('serve a plugin folder on a local HTTP endpoint, reloading it on every change')
    .argument('<dir>', 'plugin folder (with manifest.json)')
    .option('--port <n>', `port to listen on (0: any free port)`, integerFlag(0, 65_535), DEFAULT_PORT)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--tier <tier>', 'cap the limits by this tier: free, pro, team or enterprise (default)', parseTier)
    .option('--config <json>', 'install config as JSON (defaults from the config schema)', parseJsonFlag)
    .addHelpText('after', HELP_AFTER)
    .action(async (dir: string, flags: DevFlags) => {
      // Loaded on use (tar, ajv, the sandbox): the other commands start faster without them.
      const { startDevServer } = await import('../dev-server.js');
      const { createSandboxRuntime } = await import('../../../runtime/index.js');
      const tier = flags.tier ?? 'enterprise';
      let runtime: SandboxRuntime | undefined;
      const lazyRuntime = (): SandboxRuntime => (runtime ??= createSandboxRuntime({ workers: 1, spareIsolates: 0 }));
      // Started on first execution, as in `bazaar run`.
      const sandbox: SandboxRuntime = {
        execute: (request) => lazyRuntime().execute(request),
        evict: async (installId) => runtime?.evict(installId),
        stats: () => lazyRuntime().stats(),
        close: async () => runtime?.close(),
      };
      const server = await startDevServer({
        dir: path.resolve(dir),
        host: flags.host,
        port: flags.port,
        limits: flags.tier === undefined ? {} : { tier: flags.tier },
        ...(flags.config !== undefined ? { config: flags.config } : {}),
        runtime: sandbox,
        onLoad: (loaded) => describeLoad(cli.io, loaded, tier),
        onWatchError: (err) => cli.io.err(`✖ cannot watch ${dir} any more (${err.message}): changes are no longer reloaded\n`),
      });
      cli.io.out(`listening on ${server.url}  (POST /<action> with JSON input; GET / for the package; Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await sandbox.close();
      cli.exitCode = EXIT.ok;
    });
}
