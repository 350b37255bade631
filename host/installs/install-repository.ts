/**
 * Installs in SQL. Every read and write is scoped by tenant: another tenant's
 * install is simply not found (404, never 403: docs/http-api.md "Errors").
 *
 * Race safety across host processes: an install is counted and inserted in
 * one transaction holding the tenant's row lock (`SELECT … FOR UPDATE`), so
 * two concurrent installs cannot both pass the plan limit; UNIQUE (tenant,
 * plugin) settles two installs of the same plugin. The plugin's listing
 * `install_count` is refreshed in the same transaction.
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { BazaarError } from '../../manifests/errors.js';
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { VersionStatus } from '../../marketplace/version-status.js';
import type { JsonValue } from '../../runtime/types.js';
import type { Install, Rollout, RolloutAbort, Shadow } from './install.js';
import type { ExecutableInstall, InstallChanges, InstallStore, NewInstall } from './ports.js';
import type { Permissions } from './permissions.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import { pageInCreationOrder } from '../foundation/database/creation-order-page.js';
import { isUniqueViolation } from '../foundation/database/database.js';

interface InstallRow {
  id: string;
  tenant_id: string;
  plugin_name: string;
  version: string;
  permissions: Permissions;
  config: JsonValue;
  pending_version: string | null;
  pending_config: JsonValue | null;
  pending_permissions: Permissions | null;
  rollout_version: string | null;
  rollout_percent: number | null;
  rollout_started_at: Date | null;
  rollout_config: JsonValue | null;
  rollout_permissions: Permissions | null;
  rollout_aborted: RolloutAbort | null;
  shadow_version: string | null;
  shadow_sample_rate: number | null;
  shadow_started_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const json = (value: unknown): string => JSON.stringify(value);

export class InstallRepository implements InstallStore {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;

  /** `generation`: bumped after every change to a stored install (foundation/cache-generation.ts). */
  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>) {
    this.#db = db;
    this.#generation = generation;
  }

  /**
   * Insert unless the tenant already holds `maxInstalls` installs (402
   * `plan_limit`) or already installed this plugin (409 `conflict`).
   */
  async insertWithinLimit(install: NewInstall, maxInstalls: number | null): Promise<Install> {
    try {
      return await this.#db.transaction(async (trx) => {
        // The lock serialises installs of one tenant across processes: count then insert is safe under it.
        await trx('tenants').where({ id: install.tenantId }).forUpdate().first('id');
        if (await this.#exists(trx, install.tenantId, install.plugin)) throw alreadyInstalled(install.plugin);
        if (maxInstalls !== null) {
          const row = await trx('installs').where({ tenant_id: install.tenantId }).count<{ n: string | number }[]>({ n: '*' }).first();
          if (Number(row?.n ?? 0) >= maxInstalls) {
            throw new BazaarError('plan_limit', `The plan allows ${maxInstalls} installs; uninstall one or upgrade the plan.`, { maxInstalls });
          }
        }
        const [row] = await trx('installs').insert(toRow(install)).returning('*');
        await refreshInstallCount(trx, install.plugin);
        return toInstall(row as InstallRow);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyInstalled(install.plugin);
      throw err;
    }
  }

  async findById(tenantId: string, id: string): Promise<Install | null> {
    const row = await this.#db<InstallRow>('installs').where({ tenant_id: tenantId, id }).first();
    return row === undefined ? null : toInstall(row);
  }

  /** The tenant's installs, oldest first, keyset-paginated on (created_at, id). */
  async list(tenantId: string, page: PageRequest): Promise<Page<Install>> {
    return pageInCreationOrder(this.#db<InstallRow>('installs').where({ tenant_id: tenantId }), page, toInstall);
  }

  /** Apply changes; `null` when the tenant has no such install (or its rollout is no longer `whileRollout`). */
  async update(tenantId: string, id: string, changes: InstallChanges, now: Date, whileRollout?: Rollout | null): Promise<Install | null> {
    const patch: Record<string, unknown> = { updated_at: now };
    if (changes.version !== undefined) patch.version = changes.version;
    if (changes.permissions !== undefined) patch.permissions = json(changes.permissions);
    if (changes.config !== undefined) patch.config = json(changes.config);
    if (changes.pending !== undefined) {
      patch.pending_version = changes.pending?.version ?? null;
      patch.pending_config = changes.pending === null ? null : json(changes.pending.config);
      patch.pending_permissions = changes.pending === null ? null : json(changes.pending.permissions);
    }
    if (changes.rollout !== undefined) Object.assign(patch, rolloutColumns(changes.rollout));
    if (changes.rolloutAborted !== undefined) patch.rollout_aborted = changes.rolloutAborted === null ? null : json(changes.rolloutAborted);
    if (changes.shadow !== undefined) {
      patch.shadow_version = changes.shadow?.version ?? null;
      patch.shadow_sample_rate = changes.shadow?.sampleRate ?? null;
      patch.shadow_started_at = changes.shadow?.startedAt ?? null;
    }
    const query = this.#db('installs').where({ tenant_id: tenantId, id });
    if (whileRollout === null) query.whereNull('rollout_version');
    else if (whileRollout !== undefined) query.where({ rollout_version: whileRollout.version, rollout_started_at: whileRollout.startedAt });
    const [row] = await query.update(patch).returning('*');
    if (row !== undefined) await this.#generation.bump();
    return row === undefined ? null : toInstall(row as InstallRow);
  }

  /** Delete (its kv goes with it, by cascade); the deleted install, or `null`. */
  async delete(tenantId: string, id: string): Promise<Install | null> {
    const deleted = await this.#db.transaction(async (trx) => {
      const [row] = await trx('installs').where({ tenant_id: tenantId, id }).delete().returning('*');
      if (row === undefined) return null;
      const install = toInstall(row as InstallRow);
      await refreshInstallCount(trx, install.plugin);
      return install;
    });
    if (deleted !== null) await this.#generation.bump();
    return deleted;
  }

  /**
   * The install (by id, or by plugin name) with its current version, in one
   * query. Cached per process under the cache generation, which every write
   * to installs and to versions' status or trust bumps, so a change made by
   * any host process (upgrade, yank, uninstall) holds for the next execution.
   */
  async findExecutable(tenantId: string, by: { id: string } | { plugin: string }): Promise<ExecutableInstall | null> {
    const where = 'id' in by ? { 'i.id': by.id } : { 'i.plugin_name': by.plugin };
    // The rollout's and the shadow's versions come in the same query, so a split costs no extra round trip.
    const row = await this.#db('installs as i')
      .join('plugin_versions as v', function joinVersion() {
        this.on('v.plugin_name', '=', 'i.plugin_name').andOn('v.version', '=', 'i.version');
      })
      .leftJoin('plugin_versions as rv', function joinRolloutVersion() {
        this.on('rv.plugin_name', '=', 'i.plugin_name').andOn('rv.version', '=', 'i.rollout_version');
      })
      .leftJoin('plugin_versions as sv', function joinShadowVersion() {
        this.on('sv.plugin_name', '=', 'i.plugin_name').andOn('sv.version', '=', 'i.shadow_version');
      })
      .where({ 'i.tenant_id': tenantId, ...where })
      .first(
        'i.*',
        'v.status as v_status', 'v.sha256 as v_sha256', 'v.manifest as v_manifest', 'v.trust_score as v_trust_score',
        'rv.status as rv_status', 'rv.sha256 as rv_sha256', 'rv.manifest as rv_manifest', 'rv.trust_score as rv_trust_score',
        'sv.status as sv_status', 'sv.sha256 as sv_sha256', 'sv.manifest as sv_manifest', 'sv.trust_score as sv_trust_score',
      );
    if (row === undefined) return null;
    const r = row as InstallRow & VersionColumns<'v'> & Partial<VersionColumns<'rv'>> & Partial<VersionColumns<'sv'>>;
    const rollout =
      r.rv_sha256 === undefined || r.rv_sha256 === null
        ? null
        : { status: r.rv_status as VersionStatus, sha256: r.rv_sha256, manifest: r.rv_manifest as PluginManifest, trustScore: r.rv_trust_score as number };
    const shadow =
      r.sv_sha256 === undefined || r.sv_sha256 === null
        ? null
        : { status: r.sv_status as VersionStatus, sha256: r.sv_sha256, manifest: r.sv_manifest as PluginManifest, trustScore: r.sv_trust_score as number };
    return { install: toInstall(r), status: r.v_status, sha256: r.v_sha256, manifest: r.v_manifest, trustScore: r.v_trust_score, rollout, shadow };
  }

  async #exists(trx: Knex, tenantId: string, plugin: string): Promise<boolean> {
    return (await trx('installs').where({ tenant_id: tenantId, plugin_name: plugin }).first('id')) !== undefined;
  }
}

