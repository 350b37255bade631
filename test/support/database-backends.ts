/**
 * The database backends tests run against
 * (docs/product.md "Storage and deployment": one test suite runs against every
 * backend that is configured):
 *
 * - `pglite`: always; a fresh in-memory PGlite per suite.
 * - `postgres`: when `DATABASE_URL` is set; each suite gets its own fresh
 *   schema (dropped afterwards), so parallel or repeated runs never collide.
 *
 * Use it as `for (const backend of backends) describe(backend.name, () => { const db = useDatabase(backend); ... })`.
 * A configured PostgreSQL that cannot be reached skips its suites locally but
 * FAILS them under `CI=true`: CI must never go green by not testing.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { type Config, loadConfig } from '../../host/foundation/config.js';
import { useSuiteBackend } from './suite-backend.js';
import { createDatabase, migrateLatest } from '../../host/foundation/database/database.js';

/** A database opened for one suite. */
export interface TestDatabase {
  readonly backend: string;
  /** Config pointing at this database (with `BAZAAR_ADMIN_KEY` = `TEST_ADMIN_KEY`). */
  readonly config: Config;
  /** Migrated knex instance. */
  readonly db: Knex;
  /**
   * Another knex instance on the same data, as a second host process would
   * have (PostgreSQL: its own pool; PGlite, which is single-connection and
   * in-process: the same instance). Closed by `close()`.
   */
  openAnother(): Promise<Knex>;
  close(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  open(env?: Readonly<Record<string, string>>): Promise<TestDatabase>;
}

/** The operator key every test database is configured with. */
export const TEST_ADMIN_KEY = 'bzr_0123456789abcdef0123456789abcdef';


/**
 * Booting PGlite costs seconds on a busy machine; cloning a booted one costs a
 * fraction of that. So the first suite boots and migrates a template once per
 * test process, and every suite gets its own clone: still a fresh, private
 * in-memory database, and the migrations still run on PGlite.
 */
let template: Promise<PGlite> | undefined;

async function migratedTemplate(): Promise<PGlite> {
  const booted = new PGlite('memory://');
  const db = pgliteKnex(booted);
  await migrateLatest(db);
  const golden = await booted.clone();
  await db.destroy(); // closes `booted`; the clone lives on
  return golden as PGlite;
}

/** A knex on an existing PGlite instance (knex-pglite's connection-function form). */
function pgliteKnex(instance: PGlite): Knex {
  return knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: (() => ({ pglite: instance })) as unknown as Knex.StaticConnectionConfig,
  });
}

const pglite: Backend = {
  name: 'pglite',
  async open(env = {}) {
    const config = loadConfig({ BAZAAR_DATA_DIR: 'memory://', BAZAAR_ADMIN_KEY: TEST_ADMIN_KEY, ...env });
    template ??= migratedTemplate();
    const db = pgliteKnex((await (await template).clone()) as PGlite);
    return {
      backend: 'pglite',
      config,
      db,
      openAnother: async () => db,
      close: () => db.destroy(),
    };
  },
};

function postgres(url: string): Backend {
  return {
    name: 'postgres',
    async open(env = {}) {
      const config = loadConfig({ DATABASE_URL: url, BAZAAR_ADMIN_KEY: TEST_ADMIN_KEY, ...env });
      const schema = `bzr_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 5_000 });
      const opened: Knex[] = [];
      try {
        await admin.raw('create schema ??', [schema]);
        const open = () => {
          const db = createDatabase(config, { schema, poolMax: 4 });
          opened.push(db);
          return db;
        };
        const db = open();
        await migrateLatest(db, schema);
        return {
          backend: 'postgres',
          config,
          db,
          openAnother: async () => open(),
          async close() {
            await Promise.all(opened.map((d) => d.destroy()));
            await admin.raw('drop schema if exists ?? cascade', [schema]);
            await admin.destroy();
          },
        };
      } catch (err) {
        await Promise.allSettled(opened.map((d) => d.destroy()));
        await admin.raw('drop schema if exists ?? cascade', [schema]).catch(() => undefined);
        await admin.destroy();
        throw err;
      }
    },
  };
}

/** Every configured backend, embedded first. */
export const backends: readonly Backend[] = [
  pglite,
  ...(process.env.DATABASE_URL ? [postgres(process.env.DATABASE_URL)] : []),
];

/**
 * Open `backend` for the enclosing `describe` (before/after hooks) and answer
 * a handle whose `current` is the open database inside tests.
 */
export function useDatabase(backend: Backend, env?: Readonly<Record<string, string>>): { readonly current: TestDatabase } {
  // The first PGlite suite boots and migrates the template: slow on a busy machine.
  return useSuiteBackend({ name: backend.name, embedded: backend.name === 'pglite', open: () => backend.open(env) });
}
