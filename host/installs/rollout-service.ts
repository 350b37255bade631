/**
 * Gradual rollouts of an install: `PATCH {version, rollout: {percent}}`
 * sends that share of the install's executions to another approved version
 * of the same plugin (newer or older), the rest to the installed one; the
 * split itself is per execution (executions/rollout-split.ts).
 *
 * - Re-consent holds as for an upgrade: a version asking for permissions the
 *   install does not hold, and that the same PATCH does not grant, cannot
 *   roll out (400 `permissions_not_granted`); nothing is stored.
 * - The install's config is resolved against the new version when the
 *   rollout starts (400 `invalid_config` if it does not fit), so an
 *   execution on either side runs with a config valid for its version.
 * - PATCH again with the same version adjusts the percent (startedAt kept);
 *   another version starts a new rollout.
 * - Promote = the upgrade to the rollout's version (`install.upgraded`);
 *   abort = back to the installed version only. Both clear the rollout;
 *   without one they answer 409 `no_rollout`.
 * - While a rollout runs, an upgrade to a third version is refused (409
 *   `conflict`): promote or abort first. A config change still applies to
 *   the installed version.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { Actor } from '../../marketplace/actor.js';
import type { MarketplaceRepository } from '../../marketplace/ports.js';
import type { JsonValue } from '../../runtime/types.js';
import type { Clock } from '../foundation/clock.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import { type Install, requireInstall, type Rollout } from './install.js';
import { resolveConfigFor, resolveInstallableVersion } from './installable-version.js';
import { askedBy, missingGrants, type PermissionGrant, unionGrants } from './permissions.js';
import type { InstallChanges, InstallStore } from './ports.js';

export interface RolloutServiceDeps {
  readonly installs: Pick<InstallStore, 'findById' | 'update'>;
  readonly versions: Pick<MarketplaceRepository, 'listVersions' | 'listDistTags'>;
  readonly schemas: ActionSchemaCache;
  readonly evict: (installId: string) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events?: EventPublisher;
}

export interface StartRolloutInput {
  readonly version: string;
  readonly percent: number;
  readonly config?: JsonValue;
  readonly grantPermissions?: PermissionGrant;
}

export class RolloutService {
  readonly #deps: RolloutServiceDeps;

  constructor(deps: RolloutServiceDeps) {
    this.#deps = deps;
  }

  /** Start a rollout, or adjust the percent of the one in progress. */
  async start(actor: Actor, install: Install, input: StartRolloutInput): Promise<Install> {
    if (install.pendingVersion !== null) {
      throw new BazaarError('conflict', `An upgrade to ${install.pendingVersion} waits for consent: grant it or cancel it before a rollout.`);
    }
    const target = await resolveInstallableVersion(this.#deps.versions, actor, install.plugin, input.version);
    if (target.version === install.version) {
      throw new BazaarError('invalid_request', `${install.plugin}@${target.version} is the installed version already; roll out another one.`);
    }
    const asked = askedBy(target.manifest);
    const missing = missingGrants(asked, unionGrants(install.permissions, input.grantPermissions));
    if (missing !== null) {
      const parts = [...(missing.kv ? ['kv'] : []), ...missing.network.hosts.map((h) => `network host ${h}`)];
      throw new BazaarError(
        'permissions_not_granted',
        `${target.name}@${target.version} asks for permissions that were not granted: ${parts.join(', ')}. Grant them in grantPermissions.`,
        { missing },
      );
    }
    const adjusting = install.rollout?.version === target.version;
    const rollout: Rollout = {
      version: target.version,
      percent: input.percent,
      startedAt: adjusting && install.rollout !== null ? install.rollout.startedAt : this.#deps.clock.now(),
      config: input.config === undefined && adjusting && install.rollout !== null ? install.rollout.config : resolveConfigFor(this.#deps.schemas, target, input.config ?? install.config),
      permissions: asked,
    };
    return this.#save(install, { rollout });
  }

  /** All traffic to the rollout's version: the upgrade, as PATCH `{version}` with its grants would do it. */
  async promote(actor: Actor, tenantId: string, id: string): Promise<Install> {
    const install = await requireInstall(this.#deps.installs, tenantId, id);
    const rollout = requireRollout(install);
    // Still installable (a yanked version is not promoted: 409 version_not_installable; abort instead).
    await resolveInstallableVersion(this.#deps.versions, actor, install.plugin, rollout.version);
    const upgraded = await this.#save(install, { version: rollout.version, config: rollout.config, permissions: rollout.permissions, rollout: null, pending: null });
    await this.#deps.evict(install.id).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'rollouts: evict failed'));
    const data = { installId: install.id, plugin: install.plugin, fromVersion: install.version, toVersion: upgraded.version };
    await this.#deps.events
      ?.publish([{ type: 'install.upgraded', tenantId, data }])
      .catch((err: unknown) => this.#deps.logger.error(errorFields(err), 'rollouts: publishing install.upgraded failed'));
    return upgraded;
  }

  /** Back to the installed version only; the abort is remembered on the install. */
  async abort(tenantId: string, id: string): Promise<Install> {
    const install = await requireInstall(this.#deps.installs, tenantId, id);
    const rollout = requireRollout(install);
    const at = this.#deps.clock.now().toISOString();
    return this.#save(install, { rollout: null, rolloutAborted: { version: rollout.version, reason: 'aborted by the tenant', at, failureRates: null } });
  }

  /** Saves `changes` only while the install's rollout is still the one they were decided on. */
  async #save(install: Install, changes: InstallChanges): Promise<Install> {
    const updated = await this.#deps.installs.update(install.tenantId, install.id, changes, this.#deps.clock.now(), install.rollout);
    if (updated !== null) return updated;
    await requireInstall(this.#deps.installs, install.tenantId, install.id); // gone: 404
    throw new BazaarError('conflict', 'The rollout changed meanwhile (another request, or the circuit breaker aborted it); read the install and try again.');
  }

}

/** An upgrade to a third version while a rollout runs would leave the split meaningless: 409. */
export function refuseUpgradeDuringRollout(install: Install, targetVersion: string | null): void {
  if (install.rollout !== null && targetVersion !== null && targetVersion !== install.version) {
    throw new BazaarError('conflict', `A rollout to ${install.rollout.version} is in progress: promote or abort it before another upgrade.`);
  }
}

function requireRollout(install: Install): Rollout {
  if (install.rollout === null) throw new BazaarError('no_rollout', `Install ${install.id} has no rollout in progress.`);
  return install.rollout;
}
