/**
 * The host functions one execution of an install gets (runtime `HostBridge`):
 * only what its version's manifest asks for AND the install holds as granted
 * (docs/plugins.md "manifest.json"). Absent ports are absent from the plugin's
 * `ctx`.
 */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { HostBridge } from '../../runtime/types.js';
import { type FetchPolicy, InstallFetch } from './fetch-port.js';
import type { Install } from './install.js';
import { askedBy } from './permissions.js';
import { InstallKv } from './kv-store.js';
import type { KvStore } from './ports.js';

export interface BridgeFactoryOptions {
  /** The installs' kv rows (each execution's `ctx.kv` is scoped to its install). */
  readonly kv: KvStore;
  readonly fetch: FetchPolicy;
}

export type BridgeFactory = (install: Install, manifest: PluginManifest) => HostBridge;

/** What `manifest` gets under the install's grants: kv if asked and granted, the asked network hosts that are granted. */
export function grantedPorts(install: Install, manifest: PluginManifest): { readonly kv: boolean; readonly hosts: string[] } {
  const asked = askedBy(manifest);
  return { kv: asked.kv && install.permissions.kv, hosts: asked.network.hosts.filter((h) => install.permissions.network.hosts.includes(h)) };
}

export function bridgeFactory(options: BridgeFactoryOptions): BridgeFactory {
  return function bridgeFor(install, manifest) {
    const { kv, hosts } = grantedPorts(install, manifest);
    return {
      ...(kv ? { kv: new InstallKv(options.kv, install.id) } : {}),
      ...(hosts.length > 0 ? { fetch: new InstallFetch(hosts, options.fetch) } : {}),
    };
  };
}
