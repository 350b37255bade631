/**
 * The rollout circuit breaker's SQL (rollout-breaker.ts): each running
 * rollout's figures per side from the usage ledger, and the abort as a
 * compare-and-set, so of several hosts checking at once exactly one aborts
 * and publishes.
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import type { RolloutAbort } from './install.js';

/** A running rollout and what each of its versions did since it started. */
export interface RolloutFiguresRow {
  readonly installId: string;
  readonly tenantId: string;
  readonly plugin: string;
  readonly version: string;
  readonly rolloutVersion: string;
  readonly startedAt: Date;
  readonly current: { readonly executions: number; readonly failures: number };
  readonly rollout: { readonly executions: number; readonly failures: number };
}

/** Failures that are the version's doing; invalid_input (the caller's) and sandbox_crashed (the host's) count for neither side. */
export const PLUGIN_FAILURES = ['plugin_error', 'execution_timeout', 'memory_limit_exceeded', 'invalid_output', 'output_too_large'] as const;
const NOT_COUNTED = ['invalid_input', 'sandbox_crashed'] as const;

type Num = string | number;

export class RolloutRepository {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;

  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>) {
    this.#db = db;
    this.#generation = generation;
  }

  /** Every running rollout with per-side figures since it started (the ledger's install/started_at index serves it). */
  async runningRollouts(): Promise<RolloutFiguresRow[]> {
    const failures = PLUGIN_FAILURES.map(() => '?').join(', ');
    const skipped = NOT_COUNTED.map(() => '?').join(', ');
    const result = await this.#db.raw<{ rows: Record<string, unknown>[] }>(
      `SELECT i.id, i.tenant_id, i.plugin_name, i.version, i.rollout_version, i.rollout_started_at,
              count(*) FILTER (WHERE u.plugin_version = i.version) AS current_executions,
              count(*) FILTER (WHERE u.plugin_version = i.version AND u.error_code IN (${failures})) AS current_failures,
              count(*) FILTER (WHERE u.plugin_version = i.rollout_version) AS rollout_executions,
              count(*) FILTER (WHERE u.plugin_version = i.rollout_version AND u.error_code IN (${failures})) AS rollout_failures
         FROM installs i
         LEFT JOIN usage_records u
           ON u.install_id = i.id AND u.started_at >= i.rollout_started_at AND coalesce(u.error_code, '') NOT IN (${skipped})
        WHERE i.rollout_version IS NOT NULL
        GROUP BY i.id
        ORDER BY i.id`,
      [...PLUGIN_FAILURES, ...PLUGIN_FAILURES, ...NOT_COUNTED],
    );
    return result.rows.map((r) => ({
      installId: r.id as string,
      tenantId: r.tenant_id as string,
      plugin: r.plugin_name as string,
      version: r.version as string,
      rolloutVersion: r.rollout_version as string,
      startedAt: r.rollout_started_at as Date,
      current: { executions: Number(r.current_executions as Num), failures: Number(r.current_failures as Num) },
      rollout: { executions: Number(r.rollout_executions as Num), failures: Number(r.rollout_failures as Num) },
    }));
  }

  /**
   * Clear the rollout if it is still the one judged (same version, same
   * start), remember why, and publish `install.rollout.aborted` in the same
   * transaction. False: it had ended or changed meanwhile (another host, the tenant).
   */
  async abortIfUnchanged(row: RolloutFiguresRow, abort: RolloutAbort, now: Date, events: EventPublisher | undefined): Promise<boolean> {
    const aborted = await this.#db.transaction(async (trx) => {
      const [hit] = await trx('installs')
        .where({ id: row.installId, rollout_version: row.rolloutVersion, rollout_started_at: row.startedAt })
        .update({
          rollout_version: null,
          rollout_percent: null,
          rollout_started_at: null,
          rollout_config: null,
          rollout_permissions: null,
          rollout_aborted: JSON.stringify(abort),
          updated_at: now,
        })
        .returning('id');
      if (hit === undefined) return false;
      const data = {
        installId: row.installId,
        plugin: row.plugin,
        fromVersion: row.version,
        toVersion: row.rolloutVersion,
        reason: abort.reason,
        failureRates: abort.failureRates,
      };
      await events?.publish([{ type: 'install.rollout.aborted', tenantId: row.tenantId, data }], trx);
      return true;
    });
    if (aborted) await this.#generation.bump();
    return aborted;
  }
}
