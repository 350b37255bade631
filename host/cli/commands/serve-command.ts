/** `bazaar serve`: the marketplace host, configured from the environment (docs/http-api.md "Conventions"). */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function serveCommand(cli: CliContext): Command {
  return new Command('serve')
    .description('start the Bazaar host (HTTP API, marketplace, sandbox)')
    .addHelpText(
      'after',
      `
Configuration comes from the environment: PORT (8080), DATABASE_URL (unset: an
embedded PostgreSQL in BAZAAR_DATA_DIR, default ./.bazaar), REDIS_URL,
BAZAAR_ADMIN_KEY, BAZAAR_ALLOW_PRIVATE_NETWORKS, BAZAAR_LOG_LEVEL, ...
The server stops gracefully on SIGTERM and SIGINT.`,
    )
    .action(async () => {
      // Loaded only here, so `run` and `pack` never load koa, knex or the database.
      const { loadConfig, unknownSettings } = await import('../../foundation/config.js');
      const { startServer } = await import('../../wiring/server.js');
      const { createLogger } = await import('../../foundation/logger.js');
      const config = loadConfig(process.env);
      const logger = createLogger({ level: config.logLevel });
      const unknown = unknownSettings(process.env);
      if (unknown.length > 0) logger.warn({ settings: unknown }, 'unknown BAZAAR_* settings are ignored: typos?');
      await startServer(config, { logger });
      cli.exitCode = 0;
    });
}
