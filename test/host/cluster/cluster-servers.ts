/**
 * The real servers a cluster test runs on, provisioned fresh and private to
 * this run on the configured PostgreSQL and Redis:
 *
 * - PostgreSQL: a new DATABASE `bzr_cluster_<pid>_<hex>` on the DATABASE_URL
 *   server (the hosts migrate it from nothing, as a first deployment does),
 *   dropped WITH (FORCE) afterwards.
 * - Redis: the hosts' key prefix is fixed (`bazaar:`), so the run gets its own
 *   logical database instead of a prefix: number 14 (13 if REDIS_URL itself
 *   names 14), flushed before and after. Two cluster runs at once on one
 *   Redis would share it; nothing else in the project uses it.
 *
 * `close()` runs the deferred clean-ups (hosts, proxies, …) newest first,
 * THEN drops the database: hosts never see their database vanish under them.
 */
import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { Redis } from 'ioredis';

export const CLUSTER_REDIS_DB = 14;

/** knex's own console output (pool errors) is noise here: failures reach the caller as errors. */
const QUIET = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };

export interface ClusterServers {
  /** DATABASE_URL of the fresh database (the real server's address). */
  readonly databaseUrl: string;
  /** REDIS_URL of the private logical database (the real server's address). */
  readonly redisUrl: string;
  /** A connection to the fresh database, for the ledger queries tests make. */
  readonly db: Knex;
  /** Run `cleanup` in `close()`, before the servers are released (newest first). */
  defer(cleanup: () => Promise<void>): void;
  close(): Promise<void>;
}

/** Create the database and claim the Redis database; throws if either server is unreachable. */
export async function openClusterServers(databaseUrl: string, redisUrl: string): Promise<ClusterServers> {
  const name = `bzr_cluster_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 5_000, log: QUIET });
  const clusterRedisUrl = withRedisDb(redisUrl);
  const redis = new Redis(clusterRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported by connect() below
  const cleanups: (() => Promise<void>)[] = [];
  let db: Knex | undefined;
  let created = false;

  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.warn(`  cluster clean-up failed: ${String(err)}`));
    cleanups.length = 0;
    await db?.destroy();
    if (created) await admin.raw(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch((err: unknown) => console.warn(`  could not drop ${name}: ${String(err)}`));
    await admin.destroy();
    if (redis.status === 'ready') {
      await redis.flushdb().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    } else {
      redis.disconnect();
    }
  };

  try {
    await redis.connect().then(
      () => redis.flushdb(),
      (err: unknown) => Promise.reject(new Error(`Redis at ${redact(clusterRedisUrl)} is unreachable: ${(err as Error).message}`)),
    );
    await admin.raw(`CREATE DATABASE ${quoteIdent(name)}`).catch((err: unknown) => {
      throw new Error(`PostgreSQL at ${redact(databaseUrl)}: cannot create a database: ${(err as Error).message}`);
    });
    created = true;
    const url = withDatabase(databaseUrl, name);
    db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 }, acquireConnectionTimeout: 10_000, log: QUIET });
    return {
      databaseUrl: url,
      redisUrl: clusterRedisUrl,
      db,
      defer: (cleanup) => void cleanups.push(cleanup),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `url` pointing at another host:port (a proxy), keeping credentials, database and options. */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

/** The server's host and port of a URL (defaults: PostgreSQL 5432, Redis 6379). */
export function serverOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  const fallback = u.protocol.startsWith('redis') ? 6379 : 5432;
  return { host: u.hostname || '127.0.0.1', port: u.port === '' ? fallback : Number(u.port) };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function withRedisDb(url: string): string {
  const u = new URL(url);
  const given = Number(u.pathname.replace(/^\//, '') || '0');
  u.pathname = `/${given === CLUSTER_REDIS_DB ? CLUSTER_REDIS_DB - 1 : CLUSTER_REDIS_DB}`;
  return u.toString();
}

function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}
