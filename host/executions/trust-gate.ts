/**
 * The trust policy gate of the execution path (docs/product.md "Trust score":
 * an operator-wide minimum for auto-approval and execution, and per-tenant
 * stricter minimums or allow-lists). Judged on every execution from the cached
 * install (executable-installs.ts): a yank, a quarantine or a policy change
 * stops the very next execution on every host process; a moved trust score is
 * seen within the install cache's maximum age (30 s).
 */
import { BazaarError } from '../../manifests/errors.js';
import type { VersionStatus } from '../../marketplace/version-status.js';
import type { Tenant } from '../foundation/tenant.js';

export interface GatedVersion {
  readonly name: string;
  readonly version: string;
  readonly status: VersionStatus;
  readonly trustScore: number;
}

/** Throws the refusal (403) when `version` may not run for `tenant`. */
export function checkTrustPolicy(version: GatedVersion, tenant: Tenant, operatorMinimum: number): void {
  const id = `${version.name}@${version.version}`;
  if (version.status === 'yanked') throw new BazaarError('version_yanked', `${id} was yanked; upgrade the install.`);
  if (version.status === 'quarantined') throw new BazaarError('version_quarantined', `${id} is quarantined.`);
  // Installs only ever point at approved versions, and approved only moves to yanked or quarantined.
  if (version.status !== 'approved') throw new BazaarError('trust_policy', `${id} is ${version.status}.`);
  const allowed = tenant.settings.allowedPlugins;
  if (allowed !== undefined && allowed !== null && !allowed.includes(version.name)) {
    throw new BazaarError('trust_policy', `${version.name} is not in the tenant's allowed plugins.`);
  }
  const minimum = Math.max(operatorMinimum, tenant.settings.minTrustScore ?? 0);
  if (version.trustScore < minimum) {
    throw new BazaarError('trust_policy', `${id} has trust score ${version.trustScore}, under the required ${minimum}.`, {
      trustScore: version.trustScore,
      minimum,
    });
  }
}
