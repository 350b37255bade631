/**
 * The install: one tenant's use of one plugin (docs/http-api.md "Installs").
 * Domain objects use camelCase and `Date`; the repository maps rows,
 * `installToJson` maps to the contract's JSON.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { JsonValue } from '../../runtime/types.js';
import type { Permissions } from './permissions.js';

/**
 * `active`: runs `version`. `pending_consent`: still runs `version`, while an
 * upgrade to `pendingVersion` waits for the tenant to grant new permissions.
 */
export type InstallStatus = 'active' | 'pending_consent';

export interface Install {
  readonly id: string;
  readonly tenantId: string;
  readonly plugin: string;
  readonly version: string;
  readonly permissions: Permissions;
  readonly config: JsonValue;
  readonly pendingVersion: string | null;
  /** The config the pending version will run with (validated against it). */
  readonly pendingConfig: JsonValue | null;
  /** What the pending version asks for beyond `permissions`: the grant the tenant must still give. */
  readonly pendingPermissions: Permissions | null;
  /** A gradual rollout in progress (rollout-service.ts), or null. */
  readonly rollout: Rollout | null;
  /** Why the last rollout was aborted, or null. */
  readonly lastRolloutAbort: RolloutAbort | null;
  /** Shadow runs on a candidate version (shadow-service.ts), or null. */
  readonly shadow: Shadow | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** `percent` of the executions run `version` (with `config` and `permissions`), the rest the installed version. */
export interface Rollout {
  readonly version: string;
  readonly percent: number;
  readonly startedAt: Date;
  /** The install's config resolved against `version`. */
  readonly config: JsonValue;
  /** What `version` asks for, all granted when the rollout started. */
  readonly permissions: Permissions;
}

/** A sample (`sampleRate`, 0..1) of the executions also runs on `version`, never answered nor billed. */
export interface Shadow {
  readonly version: string;
  readonly sampleRate: number;
  readonly startedAt: Date;
}

/** Why a rollout ended without promotion: by the tenant, or by the circuit breaker with the figures that tripped it. */
export interface RolloutAbort {
  readonly version: string;
  readonly reason: string;
  readonly at: string;
  readonly failureRates: { readonly current: RolloutFigures; readonly rollout: RolloutFigures } | null;
}

export interface RolloutFigures {
  readonly version: string;
  readonly executions: number;
  readonly failures: number;
  readonly failureRate: number;
}

export function installStatus(install: Pick<Install, 'pendingVersion'>): InstallStatus {
  return install.pendingVersion === null ? 'active' : 'pending_consent';
}

/**
 * The contract's install JSON: `{id, plugin, version, config, permissions,
 * status}` plus the pending upgrade, if any, and what it still needs granted,
 * and the rollout and shadow in progress.
 */
export function installToJson(install: Install) {
  return {
    id: install.id,
    plugin: install.plugin,
    version: install.version,
    config: install.config,
    permissions: install.permissions,
    status: installStatus(install),
    pendingVersion: install.pendingVersion,
    pendingPermissions: install.pendingPermissions,
    rollout: install.rollout === null ? null : { version: install.rollout.version, percent: install.rollout.percent, startedAt: install.rollout.startedAt.toISOString() },
    lastRolloutAbort: install.lastRolloutAbort,
    shadow: install.shadow === null ? null : { version: install.shadow.version, sampleRate: install.shadow.sampleRate, startedAt: install.shadow.startedAt.toISOString() },
    createdAt: install.createdAt.toISOString(),
    updatedAt: install.updatedAt.toISOString(),
  };
}

/** The tenant's install `id`, or 404 (another tenant's install answers the same). */
export async function requireInstall(store: { findById(tenantId: string, id: string): Promise<Install | null> }, tenantId: string, id: string): Promise<Install> {
  const install = await store.findById(tenantId, id);
  if (install === null) throw new BazaarError('not_found', 'No such install.');
  return install;
}
