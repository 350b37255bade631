/**
 * Install permissions (docs/plugins.md "manifest.json": nothing is available
 * unless asked for in the manifest AND granted at install).
 *
 * The grant has the manifest's own shape, so a tenant grants by echoing what
 * the plugin asks for: `grantPermissions: {kv?: true, network?: {hosts: [...]}}`.
 * What an install stores is what is in force: the current version's ask, all
 * of it granted (an install never runs with part of its ask).
 *
 * Re-consent (docs/product.md "Trust score"): an upgrade is judged by
 * `missingGrants(newAsk, alreadyGranted ∪ newGrant)`; anything missing keeps
 * the upgrade pending.
 */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';

/** Permissions as the contract spells them (manifest, grant and install answer alike). */
export interface Permissions {
  readonly kv: boolean;
  readonly network: { readonly hosts: readonly string[] };
}

/** A grant from a request body: every part optional. */
export interface PermissionGrant {
  readonly kv?: boolean;
  readonly network?: { readonly hosts: readonly string[] };
}

/** What a manifest asks for, normalised (absent → nothing). */
export function askedBy(manifest: PluginManifest): Permissions {
  return {
    kv: manifest.permissions?.kv === true,
    network: { hosts: [...(manifest.permissions?.network?.hosts ?? [])].sort() },
  };
}

/** Everything granted by either. */
export function unionGrants(a: PermissionGrant | undefined, b: PermissionGrant | undefined): Permissions {
  const hosts = new Set([...(a?.network?.hosts ?? []), ...(b?.network?.hosts ?? [])]);
  return { kv: a?.kv === true || b?.kv === true, network: { hosts: [...hosts].sort() } };
}

/** The part of `asked` that `granted` does not cover; `null` when everything is covered. */
export function missingGrants(asked: Permissions, granted: PermissionGrant | undefined): Permissions | null {
  const have = unionGrants(granted, undefined);
  const kv = asked.kv && !have.kv;
  const hosts = asked.network.hosts.filter((h) => !have.network.hosts.includes(h));
  return kv || hosts.length > 0 ? { kv, network: { hosts } } : null;
}
