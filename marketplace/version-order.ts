/**
 * Semantic-version ordering of a plugin's versions: the list order, and which
 * version is "latest". Prereleases sort before their release (1.0.0-rc.1 <
 * 1.0.0), as semver.org specifies.
 */
import semver from 'semver';
import type { VersionStatus } from './version-status.js';

interface Versioned {
  readonly version: string;
}

/** Ascending semver order; a new array. Invalid versions (never stored) sort first. */
export function sortBySemver<T extends Versioned>(items: readonly T[], order: 'asc' | 'desc' = 'asc'): T[] {
  const sorted = [...items].sort((a, b) => compareVersions(a.version, b.version));
  return order === 'asc' ? sorted : sorted.reverse();
}

export function compareVersions(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va === null || vb === null) return va === vb ? a.localeCompare(b) : va === null ? -1 : 1;
  // compareBuild so that 1.0.0+a and 1.0.0+b (distinct rows) still order deterministically.
  return semver.compareBuild(va, vb);
}

/**
 * The version a default install gets: the highest approved release, or, when
 * only prereleases are approved, the highest approved prerelease.
 */
export function latestApproved<T extends Versioned & { readonly status: VersionStatus }>(items: readonly T[]): T | undefined {
  return latestOf(items.filter((v) => v.status === 'approved'));
}

/** The highest release (non-prerelease) of `items`, else the highest prerelease. */
export function latestOf<T extends Versioned>(items: readonly T[]): T | undefined {
  const desc = sortBySemver(items, 'desc');
  return desc.find((v) => semver.prerelease(v.version) === null) ?? desc[0];
}

/**
 * The identity of a version for uniqueness: build metadata does not make a
 * new version (semver.org §10), so 1.0.0+a and 1.0.0+b are the same release.
 */
export function versionKey(version: string): string {
  return semver.parse(version)?.version ?? version;
}
