/**
 * `bazaar migrate`: run the pending database migrations on the configured
 * database (DATABASE_URL, else the embedded one in BAZAAR_DATA_DIR) and exit,
 * so a deployment can migrate once before it starts (or rolls) its hosts.
 */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { EXIT, printJson } from '../cli-output.js';
import { HostUnreachableError } from '../client/client-errors.js';

export function migrateCommand(cli: CliContext): Command {
  return new Command('migrate')
    .description('run pending database migrations on the configured database, then exit')
    .option('--json', 'print {database, applied: [names]} as JSON')
    .addHelpText(
      'after',
      `
Configuration comes from the environment, as for \`bazaar serve\`: DATABASE_URL
(unset: the embedded PostgreSQL in BAZAAR_DATA_DIR, default ./.bazaar). Running
it again applies nothing. Hosts also migrate on start; this command lets a
deployment do it first, once. Exit codes: 0 migrated (or up to date),
2 bad configuration, 3 the database cannot be reached.`,
    )
    .action(async (flags: { json?: boolean }) => {
      // Loaded only here: the other commands never load knex.
      const { loadConfig } = await import('../../foundation/config.js');
      const { createDatabase, migrateLatest, migrationConfig } = await import('../../foundation/database/database.js');
      const { createLogger } = await import('../../foundation/logger.js');
      const config = loadConfig(process.env);
      const database = config.databaseUrl === null ? `embedded (${config.dataDir})` : 'postgres';
      // knex's own warnings go to stderr as log lines: stdout stays the command's answer.
      const logger = createLogger({ level: config.logLevel, write: (line) => cli.io.err(`${line}\n`) });
      const db = createDatabase(config, { logger });
      try {
        let pending: string[];
        try {
          const [, todo] = (await db.migrate.list(migrationConfig())) as [unknown[], { file: string }[]];
          pending = todo.map((m) => m.file.replace(/\.js$/, ''));
        } catch (err) {
          // The first query is where an unreachable server shows itself.
          throw new HostUnreachableError(`could not reach the database (${database}): ${(err as Error).message}`, { cause: err });
        }
        await migrateLatest(db);
        if (flags.json) printJson(cli.io, { database, applied: pending });
        else if (pending.length === 0) cli.io.out(`${database}: already up to date\n`);
        else cli.io.out(`${database}: applied ${pending.length} migration(s)\n${pending.map((m) => `  ${m}\n`).join('')}`);
        cli.exitCode = EXIT.ok;
      } finally {
        await db.destroy();
      }
    });
}
