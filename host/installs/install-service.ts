/**
 * Installs (docs/http-api.md "Installs"): install, list, read, upgrade or
 * reconfigure, uninstall. Every rule of an install lives here; the routes only
 * read input and answer.
 *
 * Install, in order: the version (404 / 409 `version_not_installable`) → the
 * permissions it asks for, all granted (400 `permissions_not_granted`) → the
 * config, validated with defaults applied (400 `invalid_config`) → the plan's
 * install count and one install per plugin (402 `plan_limit` / 409
 * `conflict`, decided in one transaction under the tenant's row lock).
 *
 * Upgrade with permission re-consent (docs/product.md "Trust score";
 * docs/http-api.md "Installs"): PATCH `{version}` whose version asks for
 * permissions the install does not hold, and that the same PATCH does not
 * grant, does NOT take effect. It is stored as pending
 * (`status: "pending_consent"`, `pendingVersion`, `pendingPermissions`: what is
 * still to grant) and the install keeps executing its current version. A later
 * PATCH `{grantPermissions}` (with or without the version) completes it. PATCH
 * `{version: <current>}` cancels a pending upgrade.
 */
import { randomUUID } from 'node:crypto';
import { BazaarError } from '../../manifests/errors.js';
import { ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { Actor } from '../../marketplace/actor.js';
import type { MarketplaceRepository, PluginVersionRecord } from '../../marketplace/ports.js';
import type { JsonValue } from '../../runtime/types.js';
import type { Clock } from '../foundation/clock.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { InstallChanges, InstallStore } from './ports.js';
import { effectiveLimits } from '../foundation/tenant-settings.js';
import type { Tenant } from '../foundation/tenant.js';
import type { TierTable } from '../foundation/tiers.js';
import { type Install, requireInstall } from './install.js';
import { resolveConfigFor, resolveInstallableVersion } from './installable-version.js';
import { type PermissionGrant, type Permissions, askedBy, missingGrants, unionGrants } from './permissions.js';
import type { CreateInstallInput, UpdateInstallInput } from './install-schemas.js';
import { refuseUpgradeDuringRollout, RolloutService } from './rollout-service.js';
import type { ShadowRepository } from './shadow-repository.js';
import { shadowSandboxKey, ShadowService } from './shadow-service.js';

export interface InstallServiceDeps {
  readonly installs: InstallStore;
  readonly versions: Pick<MarketplaceRepository, 'listVersions' | 'findVersion' | 'listDistTags'>;
  /** Compiled config schemas, shared with the execution path. */
  readonly schemas: ActionSchemaCache;
  /** Drops an install's warm sandbox (runtime.evict). */
  readonly evict: (installId: string) => Promise<void>;
  /** Community data (distinct installers) changed: refresh the version's trust score. */
  readonly recomputeTrust: (name: string, version: string) => Promise<unknown>;
  readonly tiers: TierTable;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `install.upgraded` webhooks. */
  readonly events?: EventPublisher;
  /** Shadow runs' comparisons. */
  readonly shadows: ShadowRepository;
}

/** Who installs: the tenant (for its limits) and the caller as the marketplace sees it (visibility). */
export interface Installer {
  readonly tenant: Tenant;
  readonly actor: Actor;
}

export class InstallService {
  readonly #deps: InstallServiceDeps;
  /** Gradual rollouts: PATCH with `rollout`, promote, abort. */
  readonly rollouts: RolloutService;
  /** Shadow runs: PATCH with `shadow`, the report, stop. */
  readonly shadows: ShadowService;

  constructor(deps: InstallServiceDeps) {
    this.#deps = deps;
    this.rollouts = new RolloutService(deps);
    this.shadows = new ShadowService(deps);
  }

  async install(who: Installer, input: CreateInstallInput): Promise<Install> {
    const record = await resolveInstallableVersion(this.#deps.versions, who.actor, input.plugin, input.version);
    const asked = askedBy(record.manifest);
    const missing = missingGrants(asked, input.grantPermissions);
    if (missing !== null) throw notGranted(record, missing);
    const config = resolveConfigFor(this.#deps.schemas, record, input.config);
    const install = await this.#deps.installs.insertWithinLimit(
      { id: randomUUID(), tenantId: who.tenant.id, plugin: record.name, version: record.version, permissions: asked, config, createdAt: this.#deps.clock.now() },
      effectiveLimits(who.tenant, this.#deps.tiers).maxInstalls,
    );
    await this.#refreshTrust(record.name, record.version);
    return install;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Install>> {
    return this.#deps.installs.list(tenantId, page);
  }

  /** One install of the tenant; another tenant's is 404. */
  get(tenantId: string, id: string): Promise<Install> {
    return requireInstall(this.#deps.installs, tenantId, id);
  }

  async update(who: Installer, id: string, input: UpdateInstallInput): Promise<Install> {
    const install = await this.get(who.tenant.id, id);
    if (input.shadow !== undefined) {
      if (Object.keys(input).length > 1) {
        throw new BazaarError('invalid_request', '`shadow` goes alone in the body: start a rollout, upgrade or reconfigure in another PATCH.');
      }
      return this.shadows.start(who.actor, install, input.shadow);
    }
    if (input.rollout !== undefined) return this.rollouts.start(who.actor, install, rolloutInput(input, input.rollout));
    const completingConsent = input.version === undefined && input.grantPermissions !== undefined && install.pendingVersion !== null;
    const target =
      input.version !== undefined
        ? await resolveInstallableVersion(this.#deps.versions, who.actor, install.plugin, input.version)
        : completingConsent
          ? await resolveInstallableVersion(this.#deps.versions, who.actor, install.plugin, install.pendingVersion ?? undefined)
          : null;
    refuseUpgradeDuringRollout(install, target?.version ?? null);
    if (target === null || target.version === install.version) return this.#reconfigure(install, input.config, target !== null);
    return this.#upgrade(install, target, input);
  }

  /**
   * What an install or upgrade answers beside the install: a notice for each
   * deprecated version it runs or waits to run (deprecated versions still
   * install and run).
   */
  async warningsFor(install: Install): Promise<string[]> {
    const versions = [
      install.version,
      ...(install.pendingVersion === null ? [] : [install.pendingVersion]),
      ...(install.rollout === null ? [] : [install.rollout.version]),
    ];
    const records = await Promise.all(versions.map((v) => this.#deps.versions.findVersion(install.plugin, v)));
    return records.flatMap((r) => (r?.deprecated ? [`${r.name}@${r.version} is deprecated: ${r.deprecated.message}`] : []));
  }

  /** Uninstall: the row and its kv (cascade), then its warm sandbox. */
  async uninstall(tenantId: string, id: string): Promise<void> {
    const removed = await this.#deps.installs.delete(tenantId, id);
    if (removed === null) throw new BazaarError('not_found', 'No such install.');
    await this.#deps.evict(removed.id).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'installs: evict failed'));
    if (removed.shadow !== null) await this.#deps.evict(shadowSandboxKey(removed.id)).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'installs: evict failed'));
    await this.#refreshTrust(removed.plugin, removed.version);
  }

  /** Same version: a config change (and, when asked for by version, the end of a pending upgrade). */
  async #reconfigure(install: Install, rawConfig: JsonValue | undefined, cancelPending: boolean): Promise<Install> {
    const current = await this.#version(install.plugin, install.version);
    const changes = {
      ...(rawConfig === undefined ? {} : { config: resolveConfigFor(this.#deps.schemas, current, rawConfig) }),
      ...(cancelPending && install.pendingVersion !== null ? { pending: null } : {}),
    };
    return this.#save(install, changes);
  }

  async #upgrade(install: Install, target: PluginVersionRecord, input: UpdateInstallInput): Promise<Install> {
    const asked = askedBy(target.manifest);
    // What this install already holds, plus what the tenant grants now (and granted for this same pending version).
    const held: PermissionGrant =
      install.pendingVersion === target.version && install.pendingPermissions !== null
        ? unionGrants(install.permissions, subtract(asked, install.pendingPermissions))
        : install.permissions;
    const missing = missingGrants(asked, unionGrants(held, input.grantPermissions));
    const rawConfig = input.config ?? (install.pendingVersion === target.version ? install.pendingConfig : install.config);
    const config = resolveConfigFor(this.#deps.schemas, target, rawConfig ?? undefined);
    if (missing !== null) {
      return this.#save(install, { pending: { version: target.version, config, permissions: missing } });
    }
    const upgraded = await this.#save(install, { version: target.version, permissions: asked, config, pending: null });
    await this.#deps.evict(install.id).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'installs: evict failed'));
    await this.#upgradedEvent(install, upgraded);
    return upgraded;
  }

  async #save(install: Install, changes: InstallChanges): Promise<Install> {
    if (Object.keys(changes).length === 0) return install;
    const updated = await this.#deps.installs.update(install.tenantId, install.id, changes, this.#deps.clock.now());
    if (updated === null) throw new BazaarError('not_found', 'No such install.');
    return updated;
  }

  async #version(name: string, version: string): Promise<PluginVersionRecord> {
    const record = await this.#deps.versions.findVersion(name, version);
    // Versions are never deleted, so an install's version always exists.
    if (record === null) throw new Error(`installed version ${name}@${version} is missing`);
    return record;
  }

  /** After the upgrade is saved; a failed publish is logged, never fails the upgrade that happened. */
  async #upgradedEvent(before: Install, after: Install): Promise<void> {
    const data = { installId: after.id, plugin: after.plugin, fromVersion: before.version, toVersion: after.version };
    await this.#deps.events
      ?.publish([{ type: 'install.upgraded', tenantId: after.tenantId, data }])
      .catch((err: unknown) => this.#deps.logger.error(errorFields(err), 'installs: publishing install.upgraded failed'));
  }

  /** Trust reflects distinct installers; a failed refresh must not fail the install (it is recomputed again later). */
  async #refreshTrust(name: string, version: string): Promise<void> {
    await this.#deps.recomputeTrust(name, version).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'installs: trust recompute failed'));
  }
}

function notGranted(record: PluginVersionRecord, missing: Permissions): BazaarError {
  const parts = [...(missing.kv ? ['kv'] : []), ...missing.network.hosts.map((h) => `network host ${h}`)];
  return new BazaarError(
    'permissions_not_granted',
    `${record.name}@${record.version} asks for permissions that were not granted: ${parts.join(', ')}. Grant them in grantPermissions.`,
    { missing },
  );
}

/** A rollout needs the version it rolls out. */
function rolloutInput(input: UpdateInstallInput, rollout: { percent: number }) {
  if (input.version === undefined) throw new BazaarError('invalid_request', 'A rollout needs the version to roll out: {version, rollout: {percent}}.');
  return { ...input, version: input.version, percent: rollout.percent };
}

/** `asked` minus `minus`: what of the ask was already granted when the upgrade went pending. */
function subtract(asked: Permissions, minus: Permissions): Permissions {
  return { kv: asked.kv && !minus.kv, network: { hosts: asked.network.hosts.filter((h) => !minus.network.hosts.includes(h)) } };
}
