/**
 * Ratings in SQL. A rating is written only while its tenant has the plugin
 * installed, decided in the same statement as the write (INSERT … SELECT
 * FROM installs), so an uninstall racing a rating cannot leave a rating from
 * a tenant that never held the plugin at that moment.
 */
import type { Knex } from 'knex';
import type { RateInput, Rating, RatingSummary } from './rating.js';
import type { RatingStore, UpsertedRating } from './ports.js';

interface RatingRow {
  tenant_id: string;
  plugin_name: string;
  stars: number;
  comment: string | null;
  created_at: Date;
  updated_at: Date;
  /** True when the upsert inserted (no earlier rating), false when it replaced one. */
  inserted: boolean;
}

export class RatingRepository implements RatingStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Insert or replace the tenant's rating of `plugin`; `null` when the tenant
   * has no install of it (then nothing is written). `xmax = 0` is PostgreSQL's
   * tell that the row was inserted rather than updated by ON CONFLICT.
   */
  async upsertIfInstalled(tenantId: string, plugin: string, input: RateInput, now: Date): Promise<UpsertedRating | null> {
    const result = await this.#db.raw<{ rows: RatingRow[] }>(
      `INSERT INTO plugin_ratings (tenant_id, plugin_name, stars, comment, created_at, updated_at)
       SELECT i.tenant_id, i.plugin_name, ?, ?, ?, ?
         FROM installs i WHERE i.tenant_id = ? AND i.plugin_name = ?
       ON CONFLICT (tenant_id, plugin_name)
       DO UPDATE SET stars = EXCLUDED.stars, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at
       RETURNING *, (xmax = 0) AS inserted`,
      [input.stars, input.comment ?? null, now, now, tenantId, plugin],
    );
    const row = result.rows[0];
    return row === undefined ? null : { rating: toRating(row), created: row.inserted };
  }

  /** Average stars and count over every tenant's rating of `plugin`. */
  async summary(plugin: string): Promise<RatingSummary> {
    const row = (await this.#db('plugin_ratings')
      .where({ plugin_name: plugin })
      .first(this.#db.raw('count(*) AS n'), this.#db.raw('avg(stars) AS average'))) as { n: string | number; average: string | number | null } | undefined;
    const count = Number(row?.n ?? 0);
    return { count, average: count === 0 || row?.average == null ? null : Number(row.average) };
  }
}

function toRating(row: RatingRow): Rating {
  return {
    tenantId: row.tenant_id,
    plugin: row.plugin_name,
    stars: Number(row.stars),
    comment: row.comment,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