type VersionColumns<P extends string> = { [K in 'status' | 'sha256' | 'manifest' | 'trust_score' as `${P}_${K}`]: K extends 'status' ? VersionStatus : K extends 'manifest' ? PluginManifest : K extends 'trust_score' ? number : string };

/** The rollout columns: all set, or all null (the table's CHECK holds them together). */
function rolloutColumns(rollout: Rollout | null): Record<string, unknown> {
  return {
    rollout_version: rollout?.version ?? null,
    rollout_percent: rollout?.percent ?? null,
    rollout_started_at: rollout?.startedAt ?? null,
    rollout_config: rollout === null ? null : json(rollout.config),
    rollout_permissions: rollout === null ? null : json(rollout.permissions),
  };
}

function alreadyInstalled(plugin: string): BazaarError {
  return new BazaarError('conflict', `${plugin} is already installed; PATCH the install to change it.`);
}

/** The listing's install count: distinct installing tenants (one install per tenant and plugin). */
async function refreshInstallCount(trx: Knex, plugin: string): Promise<void> {
  await trx.raw('UPDATE plugins SET install_count = (SELECT count(*) FROM installs WHERE plugin_name = ?) WHERE name = ?', [plugin, plugin]);
}

function toRow(i: NewInstall) {
  return {
    id: i.id,
    tenant_id: i.tenantId,
    plugin_name: i.plugin,
    version: i.version,
    permissions: json(i.permissions),
    config: json(i.config),
    created_at: i.createdAt,
    updated_at: i.createdAt,
  };
}

function toInstall(row: InstallRow): Install {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    plugin: row.plugin_name,
    version: row.version,
    permissions: row.permissions,
    config: row.config,
    pendingVersion: row.pending_version,
    pendingConfig: row.pending_config,
    pendingPermissions: row.pending_permissions,
    rollout: toRollout(row),
    lastRolloutAbort: row.rollout_aborted ?? null,
    shadow: toShadow(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRollout(row: InstallRow): Rollout | null {
  if (row.rollout_version === null || row.rollout_version === undefined) return null;
  return {
    version: row.rollout_version,
    percent: Number(row.rollout_percent),
    startedAt: row.rollout_started_at as Date,
    config: row.rollout_config as JsonValue,
    permissions: row.rollout_permissions as Permissions,
  };
}

function toShadow(row: InstallRow): Shadow | null {
  if (row.shadow_version === null || row.shadow_version === undefined) return null;
  return { version: row.shadow_version, sampleRate: Number(row.shadow_sample_rate), startedAt: row.shadow_started_at as Date };
}
