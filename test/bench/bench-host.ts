/**
 * A real host for benchmarks: the production dependency graph and Koa app on
 * a real listening port, on the embedded database (PGlite in a temporary data
 * directory, as `npm start` uses it) or on real PostgreSQL in a scratch schema
 * (with Redis for the limits when REDIS_URL is set).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import { createApp } from '../../host/wiring/app.js';
import { bootstrapOperator } from '../../host/tenants/bootstrap-operator.js';
import { buildDeps, closeDeps, startDeps } from '../../host/wiring/build-deps.js';
import { loadConfig } from '../../host/foundation/config.js';
import type { AppDeps } from '../../host/wiring/deps.js';
import { createLimits } from '../../host/limits/index.js';
import { createLogger } from '../../host/foundation/logger.js';
import { UsageRepository } from '../../host/metering/usage-repository.js';
import { createDatabase, migrateLatest } from '../../host/foundation/database/database.js';

export const BENCH_ADMIN_KEY = `bzr_${randomBytes(16).toString('hex')}`;

export interface BenchHost {
  readonly name: string;
  readonly url: string;
  readonly deps: AppDeps;
  close(): Promise<void>;
}

/**
 * The backends this run can measure: embedded always, PostgreSQL when
 * DATABASE_URL is set; `BAZAAR_BENCH_BACKENDS=postgres` (comma-separated) keeps some.
 */
export function benchBackends(env: NodeJS.ProcessEnv = process.env): string[] {
  const all = env.DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
  const only = env.BAZAAR_BENCH_BACKENDS?.split(',').filter((b) => b !== '');
  return only === undefined || only.length === 0 ? all : all.filter((b) => only.includes(b));
}

export async function startBenchHost(backend: string, env: NodeJS.ProcessEnv = process.env): Promise<BenchHost> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bazaar-bench-'));
  const schema = `bzr_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const base = { BAZAAR_ADMIN_KEY: BENCH_ADMIN_KEY, BAZAAR_LOG_LEVEL: 'silent' };
  const config =
    backend === 'postgres'
      ? loadConfig({ ...base, DATABASE_URL: env.DATABASE_URL, ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}) })
      : loadConfig({ ...base, BAZAAR_DATA_DIR: dataDir });
  let admin: Knex | undefined;
  if (backend === 'postgres') {
    admin = knex({ client: 'pg', connection: config.databaseUrl!, pool: { min: 0, max: 1 } });
    await admin.raw('create schema ??', [schema]);
  }
  const db = createDatabase(config, backend === 'postgres' ? { schema } : {});
  await migrateLatest(db, backend === 'postgres' ? schema : undefined);
  const logger = createLogger({ level: 'silent' });
  // Its own Redis keys: other hosts on the same Redis (tests, other benches) would otherwise bump its cache generation.
  const limits = createLimits({ redisUrl: config.redisUrl, keyPrefix: `${schema}:`, logger, usage: new UsageRepository(db) });
  const deps = buildDeps({ config, db, logger, limits });
  await bootstrapOperator(deps);
  await startDeps(deps); // as a server does: the background loops run during the bench too
  const server: Server = createServer(createApp(deps).callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: backend === 'postgres' ? (env.REDIS_URL ? 'PostgreSQL + Redis' : 'PostgreSQL') : 'embedded PGlite',
    url: `http://127.0.0.1:${port}`,
    deps,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeDeps(deps);
      await limits.close(); // handed in, so the caller's to close
      if (config.redisUrl !== null && config.redisUrl !== undefined) await dropRedisKeys(config.redisUrl, `${schema}:`);
      if (admin !== undefined) {
        await admin.raw('drop schema ?? cascade', [schema]);
        await admin.destroy();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Delete the bench host's own keys (only those under its prefix). */
async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

/** One JSON request against a bench host; throws on an unexpected status. */
export async function call(host: BenchHost, method: string, route: string, key: string, body?: unknown, expect = [200, 201]): Promise<any> {
  const res = await fetch(host.url + route, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!expect.includes(res.status)) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
