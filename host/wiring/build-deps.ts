/**
 * Wiring: config + an open, migrated database → `AppDeps`. The server and the
 * tests both build their dependencies here, so a test exercises the same graph
 * as production. Opening the database is separate (`openDatabase`) because
 * tests choose their backend.
 */
import type { Knex } from 'knex';
import { knexTransactor } from '../foundation/database/knex-transaction.js';
import { buildAnalytics } from '../analytics/build-analytics.js';
import { ApiKeyService } from '../tenants/api-key-service.js';
import { buildBilling } from '../billing/build-billing.js';
import { LastUsedTracker } from '../tenants/last-used-tracker.js';
import { type Clock, systemClock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { AppDeps } from './deps.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import { HostMetrics } from '../foundation/host-metrics.js';
import { httpDeliverySender } from '../webhooks/delivery-sender.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { WebhookOutbox } from '../webhooks/outbox.js';
import type { Logger } from '../foundation/logger.js';
import { createLimits, type Limits } from '../limits/index.js';
import { buildMarketplace } from '../marketplace/build-marketplace.js';
import { buildMetering } from '../metering/build-metering.js';
import type { SandboxRuntime, SandboxRuntimeOptions } from '../../runtime/types.js';
import { buildExecutionPath } from '../executions/build-execution-path.js';
import { createSandboxRuntime } from '../../runtime/index.js';
import { analyticsArea } from '../analytics/analytics-area.js';
import { billingArea } from '../billing/billing-area.js';
import { consoleArea } from '../console/console-area.js';
import { executionsArea, sandboxArea, shadowRunsArea } from '../executions/executions-area.js';
import { type Area, closeAreas, startAreas } from '../foundation/lifecycle.js';
import { installsArea } from '../installs/installs-area.js';
import { RolloutBreaker } from '../installs/rollout-breaker.js';
import { RolloutRepository } from '../installs/rollout-repository.js';
import { limitsArea } from '../limits/limits-area.js';
import { marketplaceArea } from '../marketplace/marketplace-area.js';
import { meteringArea } from '../metering/metering-area.js';
import { tenantsArea } from '../tenants/tenants-area.js';
import { webhooksArea } from '../webhooks/webhooks-area.js';
import { operationsArea } from './operations-area.js';
import { KnexExecutionStats } from '../marketplace/marketplace-stats-queries.js';
import type { MarketplaceOptions } from '../../marketplace/marketplace-options.js';
import { ApiKeyRepository } from '../tenants/api-key-repository.js';
import { type CacheGeneration, DisabledCacheGeneration, InProcessCacheGeneration } from '../foundation/cache-generation.js';
import { type DatabaseOptions, createDatabase, migrateLatest, pingDatabase } from '../foundation/database/database.js';
import { TenantRepository } from '../tenants/tenant-repository.js';
import { TenantService } from '../tenants/tenant-service.js';
import { RatingService } from '../marketplace/rating-service.js';
import { RatingRepository } from '../marketplace/rating-repository.js';
import { WebhookRepository } from '../webhooks/webhook-repository.js';
import { WebhookService } from '../webhooks/webhook-service.js';

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
  /** Where domain events go; default: the host's own publisher. Tests pass a recording one. */
  readonly events?: EventPublisher;
  /** The cache generation; default: Redis's, else in process on PGlite, else none (caches off). Test hosts on one database share one. */
  readonly cacheGeneration?: CacheGeneration;
  /** Destroy `db` when the host closes (default true); false when it belongs to the caller (test suites). */
  readonly closeDatabase?: boolean;
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

/** Build the dependency graph; nothing runs yet: `startDeps` starts the areas' background work, `closeDeps` stops it all. */
export function buildDeps(options: BuildDepsOptions): AppDeps {
  const { config, db, logger } = options;
  const clock = options.clock ?? systemClock;
  // Metering first: its ledger seeds absent quota counters (a restarted host, Redis data lost).
  const metering = buildMetering({ db, logger, clock, idempotencyLeaseMs: config.maxExecutionTimeoutMs + 60_000 });
  const limits =
    options.limits ?? createLimits({ redisUrl: config.redisUrl, keyPrefix: 'bazaar:', logger, clock, usage: metering.usageRepository });
  const cacheGeneration = options.cacheGeneration ?? defaultCacheGeneration(config, limits);
  const repositories = { tenants: new TenantRepository(db, cacheGeneration), apiKeys: new ApiKeyRepository(db, cacheGeneration) };
  const lastUsed = new LastUsedTracker({
    write: (entries) => repositories.apiKeys.recordLastUsed(entries),
    logger,
    ...(options.lastUsedFlushMs === undefined ? {} : { flushIntervalMs: options.lastUsedFlushMs }),
  });
  // The webhook outbox first: marketplace, installs and executions publish into it.
  const webhookRepository = new WebhookRepository(db);
  const events: EventPublisher = options.events ?? new WebhookOutbox({ repository: webhookRepository, clock });
  const webhookDispatcher = new WebhookDispatcher({
    repository: webhookRepository,
    send: httpDeliverySender({ allowPrivateNetworks: config.allowPrivateNetworks, timeoutMs: config.webhooks.timeoutMs }),
    config: config.webhooks,
    clock,
    logger,
  });
  const readiness = [{ name: 'database', check: () => pingDatabase(db) }];
  if (limits.backend === 'redis') readiness.push({ name: 'redis', check: () => limits.ping() });
  const marketplace = buildMarketplace({
    db,
    clock,
    logger,
    config,
    options: options.marketplace ?? config.marketplace,
    executionStats: new KnexExecutionStats(db),
    cacheGeneration,
    events,
  });
  const runtime = options.runtime ?? createSandboxRuntime({ ...sandboxOptions(config), startOnDemand: true });
  // Billing starts each new tenant's subscription inside the tenant's creating transaction.
  const billing = buildBilling({ db, clock, config, logger, events, tenantRepository: repositories.tenants, tenantService: () => tenants, cacheGeneration });
  const tenants = new TenantService({
    tenants: repositories.tenants,
    tiers: config.tiers,
    clock,
    db: knexTransactor(db),
    onCreated: (tenant, trx) => billing.subscriptions.start(tenant, trx).then(() => undefined),
  });
  const executionPath = buildExecutionPath({ db, config, clock, logger, runtime, limits, usage: metering.usage, keptLogs: metering.usageRepository, marketplace, cacheGeneration, events });
  const deps: Omit<AppDeps, 'areas'> = {
    config,
    logger,
    clock,
    db,
    repositories,
    readiness,
    limits,
    cacheGeneration,
    lastUsed,
    tenants,
    apiKeys: new ApiKeyService({ apiKeys: repositories.apiKeys, tenants: repositories.tenants, lastUsed, clock, generation: cacheGeneration }),
    ...metering,
    marketplace,
    runtime,
    ...executionPath,
    events,
    webhooks: new WebhookService({ repository: webhookRepository, allowPrivateNetworks: config.allowPrivateNetworks, clock }),
    webhookDispatcher,
    billing,
    analytics: buildAnalytics({ db, config, clock, logger, reviews: marketplace.reviews, versions: marketplace.repository }),
    rolloutBreaker: new RolloutBreaker({ repository: new RolloutRepository(db, cacheGeneration), clock, logger, events }),
    metrics: new HostMetrics({
      sandboxStats: () => runtime.stats(),
      usageQueueDepth: () => metering.usage.queued,
      webhookQueueDepth: () => webhookRepository.dueCount(clock.now()),
      shadowDropped: () => executionPath.shadowRunner.dropped,
    }),
    // Ratings are plugin-wide community data: the whole plugin's trust is recomputed.
    ratings: new RatingService({
      ratings: new RatingRepository(db),
      recomputeTrust: (name) => marketplace.trust.recomputePlugin(name),
      logger,
      clock,
    }),
  };
  // The host's areas in ONE list: started in this order, closed in reverse, so each closes while
  // what it still uses (listed before it) is open. Their routes are served in this order too.
  const areas: Area[] = [
    ...(options.closeDatabase ?? true ? [{ name: 'database', close: () => db.destroy() }] : []),
    meteringArea(metering, { config, clock, logger }),
    limitsArea(limits, options.limits === undefined),
    marketplaceArea(deps),
    installsArea(deps),
    executionsArea(deps),
    sandboxArea(runtime),
    shadowRunsArea(deps.shadowRunner),
    webhooksArea(deps),
    analyticsArea(deps),
    tenantsArea(deps),
    billingArea(deps),
    consoleArea(deps),
    operationsArea(deps),
  ];
  return { ...deps, areas };
}

/**
 * Shared through Redis when there is one; in process on the embedded database
 * (one process owns it); none for PostgreSQL without Redis, where several
 * processes could not share it (foundation/cache-generation.ts).
 */
function defaultCacheGeneration(config: Config, limits: Limits): CacheGeneration {
  if (limits.generation !== undefined) return limits.generation;
  return config.databaseUrl === null ? new InProcessCacheGeneration() : new DisabledCacheGeneration();
}

/** The sandbox settings of this host's config. */
export function sandboxOptions(config: Config): SandboxRuntimeOptions {
  return {
    ...(config.sandboxWorkers === null ? {} : { workers: config.sandboxWorkers }),
    ...(config.sandboxMaxRunning === null ? {} : { maxRunning: config.sandboxMaxRunning }),
    heavyWorkers: config.sandboxHeavyWorkers,
  };
}

/** Start the background work of every area, in order; `skip` names areas whose work the caller drives itself (tests). */
export async function startDeps(deps: AppDeps, options: { skip?: readonly string[] } = {}): Promise<void> {
  await startAreas(deps.areas, options);
}

/** Stop every area in reverse order: pending writes are flushed before the database closes. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  await closeAreas(deps.areas, deps.logger);
}
