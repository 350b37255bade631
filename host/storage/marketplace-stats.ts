/**
 * The trust score's data ports, from live data:
 * - execution history: the usage ledger (usage_records), one aggregate query
 *   per version; invalid_input is the caller's fault, not the plugin's, so it
 *   counts neither for nor against the version;
 * - community: distinct installing tenants (installs), tenants' ratings
 *   (plugin_ratings: count and average stars; the factor itself ignores too
 *   few of them) and the publisher's age (its tenant's creation time).
 */
import type { Knex } from 'knex';
import type { CommunityStats, CommunityStatsPort, ExecutionStats, ExecutionStatsPort } from '../../marketplace/ports.js';

/** No metered executions: every version scores the prior (for hosts wired without a ledger). */
export const noExecutionStats: ExecutionStatsPort = {
  async forVersion(): Promise<ExecutionStats | null> {
    return null;
  },
};

interface ExecutionAggregateRow {
  executions: string | number;
  succeeded: string | number;
  timeouts: string | number;
  memory: string | number;
  plugin_errors: string | number;
}

export class KnexExecutionStats implements ExecutionStatsPort {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async forVersion(name: string, version: string): Promise<ExecutionStats | null> {
    const row = (await this.#db('usage_records')
      .where({ plugin_name: name, plugin_version: version })
      .andWhereRaw("coalesce(error_code, '') <> 'invalid_input'")
      .first(
        this.#db.raw('count(*) AS executions'),
        this.#db.raw("count(*) FILTER (WHERE status = 'succeeded') AS succeeded"),
        this.#db.raw("count(*) FILTER (WHERE error_code = 'execution_timeout') AS timeouts"),
        this.#db.raw("count(*) FILTER (WHERE error_code = 'memory_limit_exceeded') AS memory"),
        this.#db.raw("count(*) FILTER (WHERE error_code = 'plugin_error') AS plugin_errors"),
      )) as ExecutionAggregateRow | undefined;
    const executions = Number(row?.executions ?? 0);
    if (row === undefined || executions === 0) return null;
    return {
      executions,
      succeeded: Number(row.succeeded),
      timeouts: Number(row.timeouts),
      memoryLimitExceeded: Number(row.memory),
      pluginErrors: Number(row.plugin_errors),
    };
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
