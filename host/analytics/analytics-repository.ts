/**
 * Analytics in SQL (migration 008): the hourly rollup of the usage ledger per
 * plugin version, its reads (the analytics series, the trust factor's totals),
 * and the circuit breaker's window query. Percentiles and sums are computed by
 * the database (percentile_cont works on PostgreSQL and PGlite alike), never
 * by pulling rows into the host.
 */
import type { Knex } from 'knex';
import type { ExecutionStats } from '../../marketplace/ports.js';
import type { AnalyticsStore, BreakerFigures, BreakerQuery, HourlyAggregate } from './ports.js';

type Num = number | string;

interface HourlyRow {
  plugin_version: string;
  hour: Date;
  executions: Num;
  succeeded: Num;
  failed: Num;
  timeouts: Num;
  memory_limit_hits: Num;
  plugin_errors: Num;
  invalid_inputs: Num;
  cpu_ms_sum: Num;
  wall_ms_sum: Num;
  cpu_ms_p50: Num;
  cpu_ms_p95: Num;
  wall_ms_p50: Num;
  wall_ms_p95: Num;
}

/** The UTC hour of `started_at`, as a timestamptz. */
const HOUR = `(date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

/** Executions the trust factor and the breaker judge the plugin by. */
const PLUGIN_JUDGED = `coalesce(error_code, '') <> 'invalid_input'`;

/** Where the rolled-up past ends; `-infinity` before the first rollup (everything is read from the ledger). */
const ROLLED_BEFORE = `coalesce((SELECT rolled_before FROM analytics_rollup_state WHERE id = 1), '-infinity'::timestamptz)`;

export class AnalyticsRepository implements AnalyticsStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Every hour before this has been rolled up after it ended; null before the first rollup. */
  async rolledBefore(): Promise<Date | null> {
    const row = await this.#db('analytics_rollup_state').where({ id: 1 }).first<{ rolled_before: Date } | undefined>('rolled_before');
    return row === undefined ? null : new Date(row.rolled_before);
  }

  /** The earliest execution in the ledger (a first rollup starts there). */
  async earliestExecution(): Promise<Date | null> {
    const row = await this.#db('usage_records').first<{ first: Date | null } | undefined>(this.#db.raw('min(started_at) AS first'));
    return row?.first == null ? null : new Date(row.first);
  }

  /**
   * Recompute the hours in [from, to) (hour-aligned) from the ledger and upsert
   * them: idempotent, so concurrent runs on several hosts agree. Rows are
   * inserted in key order, so two concurrent upserts lock in the same order
   * and cannot deadlock. Answers the number of hourly rows written.
   */
  async rollUp(from: Date, to: Date, computedAt: Date): Promise<number> {
    const result = await this.#db.raw<{ rowCount?: number; affectedRows?: number }>(
      `INSERT INTO plugin_usage_hourly AS h (plugin_name, plugin_version, hour, executions, succeeded, failed, timeouts,
              memory_limit_hits, plugin_errors, invalid_inputs, cpu_ms_sum, wall_ms_sum,
              cpu_ms_p50, cpu_ms_p95, wall_ms_p50, wall_ms_p95, computed_at)
       SELECT plugin_name, plugin_version, ${HOUR} AS hour,
              count(*),
              count(*) FILTER (WHERE status = 'succeeded'),
              count(*) FILTER (WHERE status = 'failed'),
              count(*) FILTER (WHERE error_code = 'execution_timeout'),
              count(*) FILTER (WHERE error_code = 'memory_limit_exceeded'),
              count(*) FILTER (WHERE error_code = 'plugin_error'),
              count(*) FILTER (WHERE error_code = 'invalid_input'),
              sum(cpu_ms), sum(wall_ms),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms),
              percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_ms),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms),
              percentile_cont(0.95) WITHIN GROUP (ORDER BY wall_ms),
              ?
         FROM usage_records
        WHERE started_at >= ? AND started_at < ?
        GROUP BY plugin_name, plugin_version, hour
        ORDER BY plugin_name, plugin_version, hour
       ON CONFLICT (plugin_name, plugin_version, hour) DO UPDATE SET
              executions = excluded.executions, succeeded = excluded.succeeded, failed = excluded.failed,
              timeouts = excluded.timeouts, memory_limit_hits = excluded.memory_limit_hits,
              plugin_errors = excluded.plugin_errors, invalid_inputs = excluded.invalid_inputs,
              cpu_ms_sum = excluded.cpu_ms_sum, wall_ms_sum = excluded.wall_ms_sum,
              cpu_ms_p50 = excluded.cpu_ms_p50, cpu_ms_p95 = excluded.cpu_ms_p95,
              wall_ms_p50 = excluded.wall_ms_p50, wall_ms_p95 = excluded.wall_ms_p95,
              computed_at = excluded.computed_at`,
      [computedAt, from, to],
    );
    return Number(result.rowCount ?? result.affectedRows ?? 0);
  }

  /** Move the watermark forward (never back: a slower host's older pass must not undo a newer one). */
  async advanceRolledBefore(to: Date): Promise<void> {
    await this.#db.raw(
      `INSERT INTO analytics_rollup_state (id, rolled_before) VALUES (1, ?)
       ON CONFLICT (id) DO UPDATE SET rolled_before = greatest(analytics_rollup_state.rolled_before, excluded.rolled_before)`,
      [to],
    );
  }

  /** Hourly aggregates of every version of `name` with hours in [from, to), by version then hour. */
  async series(name: string, from: Date, to: Date): Promise<HourlyAggregate[]> {
    const rows = (await this.#db('plugin_usage_hourly')
      .where({ plugin_name: name })
      .where('hour', '>=', from)
      .where('hour', '<', to)
      .orderBy([{ column: 'plugin_version' }, { column: 'hour' }])) as HourlyRow[];
    return rows.map(toAggregate);
  }

  /**
   * The execution-history trust factor's totals for one version: the rolled-up
   * hours plus the ledger after the watermark, in one query. The same figures
   * as counting the whole ledger (invalid_input left out), while the part read
   * row by row stays a few hours long however old the version is.
   */
  async versionTotals(name: string, version: string): Promise<ExecutionStats | null> {
    const result = await this.#db.raw<{ rows: { executions: Num; succeeded: Num; timeouts: Num; memory: Num; plugin_errors: Num }[] }>(
      `WITH mark AS (SELECT ${ROLLED_BEFORE} AS at),
            rolled AS (
              SELECT sum(executions - invalid_inputs) AS executions, sum(succeeded) AS succeeded, sum(timeouts) AS timeouts,
                     sum(memory_limit_hits) AS memory, sum(plugin_errors) AS plugin_errors
                FROM plugin_usage_hourly, mark
               WHERE plugin_name = ? AND plugin_version = ? AND hour < mark.at),
            recent AS (
              SELECT count(*) AS executions,
                     count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                     count(*) FILTER (WHERE error_code = 'execution_timeout') AS timeouts,
                     count(*) FILTER (WHERE error_code = 'memory_limit_exceeded') AS memory,
                     count(*) FILTER (WHERE error_code = 'plugin_error') AS plugin_errors
                FROM usage_records, mark
               WHERE plugin_name = ? AND plugin_version = ? AND started_at >= mark.at AND ${PLUGIN_JUDGED})
       SELECT coalesce(rolled.executions, 0) + recent.executions AS executions,
              coalesce(rolled.succeeded, 0) + recent.succeeded AS succeeded,
              coalesce(rolled.timeouts, 0) + recent.timeouts AS timeouts,
              coalesce(rolled.memory, 0) + recent.memory AS memory,
              coalesce(rolled.plugin_errors, 0) + recent.plugin_errors AS plugin_errors
         FROM rolled, recent`,
      [name, version, name, version],
    );
    const row = result.rows[0];
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

  /**
   * Approved versions whose failure or timeout rate over the window is at or
   * over a threshold, with at least `minExecutions` counted. The window starts
   * at `since` (host clock, on started_at, which the plugin index serves) and,
   * for a reinstated version, after its last approval: records are compared
   * with the approval by `recorded_at`, because both come from the database's
   * clock. One query per check, whatever the number of hosts.
   */
  async breakerTrips(q: BreakerQuery): Promise<BreakerFigures[]> {
    const result = await this.#db.raw<{ rows: { plugin_name: string; version: string; executions: Num; failures: Num; timeouts: Num }[] }>(
      `SELECT v.plugin_name, v.version, s.executions, s.failures, s.timeouts
         FROM plugin_versions v
         CROSS JOIN LATERAL (
           SELECT max(a.at) AS approved_at FROM marketplace_audit_log a
            WHERE a.plugin_name = v.plugin_name AND a.version = v.version AND a.to_status = 'approved') ap
         CROSS JOIN LATERAL (
           SELECT count(*) AS executions,
                  count(*) FILTER (WHERE u.status = 'failed') AS failures,
                  count(*) FILTER (WHERE u.error_code = 'execution_timeout') AS timeouts
             FROM usage_records u
            WHERE u.plugin_name = v.plugin_name AND u.plugin_version = v.version
              AND u.started_at >= ?::timestamptz AND (ap.approved_at IS NULL OR u.recorded_at > ap.approved_at)
              AND coalesce(u.error_code, '') <> 'invalid_input') s
        WHERE v.status = 'approved' AND s.executions > 0 AND s.executions >= ?::bigint
          AND (s.failures >= ?::double precision * s.executions OR s.timeouts >= ?::double precision * s.executions)
        ORDER BY v.plugin_name, v.id`,
      [q.since, q.minExecutions, q.failureRate, q.timeoutRate],
    );
    return result.rows.map((r) => ({
      pluginName: r.plugin_name,
      version: r.version,
      executions: Number(r.executions),
      failures: Number(r.failures),
      timeouts: Number(r.timeouts),
    }));
  }

  /** Tenants with an install on name@version (the ones a quarantine concerns). */
  async installingTenants(name: string, version: string): Promise<string[]> {
    const rows = (await this.#db('installs').distinct('tenant_id').where({ plugin_name: name, version }).orderBy('tenant_id')) as {
      tenant_id: string;
    }[];
    return rows.map((r) => r.tenant_id);
  }
}

function toAggregate(r: HourlyRow): HourlyAggregate {
  return {
    pluginVersion: r.plugin_version,
    hour: new Date(r.hour),
    executions: Number(r.executions),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    timeouts: Number(r.timeouts),
    memoryLimitHits: Number(r.memory_limit_hits),
    pluginErrors: Number(r.plugin_errors),
    invalidInputs: Number(r.invalid_inputs),
    cpuMsSum: Number(r.cpu_ms_sum),
    wallMsSum: Number(r.wall_ms_sum),
    cpuMsP50: Number(r.cpu_ms_p50),
    cpuMsP95: Number(r.cpu_ms_p95),
    wallMsP50: Number(r.wall_ms_p50),
    wallMsP95: Number(r.wall_ms_p95),
  };
}
