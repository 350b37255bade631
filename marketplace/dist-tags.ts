/**
 * Dist-tags: names for versions of a plugin (`latest`, `beta`), as npm has
 * them. A tag name is short lowercase text that can never be read as a
 * semver range (`v1`, `x` are ranges), so an install's `version` is read
 * unambiguously as a version, a range or a tag.
 *
 * `latest` is the newest approved version unless it was set explicitly; an
 * explicit `latest` whose version is no longer approved (yanked,
 * quarantined) falls back to the newest approved, so default installs never
 * break on it.
 */
import semver from 'semver';
import type { DistTags, PluginVersionRecord } from './ports.js';
import { latestApproved, versionKey } from './version-order.js';

export const LATEST_TAG = 'latest';

const TAG_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Whether `tag` may name a dist-tag. */
export function isDistTagName(tag: string): boolean {
  return TAG_NAME.test(tag) && semver.validRange(tag) === null;
}

/**
 * The tags as a viewer sees them: the stored ones that point at a version
 * in `visible`, plus the effective `latest` (absent when nothing is approved).
 */
export function effectiveDistTags(stored: DistTags, visible: readonly PluginVersionRecord[]): Record<string, string> {
  const byKey = new Map(visible.map((v) => [versionKey(v.version), v]));
  const tags: Record<string, string> = {};
  const latest = latestVersion(stored, visible);
  if (latest !== undefined) tags[LATEST_TAG] = latest.version;
  for (const [tag, version] of Object.entries(stored).sort(([a], [b]) => a.localeCompare(b))) {
    const target = byKey.get(versionKey(version));
    if (tag !== LATEST_TAG && target !== undefined) tags[tag] = target.version;
  }
  return tags;
}

/** The version `latest` means: the explicit one while it is approved, else the newest approved. */
export function latestVersion<T extends PluginVersionRecord>(stored: DistTags, versions: readonly T[]): T | undefined {
  const explicit = stored[LATEST_TAG];
  const pinned = explicit === undefined ? undefined : versions.find((v) => versionKey(v.version) === versionKey(explicit));
  return pinned?.status === 'approved' ? pinned : latestApproved(versions);
}
