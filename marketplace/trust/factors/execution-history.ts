/**
 * Execution history from metered executions (ExecutionStatsPort). A new
 * version has none, so it starts from a prior of 70 ("unknown, presumed
 * decent"); observations pull the score toward what was measured, weighted
 * like PRIOR_WEIGHT pseudo-executions, so a handful of runs cannot swing it.
 */
import type { ExecutionStats } from '../../ports.js';
import { FactorBuilder, type FactorResult } from '../factor-result.js';

/** The documented prior for versions without executions. */
export const EXECUTION_PRIOR = 70;
/** How many executions the prior is worth. */
export const PRIOR_WEIGHT = 20;

/** 100 × success rate, minus extra for resource-limit failures (they cost the host most). */
function observedScore(s: ExecutionStats): number {
  const n = s.executions;
  const success = s.succeeded / n;
  const limitRate = (s.timeouts + s.memoryLimitExceeded) / n;
  const cpuPressure = s.meanCpuRatio !== undefined && s.meanCpuRatio > 0.8 ? (s.meanCpuRatio - 0.8) * 50 : 0;
  return Math.max(0, 100 * success - 30 * limitRate - cpuPressure);
}

export function executionHistoryFactor(stats: ExecutionStats | null): FactorResult {
  if (!stats || stats.executions <= 0) {
    return new FactorBuilder('executionHistory', EXECUTION_PRIOR, `prior of ${EXECUTION_PRIOR} for a version without metered executions`)
      .add('no-executions', 'no executions recorded yet', 0)
      .result();
  }
  const n = stats.executions;
  const observed = observedScore(stats);
  const blended = (EXECUTION_PRIOR * PRIOR_WEIGHT + observed * n) / (PRIOR_WEIGHT + n);
  const b = new FactorBuilder('executionHistory', EXECUTION_PRIOR, `prior of ${EXECUTION_PRIOR}, worth ${PRIOR_WEIGHT} executions`);
  const pct = (k: number): string => `${Math.round((k / n) * 1000) / 10}%`;
  b.add(
    'observed-executions',
    `${n} executions: ${pct(stats.succeeded)} succeeded, ${pct(stats.timeouts)} timed out, ${pct(stats.memoryLimitExceeded)} hit the memory limit, ${pct(stats.pluginErrors)} threw` +
      (stats.meanCpuRatio !== undefined ? `; mean CPU ${Math.round(stats.meanCpuRatio * 100)}% of the limit` : ''),
    blended - EXECUTION_PRIOR,
    stats.succeeded / n < 0.9 ? 'medium' : undefined,
  );
  return b.result();
}
