/**
 * Wiring: config + an open, migrated database → `AppDeps`. The server and the
 * tests both build their dependencies here, so a test exercises the same graph
 * as production. Opening the database is separate (`openDatabase`) because
 * tests choose their backend.
 */
import type { Knex } from 'knex';
import { ApiKeyService } from './api-keys/api-key-service.js';
import { LastUsedTracker } from './api-keys/last-used-tracker.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { AppDeps } from './deps.js';
import { httpDeliverySender } from './events/delivery-sender.js';
import { WebhookDispatcher } from './events/dispatcher.js';
import { WebhookOutbox } from './events/outbox.js';
import type { Logger } from './logger.js';
import { createLimits, type Limits } from './limits/index.js';
import { buildMarketplace } from './marketplace.js';
import { buildMetering } from './metering/build-metering.js';
import type { SandboxRuntime, SandboxRuntimeOptions } from '../runtime/types.js';
import { buildExecutionPath } from './executions/build-execution-path.js';
import { LazySandboxRuntime } from './executions/lazy-runtime.js';
import { KnexExecutionStats } from './storage/marketplace-stats.js';
import type { MarketplaceOptions } from '../marketplace/marketplace-options.js';
import { ApiKeyRepository } from './storage/api-key-repository.js';
import { type DatabaseOptions, createDatabase, migrateLatest, pingDatabase } from './storage/database.js';
import { TenantRepository } from './storage/tenant-repository.js';
import { TenantService } from './tenants/tenant-service.js';
import { RatingService } from './ratings/rating-service.js';
import { RatingRepository } from './storage/rating-repository.js';
import { WebhookRepository } from './storage/webhook-repository.js';
import { WebhookService } from './webhooks/webhook-service.js';

export interface BuildDepsOptions {
  readonly config: Config;
  readonly db: Knex;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How often API keys' last use is written (default one minute). */
  readonly lastUsedFlushMs?: number;
  /** Counters to share with other test hosts; default: built from `config.redisUrl`. */
  readonly limits?: Limits;
  /** Marketplace settings (auto-approval, trust weights, deny-list); default: none set. */
  readonly marketplace?: MarketplaceOptions;
  /** The sandbox; default: one that starts its workers on the first execution. `closeDeps` closes it. */
  readonly runtime?: SandboxRuntime;
  /** Start this process's webhook dispatcher loop (default true; tests drive `webhookDispatcher.runOnce()`). */
  readonly dispatchWebhooks?: boolean;
}

/** Create the knex instance for `config` and bring its schema up to date. */
export async function openDatabase(config: Config, options: DatabaseOptions = {}): Promise<Knex> {
  const db = createDatabase(config, options);
  try {
    await migrateLatest(db, options.schema);
    return db;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** Build the dependency graph. Starts the last-use flusher and the webhook dispatcher; `closeDeps` stops them. */
export function buildDeps(options: BuildDepsOptions): AppDeps {
  const { config, db, logger } = options;
  const clock = options.clock ?? systemClock;
  const repositories = { tenants: new TenantRepository(db), apiKeys: new ApiKeyRepository(db) };
  const lastUsed = new LastUsedTracker({
    write: (entries) => repositories.apiKeys.recordLastUsed(entries),
    logger,
    ...(options.lastUsedFlushMs === undefined ? {} : { flushIntervalMs: options.lastUsedFlushMs }),
  });
  lastUsed.start();
  // Metering first: its ledger seeds absent quota counters (a restarted host, Redis data lost).
  const metering = buildMetering({ db, logger, clock });
  const limits =
    options.limits ?? createLimits({ redisUrl: config.redisUrl, keyPrefix: 'bazaar:', logger, clock, usage: metering.usageRepository });
  // The webhook outbox first: marketplace, installs and executions publish into it.
  const webhookRepository = new WebhookRepository(db);
  const events = new WebhookOutbox({ repository: webhookRepository, clock });
  const webhookDispatcher = new WebhookDispatcher({
    repository: webhookRepository,
    send: httpDeliverySender({ allowPrivateNetworks: config.allowPrivateNetworks, timeoutMs: config.webhooks.timeoutMs }),
    config: config.webhooks,
    clock,
    logger,
  });
  if (options.dispatchWebhooks ?? true) webhookDispatcher.start();
  const readiness = [{ name: 'database', check: () => pingDatabase(db) }];
  if (limits.backend === 'redis') readiness.push({ name: 'redis', check: () => limits.ping() });
  const marketplace = buildMarketplace({
    db,
    clock,
    logger,
    config,
    options: options.marketplace ?? config.marketplace,
    executionStats: new KnexExecutionStats(db),
    events,
  });
  const runtime = options.runtime ?? new LazySandboxRuntime(sandboxOptions(config));
  return {
    config,
    logger,
    clock,
    db,
    repositories,
    readiness,
    limits,
    lastUsed,
    tenants: new TenantService({ tenants: repositories.tenants, tiers: config.tiers, clock }),
    apiKeys: new ApiKeyService({ apiKeys: repositories.apiKeys, tenants: repositories.tenants, lastUsed, clock }),
    ...metering,
    marketplace,
    runtime,
    ...buildExecutionPath({ db, config, clock, logger, runtime, limits, usage: metering.usage, marketplace, events }),
    // Ratings are plugin-wide community data: the whole plugin's trust is recomputed.
    events,
    webhooks: new WebhookService({ repository: webhookRepository, allowPrivateNetworks: config.allowPrivateNetworks, clock }),
    webhookDispatcher,
    ratings: new RatingService({
      ratings: new RatingRepository(db),
      recomputeTrust: (name) => marketplace.trust.recomputePlugin(name),
      logger,
      clock,
    }),
  };
}

/** The sandbox settings of this host's config. */
export function sandboxOptions(config: Config): SandboxRuntimeOptions {
  return config.sandboxWorkers === null ? {} : { workers: config.sandboxWorkers };
}

/** Release what `buildDeps` holds: flush pending writes, then close the database. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  await deps.lastUsed.stop();
  await deps.webhookDispatcher.stop(); // its round in flight records its attempts first
  await deps.runtime.close(); // drains in-flight executions, whose usage records and leases are still to settle
  await deps.trustFeed.idle();
  await deps.ratings.idle(); // background trust recomputes still use the database
  await deps.limits.close();
  await deps.usage.close(); // flush queued usage records while the database is still open
  await deps.db.destroy();
}
