/**
 * The shadow comparisons in SQL (migration 013): one row per compared run,
 * written by whichever host process ran it, and the report computed from
 * them in one query (percentiles with percentile_cont, on PostgreSQL and
 * PGlite alike).
 *
 * - A row is written only while the install's shadow is still the one it
 *   ran for (same version and start: INSERT … SELECT … WHERE EXISTS), so a
 *   run finishing after a stop or a replacement adds nothing.
 * - Outputs are kept on a row only while the shadow has fewer than
 *   MAX_SAMPLES sampled rows (the report's sample of differing and failed
 *   runs); several hosts racing may keep a few more, the report shows
 *   MAX_SAMPLES.
 * - After each write the install's rows beyond the newest MAX_ROWS are
 *   deleted, so the table cannot grow without limit.
 */
import type { Knex } from 'knex';
import type { JsonValue } from '../../runtime/types.js';
import type { DeniedHostCall } from './shadow-bridge.js';

export const MAX_ROWS = 1000;
export const MAX_SAMPLES = 10;
/** Distinct denied host calls in a report. */
export const MAX_REPORTED_DENIED = 50;

export type ShadowOutcome = 'identical' | 'different' | 'candidate_failed';

export interface ShadowComparison {
  readonly installId: string;
  readonly shadowVersion: string;
  readonly shadowStartedAt: Date;
  readonly executionId: string;
  readonly outcome: ShadowOutcome;
  readonly current: { readonly succeeded: boolean; readonly cpuMs: number; readonly output: JsonValue };
  readonly candidate: { readonly succeeded: boolean; readonly cpuMs: number; readonly output: JsonValue };
  readonly denied: readonly DeniedHostCall[];
  readonly at: Date;
}

export interface ShadowFigures {
  readonly compared: number;
  readonly identical: number;
  readonly different: number;
  readonly candidateFailed: number;
  readonly currentSucceeded: number;
  readonly candidateSucceeded: number;
  readonly cpuMs: { readonly current: Percentiles; readonly candidate: Percentiles };
  readonly samples: { executionId: string; output: JsonValue; candidateOutput: JsonValue }[];
  readonly deniedHostCalls: DeniedHostCall[];
}

export interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
}

type Num = string | number | null;

