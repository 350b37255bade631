/**
 * The marketplace's MarketplaceRepository port in SQL (knex; PostgreSQL or
 * PGlite). Every write is one transaction that first locks the plugin's row,
 * so changes to one plugin are serialised across connections and processes,
 * then changes versions, appends audit entries and refreshes the listing.
 * A version's status and trust score are cached per process with the installs
 * running it: a status change bumps the cache generation after commit
 * (foundation/cache-generation.ts), so it holds at once on every process; a
 * score change does not, and is picked up within the install cache's maximum
 * age (see `updateTrust`). A new version is referenced by nothing yet.
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { BazaarError } from '../../manifests/errors.js';
import type { AuditEntry, AuditEntryInput } from '../../marketplace/audit.js';
import { summarizePlugin } from '../../marketplace/plugin-listing.js';
import type {
  AuditQuery,
  Deprecation,
  DistTags,
  MarketplaceRepository,
  Page,
  PluginListing,
  PluginSearch,
  PluginVersionRecord,
  ReviewQueueQuery,
  VersionTrust,
} from '../../marketplace/ports.js';
import { versionExists } from '../../marketplace/publish-service.js';
import { versionKey } from '../../marketplace/version-order.js';
import type { VersionStatus } from '../../marketplace/version-status.js';
import { isUniqueViolation } from '../foundation/database/database.js';
import type { Transaction } from '../foundation/transaction.js';
import { listAudit, listPending, pluginNamesByScope, searchPlugins } from './marketplace-queries.js';
import { toAuditRow, toVersionRecord, toVersionRow, trustColumns, type VersionRow } from './marketplace-rows.js';

/**
 * Runs inside the transaction that gave a version its status (`from` is null
 * for a version inserted with it, e.g. auto-approved at publish): the host
 * publishes its webhook events there, so they commit with the change.
 */
export type VersionStatusHook = (tx: Transaction, record: PluginVersionRecord, from: VersionStatus | null) => Promise<void>;

