/**
 * The execution circuit breaker (docs/product.md "Trust score"): a check,
 * run periodically by every host process, that finds approved versions whose
 * failure or timeout rate over the window reaches a threshold and quarantines
 * them.
 *
 * - The figures come from the usage ledger in one query, so every host sees
 *   the same verdict whichever executions it served itself.
 * - The status changes only through the marketplace's review service (a
 *   compare-and-set on approved → quarantined, with an audit entry by the
 *   system actor carrying the figures): of two hosts checking at once exactly
 *   one wins, and only the winner notifies.
 * - Every tenant with an install on that version gets
 *   `plugin.version.quarantined`, published by the marketplace repository's
 *   status hook inside the transition's transaction (host/marketplace/version-events.ts):
 *   the quarantine and its notifications commit together.
 * - Executions of a quarantined version are refused by the trust gate (403
 *   `version_quarantined`); a reviewer reinstates it by approving it, and the
 *   window then only counts executions recorded after that approval.
 */
import type { ReviewService } from '../../marketplace/review-service.js';
import type { Clock } from '../foundation/clock.js';
import type { CircuitBreakerConfig } from '../foundation/config.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { AnalyticsStore, BreakerFigures } from './ports.js';

export interface CircuitBreakerDeps {
  readonly repository: Pick<AnalyticsStore, 'breakerTrips' | 'installingTenants'>;
  readonly reviews: Pick<ReviewService, 'quarantine'>;
  readonly config: CircuitBreakerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A version this check quarantined, with the figures that tripped it. */
export interface Quarantined extends BreakerFigures {
  readonly failureRate: number;
  readonly timeoutRate: number;
  /** Tenants notified. */
  readonly tenants: readonly string[];
}

export class CircuitBreaker {
  readonly #deps: CircuitBreakerDeps;

  constructor(deps: CircuitBreakerDeps) {
    this.#deps = deps;
  }

  /** One check; answers the versions THIS call quarantined (none when another host won the race). */
  async checkOnce(): Promise<Quarantined[]> {
    const { config, repository, clock } = this.#deps;
    if (!config.enabled) return [];
    const since = new Date(clock.now().getTime() - config.windowMs);
    const trips = await repository.breakerTrips({
      since,
      minExecutions: config.minExecutions,
      failureRate: config.failureRate,
      timeoutRate: config.timeoutRate,
    });
    const done: Quarantined[] = [];
    for (const trip of trips) {
      try {
        const result = await this.#quarantine(trip);
        if (result !== null) done.push(result);
      } catch (err) {
        // One version's failure must not stop the others' verdicts.
        this.#deps.logger.error({ ...errorFields(err), plugin: trip.pluginName, version: trip.version }, 'circuit breaker: quarantine failed');
      }
    }
    return done;
  }

  async #quarantine(trip: BreakerFigures): Promise<Quarantined | null> {
    const { config } = this.#deps;
    const failureRate = round(trip.failures / trip.executions);
    const timeoutRate = round(trip.timeouts / trip.executions);
    const figures = {
      executions: trip.executions,
      failures: trip.failures,
      timeouts: trip.timeouts,
      failureRate,
      timeoutRate,
      windowMs: config.windowMs,
      thresholds: { failureRate: config.failureRate, timeoutRate: config.timeoutRate, minExecutions: config.minExecutions },
    };
    const notes =
      `circuit breaker: ${trip.failures} of ${trip.executions} executions failed (${pct(failureRate)}), ` +
      `${trip.timeouts} timed out (${pct(timeoutRate)}) in the last ${Math.round(config.windowMs / 1000)} s; ` +
      `thresholds ${pct(config.failureRate)} failed, ${pct(config.timeoutRate)} timed out`;
    const updated = await this.#deps.reviews.quarantine(trip.pluginName, trip.version, notes, { circuitBreaker: figures });
    if (updated === null) return null;
    this.#deps.logger.warn({ plugin: trip.pluginName, version: trip.version, ...figures }, 'circuit breaker: version quarantined');
    // Notified by the status hook in the quarantine's transaction; named here for the report.
    const tenants = await this.#deps.repository.installingTenants(trip.pluginName, trip.version);
    return { ...trip, failureRate, timeoutRate, tenants };
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