export class ShadowRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Record one comparison; false when the shadow it ran for has ended or been replaced meanwhile. */
  async record(c: ShadowComparison): Promise<boolean> {
    const keep = c.outcome !== 'identical';
    const result = await this.#db.raw<{ rowCount?: number; rows: unknown[] }>(
      `INSERT INTO install_shadow_comparisons
         (install_id, shadow_version, shadow_started_at, execution_id, outcome, current_succeeded, candidate_succeeded,
          current_cpu_ms, candidate_cpu_ms, denied, sampled, output, candidate_output, created_at)
       SELECT s.install_id, s.shadow_version, s.shadow_started_at, ?, ?, ?, ?, ?, ?, ?::jsonb, s.sampled,
              CASE WHEN s.sampled THEN ?::jsonb END, CASE WHEN s.sampled THEN ?::jsonb END, ?
         FROM (SELECT i.id AS install_id, i.shadow_version, i.shadow_started_at,
                      (? AND (SELECT count(*) FROM install_shadow_comparisons c
                               WHERE c.install_id = i.id AND c.shadow_started_at = i.shadow_started_at AND c.sampled) < ?) AS sampled
                 FROM installs i
                WHERE i.id = ? AND i.shadow_version = ? AND i.shadow_started_at = ?) s
       RETURNING id`,
      [
        c.executionId, c.outcome, c.current.succeeded, c.candidate.succeeded, c.current.cpuMs, c.candidate.cpuMs, JSON.stringify(c.denied),
        JSON.stringify(c.current.output), JSON.stringify(c.candidate.output), c.at,
        keep, MAX_SAMPLES,
        c.installId, c.shadowVersion, c.shadowStartedAt,
      ],
    );
    if (result.rows.length === 0) return false;
    await this.#db.raw(
      `DELETE FROM install_shadow_comparisons
        WHERE install_id = ? AND id < (SELECT id FROM install_shadow_comparisons WHERE install_id = ? ORDER BY id DESC OFFSET ? LIMIT 1)`,
      [c.installId, c.installId, MAX_ROWS - 1],
    );
    return true;
  }

  /** The figures of one shadow (its version and start) over its recorded rows. */
  async figures(installId: string, shadow: { version: string; startedAt: Date }): Promise<ShadowFigures> {
    const where = { install_id: installId, shadow_version: shadow.version, shadow_started_at: shadow.startedAt };
    const [counts] = (await this.#db('install_shadow_comparisons')
      .where(where)
      .select(
        this.#db.raw('count(*) AS compared'),
        this.#db.raw("count(*) FILTER (WHERE outcome = 'identical') AS identical"),
        this.#db.raw("count(*) FILTER (WHERE outcome = 'different') AS different"),
        this.#db.raw("count(*) FILTER (WHERE outcome = 'candidate_failed') AS candidate_failed"),
        this.#db.raw('count(*) FILTER (WHERE current_succeeded) AS current_succeeded'),
        this.#db.raw('count(*) FILTER (WHERE candidate_succeeded) AS candidate_succeeded'),
        this.#db.raw('percentile_cont(0.5) WITHIN GROUP (ORDER BY current_cpu_ms) AS current_p50'),
        this.#db.raw('percentile_cont(0.95) WITHIN GROUP (ORDER BY current_cpu_ms) AS current_p95'),
        this.#db.raw('percentile_cont(0.5) WITHIN GROUP (ORDER BY candidate_cpu_ms) AS candidate_p50'),
        this.#db.raw('percentile_cont(0.95) WITHIN GROUP (ORDER BY candidate_cpu_ms) AS candidate_p95'),
      )) as Record<string, Num>[];
    const samples = (await this.#db('install_shadow_comparisons')
      .where({ ...where, sampled: true })
      .orderBy('id')
      .limit(MAX_SAMPLES)
      .select('execution_id', 'output', 'candidate_output')) as { execution_id: string; output: JsonValue; candidate_output: JsonValue }[];
    const denied = await this.#db.raw<{ rows: { call: DeniedHostCall }[] }>(
      `SELECT call FROM (
         SELECT DISTINCT ON (d.call) d.call, c.id
           FROM install_shadow_comparisons c, jsonb_array_elements(c.denied) AS d(call)
          WHERE c.install_id = ? AND c.shadow_version = ? AND c.shadow_started_at = ?
          ORDER BY d.call, c.id) first_seen
        ORDER BY id, call::text
        LIMIT ?`,
      [installId, shadow.version, shadow.startedAt, MAX_REPORTED_DENIED],
    );
    const n = (v: Num | undefined) => Number(v ?? 0);
    const ms = (v: Num | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
    const c = counts ?? {};
    return {
      compared: n(c.compared),
      identical: n(c.identical),
      different: n(c.different),
      candidateFailed: n(c.candidate_failed),
      currentSucceeded: n(c.current_succeeded),
      candidateSucceeded: n(c.candidate_succeeded),
      cpuMs: { current: { p50: ms(c.current_p50), p95: ms(c.current_p95) }, candidate: { p50: ms(c.candidate_p50), p95: ms(c.candidate_p95) } },
      samples: samples.map((s) => ({ executionId: s.execution_id, output: s.output, candidateOutput: s.candidate_output })),
      deniedHostCalls: denied.rows.map((r) => r.call),
    };
  }

  /** Forget an install's comparisons (its shadow stopped or replaced). */
  async clear(installId: string): Promise<void> {
    await this.#db('install_shadow_comparisons').where({ install_id: installId }).delete();
  }
}
