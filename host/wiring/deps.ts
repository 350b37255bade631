/**
 * Everything the HTTP app needs, built once per process by `buildDeps` and
 * passed in explicitly: no singletons. Route modules declare the services they
 * take (`tenantRoutes(deps: { tenants: TenantService; ... })`).
 *
 * Adding an area: build its services in `buildDeps`, add them here, and put
 * its `Area` (routes, start, close) in the areas' list there.
 */
import type { Knex } from 'knex';
import type { Area } from '../foundation/lifecycle.js';
import type { Analytics } from '../analytics/build-analytics.js';
import type { RolloutBreaker } from '../installs/rollout-breaker.js';
import type { ApiKeyService } from '../tenants/api-key-service.js';
import type { Billing } from '../billing/build-billing.js';
import type { LastUsedTracker } from '../tenants/last-used-tracker.js';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import type { HostMetrics } from '../foundation/host-metrics.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { Logger } from '../foundation/logger.js';
import type { Limits } from '../limits/index.js';
import type { MarketplaceDeps } from '../marketplace/build-marketplace.js';
import type { SandboxRuntime } from '../../runtime/types.js';
import type { ExecuteService } from '../executions/execute-service.js';
import type { ShadowRunner } from '../executions/shadow-runner.js';
import type { TrustFeed } from '../executions/trust-feed.js';
import type { ExecutionLogRetention } from '../executions/execution-logs.js';
import type { InstallService } from '../installs/install-service.js';
import type { RatingService } from '../marketplace/rating-service.js';
import type { IdempotencyStore, UsageRecorder, UsageRepository } from '../metering/build-metering.js';
import type { ApiKeyRepository } from '../tenants/api-key-repository.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import type { TenantService } from '../tenants/tenant-service.js';

/** A dependency `/readyz` checks; `check` throws (ideally 503 `dependency_unavailable`) when it is down. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** The repositories, one per table family; services use them, routes never do. */
export interface Repositories {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
}

export interface AppDeps {
  /** The host's areas in lifecycle order: started in order, closed in reverse (build-deps.ts). */
  readonly areas: readonly Area[];
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly db: Knex;
  readonly repositories: Repositories;
  readonly readiness: readonly ReadinessCheck[];
  readonly lastUsed: LastUsedTracker;
  readonly tenants: TenantService;
  readonly apiKeys: ApiKeyService;
  /** Rate limit, quota and concurrency counters: Redis when configured, in-process otherwise. */
  readonly limits: Limits;
  /** Validates the per-process caches of keys and installs (host/foundation/cache-generation.ts). */
  readonly cacheGeneration: CacheGeneration;
  /** Publishing, trust, review and the listing (host/marketplace/build-marketplace.ts). */
  readonly marketplace: MarketplaceDeps;
  /** Metering (host/metering/build-metering.ts): usage records, idempotency keys, the usage ledger. */
  readonly usage: UsageRecorder;
  readonly idempotency: IdempotencyStore;
  readonly usageRepository: UsageRepository;
  // --- installs and the execution path (host/executions/build-execution-path.ts) ---
  /** The sandbox: owned by the process (server.ts / test host), closed by `closeDeps`. */
  readonly runtime: SandboxRuntime;
  readonly installs: InstallService;
  readonly executions: ExecuteService;
  /** Execution history → trust score, in the background. */
  readonly trustFeed: TrustFeed;
  /** Which executions keep their logs, for how long; its sweep expires them (host/executions/execution-logs.ts). */
  readonly logRetention: ExecutionLogRetention;
  /** Shadow runs of installs, off the answer's path (host/executions/shadow-runner.ts); `idle()` for tests. */
  readonly shadowRunner: ShadowRunner;
  /** Ratings of installed plugins → community trust, recomputed in the background (host/ratings). */
  readonly ratings: RatingService;
  /** Domain events → webhook deliveries (host/events). */
  readonly events: EventPublisher;
  /** Subscriptions, invoices, payments and the period-closing scheduler (host/billing). */
  readonly billing: Billing;
  /** Hourly aggregates, the analytics reads and the circuit breaker (host/analytics). */
  readonly analytics: Analytics;
  /** Aborts gradual rollouts whose new version fails markedly more (host/installs/rollout-breaker.ts). */
  readonly rolloutBreaker: RolloutBreaker;
  /** Prometheus metrics of this process (`GET /metrics`). */
  readonly metrics: HostMetrics;
  /** Webhook subscriptions and their deliveries (webhooks/webhook-routes.ts). */
  readonly webhooks: WebhookService;
  /** This process's outbox dispatcher: started by `startDeps`, stopped by `closeDeps`. */
  readonly webhookDispatcher: WebhookDispatcher;
}