export class KnexMarketplaceRepository implements MarketplaceRepository {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;
  readonly #onStatus: VersionStatusHook | undefined;

  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>, hooks: { readonly onStatus?: VersionStatusHook } = {}) {
    this.#db = db;
    this.#generation = generation;
    this.#onStatus = hooks.onStatus;
  }

  async insertVersion(record: PluginVersionRecord, audit: readonly AuditEntryInput[]): Promise<void> {
    try {
      await this.#db.transaction(async (trx) => {
        await trx('plugins')
          .insert({ name: record.name, scope: record.scope, publisher_tenant_id: record.publisherTenantId })
          .onConflict('name')
          .ignore();
        await lockPlugin(trx, record.name);
        await trx('plugin_versions').insert(toVersionRow(record));
        if (audit.length > 0) await trx('marketplace_audit_log').insert(audit.map(toAuditRow));
        await refreshListing(trx, record.name);
        if (record.status !== 'pending_review') await this.#onStatus?.(trx, record, null);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw versionExists(record.name, record.version);
      throw err;
    }
  }

  async findVersion(name: string, version: string): Promise<PluginVersionRecord | null> {
    const row = await this.#db<VersionRow>('plugin_versions').where({ plugin_name: name, version_key: versionKey(version) }).first();
    return row ? toVersionRecord(row) : null;
  }

  async listVersions(name: string): Promise<PluginVersionRecord[]> {
    return (await versionRows(this.#db, name)).map(toVersionRecord);
  }

  async transitionStatus(
    name: string,
    version: string,
    from: VersionStatus,
    to: VersionStatus,
    reason: string | null,
    audit: AuditEntryInput,
  ): Promise<PluginVersionRecord | null> {
    const changed = await this.#db.transaction(async (trx) => {
      await lockPlugin(trx, name);
      const [row] = await trx<VersionRow>('plugin_versions')
        .where({ plugin_name: name, version_key: versionKey(version), status: from })
        .update({ status: to, status_reason: reason, updated_at: trx.fn.now() })
        .returning('*');
      if (!row) return null;
      await trx('marketplace_audit_log').insert(toAuditRow(audit));
      await refreshListing(trx, name);
      const record = toVersionRecord(row as VersionRow);
      await this.#onStatus?.(trx, record, from);
      return record;
    });
    if (changed !== null) await this.#generation.bump();
    return changed;
  }

  /**
   * Stores recomputed scores WITHOUT bumping the cache generation: a score is
   * an aggregate recomputed at most every 10 s per version under load
   * (executions/trust-feed.ts), so the trust gate was never exact to the
   * millisecond, and a bump per moved score made every host reload every
   * cached key and install. Cached installs pick a new score up within the
   * install cache's maximum age (`DEFAULT_MAX_AGE_MS`,
   * foundation/generation-cache.ts). Status changes (yank, quarantine, review) still
   * bump at once in `transitionStatus`.
   */
  async updateTrust(name: string, reports: readonly VersionTrust[]): Promise<void> {
    if (reports.length === 0) return;
    await this.#db.transaction(async (trx) => {
      await lockPlugin(trx, name);
      for (const { version, trust } of reports) {
        await trx('plugin_versions')
          .where({ plugin_name: name, version_key: versionKey(version) })
          .update({ ...trustColumns(trust), updated_at: trx.fn.now() });
      }
      // Once per batch: the listing reads every version, so per-version refreshes were quadratic.
      await refreshListing(trx, name);
    });
  }

  listPending(query: ReviewQueueQuery): Promise<Page<PluginVersionRecord>> {
    return listPending(this.#db, query);
  }

  searchPlugins(query: PluginSearch): Promise<Page<PluginListing>> {
    return searchPlugins(this.#db, query);
  }

  listPluginNamesByScope(scope: string, limit: number): Promise<string[]> {
    return pluginNamesByScope(this.#db, scope, limit);
  }

  listAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
    return listAudit(this.#db, query);
  }

  /** A deprecation changes no status and is not cached with installs: no cache bump. */
  async setDeprecation(name: string, version: string, deprecation: Deprecation | null, audit: AuditEntryInput): Promise<PluginVersionRecord | null> {
    return this.#db.transaction(async (trx) => {
      const [row] = await trx<VersionRow>('plugin_versions')
        .where({ plugin_name: name, version_key: versionKey(version) })
        .update({
          deprecated_message: deprecation?.message ?? null,
          deprecated_at: deprecation === null ? null : new Date(deprecation.at),
          updated_at: trx.fn.now(),
        })
        .returning('*');
      if (!row) return null;
      await trx('marketplace_audit_log').insert(toAuditRow(audit));
      return toVersionRecord(row as VersionRow);
    });
  }

  async listDistTags(name: string): Promise<DistTags> {
    const rows: { tag: string; version: string }[] = await this.#db('plugin_dist_tags').where({ plugin_name: name }).select('tag', 'version');
    return Object.fromEntries(rows.map((r) => [r.tag, r.version]));
  }

  async setDistTag(name: string, tag: string, version: string, audit: AuditEntryInput): Promise<VersionStatus | null> {
    return this.#db.transaction(async (trx) => {
      // Status changes take the same lock, so the version is still approved when the tag commits.
      await lockPlugin(trx, name);
      const row: Pick<VersionRow, 'version' | 'status'> | undefined = await trx('plugin_versions')
        .where({ plugin_name: name, version_key: versionKey(version) })
        .first('version', 'status');
      if (!row) return null;
      if (row.status !== 'approved') return row.status;
      await trx('plugin_dist_tags')
        .insert({ plugin_name: name, tag, version: row.version })
        .onConflict(['plugin_name', 'tag'])
        .merge({ version: row.version, updated_at: trx.fn.now() });
      await trx('marketplace_audit_log').insert(toAuditRow({ ...audit, version: row.version }));
      return row.status;
    });
  }

  async removeDistTag(name: string, tag: string, audit: Omit<AuditEntryInput, 'version'>): Promise<string | null> {
    return this.#db.transaction(async (trx) => {
      // `returning`: the row count is not reported alike by pg and PGlite.
      const [removed]: { version: string }[] = await trx('plugin_dist_tags').where({ plugin_name: name, tag }).delete().returning('version');
      if (removed === undefined) return null;
      await trx('marketplace_audit_log').insert(toAuditRow({ ...audit, version: removed.version }));
      return removed.version;
    });
  }
}

/** Row lock on the plugin: serialises writers of one plugin; absent plugin → 404. */
async function lockPlugin(trx: Knex.Transaction, name: string): Promise<void> {
  const row = await trx('plugins').where({ name }).forUpdate().first('name');
  if (!row) throw new BazaarError('not_found', `${name} was not found.`);
}

function versionRows(db: Knex, name: string): Promise<VersionRow[]> {
  return db<VersionRow>('plugin_versions').where({ plugin_name: name }).orderBy('id');
}

/** Recomputes the listing columns from the plugin's versions (inside the writer's transaction). */
async function refreshListing(trx: Knex.Transaction, name: string): Promise<void> {
  const summary = summarizePlugin((await versionRows(trx, name)).map(toVersionRecord));
  await trx('plugins')
    .where({ name })
    .update({
      latest_version: summary?.latestVersion ?? null,
      description: summary?.description ?? null,
      keywords: summary?.keywords.join(' ') ?? '',
      homepage: summary?.homepage ?? null,
      trust_score: summary?.trustScore ?? null,
      risk: summary?.risk ?? null,
      latest_published_at: summary ? new Date(summary.latestPublishedAt) : null,
      updated_at: trx.fn.now(),
    });
}
