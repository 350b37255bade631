/**
 * The trust score's data ports as far as this issue goes. Metering and
 * installs arrive in later issues: until then there are no executions (the
 * execution-history factor uses its documented prior) and no installs or
 * ratings; the publisher's age is real, from its tenant's creation time.
 */
import type { Knex } from 'knex';
import type { CommunityStats, CommunityStatsPort, ExecutionStats, ExecutionStatsPort } from '../../marketplace/ports.js';

/** No metered executions yet: every version scores the prior. */
export const noExecutionStats: ExecutionStatsPort = {
  async forVersion(): Promise<ExecutionStats | null> {
    return null;
  },
};

export class KnexCommunityStats implements CommunityStatsPort {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async forPlugin(_name: string, publisherTenantId: string): Promise<CommunityStats> {
    const tenant: { created_at: Date } | undefined = await this.#db('tenants').where({ id: publisherTenantId }).first('created_at');
    return {
      distinctInstallers: 0,
      ratingCount: 0,
      ratingAverage: null,
      publisherCreatedAt: tenant ? new Date(tenant.created_at).toISOString() : null,
      publisherVerified: false,
    };
  }
}
