/**
 * The install: one tenant's use of one plugin (docs/http-api.md "Installs").
 * Domain objects use camelCase and `Date`; the repository maps rows,
 * `installToJson` maps to the contract's JSON.
 */
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
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function installStatus(install: Pick<Install, 'pendingVersion'>): InstallStatus {
  return install.pendingVersion === null ? 'active' : 'pending_consent';
}

/**
 * The contract's install JSON: `{id, plugin, version, config, permissions,
 * status}` plus the pending upgrade, if any, and what it still needs granted.
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
    createdAt: install.createdAt.toISOString(),
    updatedAt: install.updatedAt.toISOString(),
  };
}
