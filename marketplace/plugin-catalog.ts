/**
 * Read side of the marketplace: the listing and search, one plugin with its
 * versions, one version with its trust breakdown, the package bytes, and the
 * audit log. Visibility rules (visibility.ts) apply to every read.
 */
import type { Actor, KeyActor } from './actor.js';
import type { AuditEntry } from './audit.js';
import type { AuditQuery, BlobStore, MarketplaceRepository, Page, PluginListing, PluginSearch, PluginVersionRecord } from './ports.js';
import { effectiveDistTags } from './dist-tags.js';
import { latestApproved, latestOf, sortBySemver } from './version-order.js';
import { canSeeVersion, notFound, requireVisible } from './visibility.js';

export interface PluginCatalogDeps {
  readonly repository: MarketplaceRepository;
  readonly blobs: BlobStore;
}

/** A plugin as GET /v1/plugins/:name shows it to one viewer. */
export interface PluginDetail {
  /** Only the versions the viewer may see, highest semver first. */
  readonly versions: PluginVersionRecord[];
  /** The latest approved version, or null when none is approved yet. */
  readonly latest: PluginVersionRecord | null;
  /** The version whose manifest describes the plugin: latest approved, else the latest visible. */
  readonly describedBy: PluginVersionRecord;
  /** Dist-tags to versions the viewer may see, with the effective `latest` (dist-tags.ts). */
  readonly distTags: Record<string, string>;
}

export class PluginCatalog {
  readonly #deps: PluginCatalogDeps;

  constructor(deps: PluginCatalogDeps) {
    this.#deps = deps;
  }

  /** Plugins with at least one approved version; `q` is full-text search. */
  async search(query: PluginSearch): Promise<Page<PluginListing>> {
    return this.#deps.repository.searchPlugins(query);
  }

  /** One plugin; 404 when the viewer can see none of its versions. */
  async plugin(viewer: Actor, name: string): Promise<PluginDetail> {
    const [all, stored] = await Promise.all([this.#deps.repository.listVersions(name), this.#deps.repository.listDistTags(name)]);
    const versions = sortBySemver(all.filter((v) => canSeeVersion(viewer, v)), 'desc');
    const describedBy = latestApproved(versions) ?? latestOf(versions);
    if (!describedBy) throw notFound(name);
    return { versions, latest: latestApproved(versions) ?? null, describedBy, distTags: effectiveDistTags(stored, versions) };
  }

  /**
   * The plugins under the key's own scope (`@<tenant slug>/*`), by name, at
   * most `limit`, each as `plugin()` shows it to that key: a publisher sees
   * its versions in every status, the marketplace listing only approved ones.
   */
  async publishedBy(viewer: KeyActor, limit: number): Promise<PluginDetail[]> {
    const names = await this.#deps.repository.listPluginNamesByScope(viewer.tenantSlug, limit);
    const details = await Promise.all(names.map((name) => this.plugin(viewer, name).catch(() => null)));
    return details.filter((d): d is PluginDetail => d !== null);
  }

  /** One version; 404 when missing or not visible to the viewer. */
  async version(viewer: Actor, name: string, version: string): Promise<PluginVersionRecord> {
    return requireVisible(viewer, await this.#deps.repository.findVersion(name, version), `${name}@${version}`);
  }

  /** The stored package bytes of a visible version. */
  async tarball(viewer: Actor, name: string, version: string): Promise<{ record: PluginVersionRecord; bytes: Buffer }> {
    const record = await this.version(viewer, name, version);
    const bytes = await this.#deps.blobs.get(record.sha256);
    // The blob is written before the version row, so a missing one is a storage fault, not a 404.
    if (bytes === null) throw new Error(`blob ${record.sha256} of ${name}@${version} is missing`);
    return { record, bytes };
  }

  async auditLog(query: AuditQuery): Promise<Page<AuditEntry>> {
    return this.#deps.repository.listAudit(query);
  }
}
