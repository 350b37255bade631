/**
 * The ioredis client of the shared counters, configured to fail fast while
 * Redis is unreachable instead of queueing commands: a request must get an
 * answer (in-process rate limit, or 503) in milliseconds, not hang until
 * Redis comes back. ioredis keeps reconnecting in the background, so the
 * counters recover by themselves.
 */
import { Redis } from 'ioredis';
import { BazaarError } from '../../manifests/errors.js';
import { type Logger, errorFields } from '../foundation/logger.js';

export interface RedisClientOptions {
  readonly logger: Logger;
  /** Give up on one command after this long (a hung or black-holed server); default 2 s. */
  readonly commandTimeoutMs?: number;
}

/** Clients past their first connection, or past waiting for it once (see `pingRedis`). */
const settled = new WeakSet<Redis>();

/** Create a client for `url` (`redis://` or `rediss://`). Logs an outage once and its end once. */
export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  const { logger } = options;
  const client = new Redis(url, {
    // Fail at once while disconnected instead of queueing: callers fall back or answer 503.
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails rather than being resent:
    // our scripts are not idempotent (a resent reservation would count twice).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    // The commands of all requests issued in one turn of the event loop leave in one write.
    enableAutoPipelining: true,
    connectTimeout: 2_000,
    // Reconnect forever, at most a second apart, so recovery is quick.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
  });
  let down = false;
  client.on('error', (err: unknown) => {
    // ioredis emits an error per failed reconnect attempt: log the first of an outage only.
    if (down) return;
    down = true;
    logger.warn({ ...errorFields(err), component: 'redis' }, 'Redis is unreachable; reconnecting');
  });
  client.on('ready', () => {
    settled.add(client);
    if (down) logger.info({ component: 'redis' }, 'Redis is reachable again');
    down = false;
  });
  return client;
}

/** A Redis failure as the contract's 503 `dependency_unavailable`, keeping the cause for logs. */
export function redisUnavailable(err: unknown): BazaarError<'dependency_unavailable'> {
  return new BazaarError('dependency_unavailable', 'Redis is unavailable.', undefined, { cause: err });
}

/**
 * Check that Redis answers (for `/readyz`); throws `dependency_unavailable`
 * otherwise. The first call waits up to `firstConnectMs` for the initial
 * connection, so a host that checks readiness right after start (or awaits
 * it before listening) does not report a spurious outage; no call waits after
 * that, so a probe during an outage answers at once.
 */
export async function pingRedis(client: Redis, firstConnectMs = 3_000): Promise<void> {
  try {
    if (!settled.has(client) && client.status !== 'end') {
      await onceReady(client, firstConnectMs);
      settled.add(client);
    }
    await client.ping();
  } catch (err) {
    throw redisUnavailable(err);
  }
}

function onceReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve(); // the ping that follows says whether it worked
    };
    const timer = setTimeout(done, timeoutMs);
    client.on('ready', done);
  });
}

/** Close politely when connected, at once otherwise (QUIT cannot be sent while down). */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') {
      await client.quit();
      return;
    }
  } catch {
    // fall through: drop the connection
  }
  client.disconnect();
}
