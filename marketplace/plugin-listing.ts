/**
 * The marketplace listing of a plugin, derived from its versions: shown only
 * once a version is approved, and described by its latest approved version.
 * Storage keeps it denormalised (for search and sorting) and refreshes it in
 * the same transaction as every change to the plugin's versions.
 */
import type { PluginVersionRecord } from './ports.js';
import { latestApproved } from './version-order.js';

export interface ListingSummary {
  readonly latestVersion: string;
  readonly description: string | null;
  readonly keywords: string[];
  readonly homepage: string | null;
  readonly trustScore: number;
  readonly risk: string;
  readonly latestPublishedAt: string;
}

/** The listing of a plugin, or null when it has no approved version (it is then not listed). */
export function summarizePlugin(versions: readonly PluginVersionRecord[]): ListingSummary | null {
  const latest = latestApproved(versions);
  if (!latest) return null;
  return {
    latestVersion: latest.version,
    description: latest.manifest.description ?? null,
    keywords: [...(latest.manifest.keywords ?? [])],
    homepage: latest.manifest.homepage ?? null,
    trustScore: latest.trust.score,
    risk: latest.trust.risk,
    latestPublishedAt: latest.publishedAt,
  };
}
