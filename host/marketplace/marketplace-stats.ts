/**
 * The trust score's data ports, from live data:
 * - execution history: the hourly aggregates of the usage ledger plus its
 *   not-yet-rolled-up tail, one query per version; invalid_input is the caller's fault, not the plugin's, so it
 *   counts neither for nor against the version;
 * - community: distinct installing tenants (installs), tenants' ratings
 *   (plugin_ratings: count and average stars; the factor itself ignores too
 *   few of them) and the publisher's age (its tenant's creation time).
 */
import type { ExecutionStats, ExecutionStatsPort } from '../../marketplace/ports.js';

// The knex adapters live with the other queries; re-exported here, where the wiring imports them from.
export { KnexCommunityStats, KnexExecutionStats } from './marketplace-stats-queries.js';

/** No metered executions: every version scores the prior (for hosts wired without a ledger). */
export const noExecutionStats: ExecutionStatsPort = {
  async forVersion(): Promise<ExecutionStats | null> {
    return null;
  },
};
