/**
 * The knex instance and its migrations. One code path for both databases
 * (docs/product.md "Storage and deployment"): embedded PGlite through
 * `knex-pglite` when no `DATABASE_URL` is configured, PostgreSQL through `pg`
 * otherwise.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { BazaarError } from '../../../manifests/errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** Compiled migrations live next to this file in dist/: `host/storage/migrations/*.js`. */
export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface DatabaseOptions {
  /**
   * PostgreSQL schema to use instead of `public` (tests give each suite its own).
   * Ignored for PGlite, where each suite gets its own in-memory database.
   */
  readonly schema?: string;
  /** pg pool size; PGlite is always one connection. */
  readonly poolMax?: number;
  /** Where knex's own warnings go (instead of the console). */
  readonly logger?: Logger;
}

/** Create (but do not connect) the knex instance for this config. */
export function createDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, options: DatabaseOptions = {}): Knex {
  const log = options.logger === undefined ? {} : { log: knexLog(options.logger) };
  if (config.databaseUrl === null) {
    // PGlite takes a path or a URL-like dataDir (`memory://` for a throw-away database).
    if (!config.dataDir.includes('://')) mkdirSync(config.dataDir, { recursive: true });
    return knex({
      client: ClientPgLite,
      dialect: 'postgres',
      connection: { connectionString: config.dataDir },
      ...log,
    });
  }
  return knex({
    client: 'pg',
    connection: config.databaseUrl,
    pool: { min: 0, max: options.poolMax ?? 10 },
    ...(options.schema === undefined ? {} : { searchPath: [options.schema] }),
    // Fail fast at boot (and in /readyz) instead of waiting the 60 s default.
    acquireConnectionTimeout: 10_000,
    ...log,
  });
}

/** knex's logger interface, onto ours (knex passes strings or errors). */
function knexLog(logger: Logger): Knex.Logger {
  const text = (m: unknown) => (m instanceof Error ? m.message : String(m));
  return {
    warn: (m: unknown) => logger.warn({ source: 'knex' }, text(m)),
    error: (m: unknown) => logger.error({ source: 'knex' }, text(m)),
    deprecate: (method: string, alternative: string) =>
      logger.warn({ source: 'knex' }, `${method} is deprecated; use ${alternative}`),
    debug: (m: unknown) => logger.debug({ source: 'knex' }, text(m)),
  };
}

/** The knex migrator config shared by `migrateLatest` and tests. */
export function migrationConfig(schema?: string): Knex.MigratorConfig {
  return {
    directory: MIGRATIONS_DIRECTORY,
    // Only the compiled JS: never the .d.ts or .js.map files beside them.
    loadExtensions: ['.js'],
    tableName: 'knex_migrations',
    ...(schema === undefined ? {} : { schemaName: schema }),
  };
}

/**
 * Run the pending migrations. Several host processes may start at once on one
 * PostgreSQL: knex serialises them with its lock row inside the migration
 * transaction, but two processes creating the bookkeeping tables at the same
 * moment can still collide, so a failed attempt is retried a few times.
 */
export async function migrateLatest(db: Knex, schema?: string): Promise<void> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.migrate.latest(migrationConfig(schema));
      return;
    } catch (err) {
      if (attempt >= attempts || !isMigrationRace(err)) throw err;
      await sleep(100 * attempt + Math.floor(Math.random() * 100));
    }
  }
}

/**
 * Errors of two processes migrating at the same moment: both creating the
 * bookkeeping tables (unique_violation on the catalog, duplicate_table), or
 * knex's lock row taken.
 */
function isMigrationRace(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === '42P07' || (err as { name?: unknown }).name === 'MigrationLocked' ||
    /already locked/.test(String((err as { message?: unknown }).message));
}

/** Check the database answers; throws 503 `dependency_unavailable` if not (for /readyz). */
export async function pingDatabase(db: Knex, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs);
  });
  try {
    await Promise.race([db.raw('select 1'), timeout]);
  } catch (err) {
    throw new BazaarError('dependency_unavailable', 'The database is unavailable.', undefined, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Postgres' unique_violation, from pg or PGlite. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/**
 * Run `effect` once `db`'s work is committed: at once outside a transaction,
 * after COMMIT inside one (nothing on rollback). Cache-generation bumps go
 * here: a bump before COMMIT would let another process reload the old row
 * and cache it under the new generation.
 */
export async function afterCommit(db: Knex, effect: () => Promise<void>): Promise<void> {
  if (!db.isTransaction) return effect();
  (db as Knex.Transaction).executionPromise.then(effect, () => undefined).catch(() => undefined);
}
