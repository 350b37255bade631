/**
 * Wiring of analytics for `buildDeps`: the repository, the hourly rollup, the
 * circuit breaker and the analytics reads, plus their two background loops.
 * The loops are started by the server process (`startServer`) and stopped by
 * `closeDeps`; tests drive `rollup.runOnce()` and `breaker.checkOnce()` by hand.
 */
import type { Knex } from 'knex';
import type { ReviewService } from '../../marketplace/review-service.js';
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { Logger } from '../foundation/logger.js';
import { AnalyticsRepository } from './analytics-repository.js';
import type { MarketplaceRepository } from '../../marketplace/ports.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { PeriodicTask } from '../foundation/periodic-task.js';
import { PluginAnalytics } from './plugin-analytics.js';
import { UsageRollup } from './usage-rollup.js';

export interface Analytics {
  readonly repository: AnalyticsRepository;
  readonly rollup: UsageRollup;
  readonly breaker: CircuitBreaker;
  readonly plugins: PluginAnalytics;
  /** Start the rollup and breaker loops of this process (idempotent). */
  start(): void;
  /** Stop both loops, waiting for a pass in progress (idempotent). */
  stop(): Promise<void>;
}

export interface BuildAnalyticsOptions {
  readonly db: Knex;
  readonly config: Pick<Config, 'analyticsRollupIntervalMs' | 'circuitBreaker'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly reviews: Pick<ReviewService, 'quarantine'>;
  readonly versions: Pick<MarketplaceRepository, 'listVersions'>;
}

export function buildAnalytics(o: BuildAnalyticsOptions): Analytics {
  const repository = new AnalyticsRepository(o.db);
  const rollup = new UsageRollup({ repository, clock: o.clock, logger: o.logger });
  const breaker = new CircuitBreaker({ repository, reviews: o.reviews, config: o.config.circuitBreaker, clock: o.clock, logger: o.logger });
  const loops = [
    new PeriodicTask({ name: 'analytics: rollup', intervalMs: o.config.analyticsRollupIntervalMs, run: () => rollup.runOnce(), logger: o.logger }),
    ...(o.config.circuitBreaker.enabled
      ? [new PeriodicTask({ name: 'circuit breaker', intervalMs: o.config.circuitBreaker.checkIntervalMs, run: () => breaker.checkOnce(), logger: o.logger })]
      : []),
  ];
  return {
    repository,
    rollup,
    breaker,
    plugins: new PluginAnalytics({ repository, versions: o.versions, clock: o.clock }),
    start: () => loops.forEach((loop) => loop.start()),
    stop: async () => {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
