/** The trust score's execution-history port for hosts wired without a usage ledger; the live ports are marketplace-stats-queries.ts. */
import type { ExecutionStats, ExecutionStatsPort } from '../../marketplace/ports.js';

/** No metered executions: every version scores the prior (for hosts wired without a ledger). */
export const noExecutionStats: ExecutionStatsPort = {
  async forVersion(): Promise<ExecutionStats | null> {
    return null;
  },
};
