/**
 * The trust score's data ports in SQL:
 * - execution history: the hourly aggregates of the usage ledger plus its
 *   not-yet-rolled-up tail, one query per version; invalid_input is the
 *   caller's fault, not the plugin's, so it counts neither for nor against it;
 * - community: distinct installing tenants (installs), tenants' ratings
 *   (count and average stars; the factor itself ignores too few of them) and
 *   the publisher's age (its tenant's creation time).
 */
import type { Knex } from 'knex';
import type { CommunityStats, CommunityStatsPort, ExecutionStats, ExecutionStatsPort } from '../../marketplace/ports.js';
import { AnalyticsRepository } from '../analytics/analytics-repository.js';

/**
 * Execution history from the hourly aggregates (host/analytics) plus the
 * ledger's last hours that are not rolled up yet: the same figures as counting
 * every usage record of the version, at the cost of a few hours of rows.
 */
export class KnexExecutionStats implements ExecutionStatsPort {
  readonly #analytics: AnalyticsRepository;

  constructor(db: Knex) {
    this.#analytics = new AnalyticsRepository(db);
  }

  forVersion(name: string, version: string): Promise<ExecutionStats | null> {
    return this.#analytics.versionTotals(name, version);
  }
}

export class KnexCommunityStats implements CommunityStatsPort {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async forPlugin(name: string, publisherTenantId: string): Promise<CommunityStats> {
    const [tenant, installers, ratings] = await Promise.all([
      this.#db('tenants').where({ id: publisherTenantId }).first<{ created_at: Date } | undefined>('created_at'),
      this.#db('installs').where({ plugin_name: name }).first<{ n: string | number } | undefined>(this.#db.raw('count(DISTINCT tenant_id) AS n')),
      // Ratings (host/ratings): one per tenant, so count(*) is the number of rating tenants.
      this.#db('plugin_ratings')
        .where({ plugin_name: name })
        .first<{ n: string | number; average: string | number | null } | undefined>(this.#db.raw('count(*) AS n'), this.#db.raw('avg(stars) AS average')),
    ]);
    const ratingCount = Number(ratings?.n ?? 0);
    return {
      distinctInstallers: Number(installers?.n ?? 0),
      ratingCount,
      ratingAverage: ratingCount === 0 || ratings?.average == null ? null : Number(ratings.average),
      publisherCreatedAt: tenant ? new Date(tenant.created_at).toISOString() : null,
      publisherVerified: false,
    };
  }
}
