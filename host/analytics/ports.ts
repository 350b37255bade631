/**
 * The storage port of analytics: the hourly rollup of the usage ledger, its
 * reads and the circuit breaker's window query. The rollup, the analytics
 * reads and the breaker take it; analytics-repository.ts implements it in SQL.
 */
import type { ExecutionStats } from '../../marketplace/ports.js';

/** One hour of one plugin version. Times in milliseconds. */
export interface HourlyAggregate {
  readonly pluginVersion: string;
  readonly hour: Date;
  readonly executions: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly memoryLimitHits: number;
  readonly pluginErrors: number;
  readonly invalidInputs: number;
  readonly cpuMsSum: number;
  readonly wallMsSum: number;
  readonly cpuMsP50: number;
  readonly cpuMsP95: number;
  readonly wallMsP50: number;
  readonly wallMsP95: number;
}

/** An approved version's figures over the breaker's window. */
export interface BreakerFigures {
  readonly pluginName: string;
  readonly version: string;
  /** Executions counted (invalid_input left out: the caller's fault, not the plugin's). */
  readonly executions: number;
  readonly failures: number;
  readonly timeouts: number;
}

export interface BreakerQuery {
  /** Start of the window (by the host clock, on `started_at`). */
  readonly since: Date;
  readonly minExecutions: number;
  readonly failureRate: number;
  readonly timeoutRate: number;
}

export interface AnalyticsStore {
  /** Every hour before this has been rolled up after it ended; null before the first rollup. */
  rolledBefore(): Promise<Date | null>;
  /** The earliest execution in the ledger (a first rollup starts there). */
  earliestExecution(): Promise<Date | null>;
  /** Recompute and store the hours in [from, to) (hour-aligned), idempotently; answers the hourly rows written. */
  rollUp(from: Date, to: Date, computedAt: Date): Promise<number>;
  /** Move the watermark forward (never back). */
  advanceRolledBefore(to: Date): Promise<void>;
  /** Hourly aggregates of every version of `name` with hours in [from, to), by version then hour. */
  series(name: string, from: Date, to: Date): Promise<HourlyAggregate[]>;
  /** The execution-history trust factor's totals for one version (invalid_input left out). */
  versionTotals(name: string, version: string): Promise<ExecutionStats | null>;
  /** Approved versions over a failure or timeout threshold in the window, with enough executions counted. */
  breakerTrips(q: BreakerQuery): Promise<BreakerFigures[]>;
  /** Tenants with an install on name@version. */
  installingTenants(name: string, version: string): Promise<string[]>;
}
