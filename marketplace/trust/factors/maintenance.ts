/**
 * Maintenance of the plugin as a whole, seen from one version: release
 * cadence, time since the last release, semver hygiene, and yanked or
 * rejected versions. It changes when another version of the same plugin is
 * published or yanked, which is why publishing recomputes its siblings.
 */
import semver from 'semver';
import { sortBySemver } from '../../version-order.js';
import type { VersionStatus } from '../../version-status.js';
import { FactorBuilder, type FactorResult } from '../factor-result.js';

export const MAINTENANCE_BASELINE = 70;
const DAY_MS = 86_400_000;

export interface ReleaseInfo {
  readonly version: string;
  readonly status: VersionStatus;
  /** ISO-8601. */
  readonly publishedAt: string;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `version` is the one being scored; `releases` are all versions of the plugin (it included). */
export function maintenanceFactor(version: string, releases: readonly ReleaseInfo[], now: Date): FactorResult {
  const b = new FactorBuilder('maintenance', MAINTENANCE_BASELINE, `starts at ${MAINTENANCE_BASELINE}`);
  const byTime = [...releases].sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt));
  const last = byTime[byTime.length - 1];
  const sinceLast = last ? (now.getTime() - Date.parse(last.publishedAt)) / DAY_MS : 0;
  if (sinceLast <= 180) b.add('recent-release', `last release ${Math.floor(sinceLast)} day(s) ago`, 10);
  else if (sinceLast <= 365) b.add('aging-release', `last release ${Math.floor(sinceLast)} days ago`, 0);
  else b.add('stale', `no release for ${Math.floor(sinceLast)} days`, sinceLast > 730 ? -30 : -15, 'low');

  if (byTime.length >= 3) {
    const gaps = byTime.slice(1).map((r, i) => (Date.parse(r.publishedAt) - Date.parse(byTime[i]!.publishedAt)) / DAY_MS);
    const cadence = median(gaps);
    b.add('release-cadence', `${byTime.length} releases, a median of ${cadence.toFixed(1)} day(s) apart`, cadence <= 120 ? 10 : 5);
  } else {
    b.add('release-cadence', `${byTime.length} release(s): too few to judge a cadence`, 0);
  }

  const parsed = semver.parse(version);
  if (parsed && parsed.major === 0) b.add('pre-1.0', `${version} is before 1.0.0: its API may change at any release`, -5, 'info');
  if (parsed && parsed.prerelease.length > 0) b.add('prerelease', `${version} is a prerelease`, -5, 'info');
  const previous = sortBySemver(releases.filter((r) => r.version !== version && semver.lt(r.version, version)), 'desc')[0];
  if (previous && parsed && semver.major(previous.version) > 0 && parsed.major > semver.major(previous.version) + 1) {
    b.add('version-jump', `jumps from ${previous.version} to ${version}, skipping majors`, -5, 'info');
  }

  const yanked = releases.filter((r) => r.status === 'yanked').length;
  const rejected = releases.filter((r) => r.status === 'rejected').length;
  if (yanked > 0) b.add('yanked-versions', `${yanked} version(s) of this plugin were yanked`, -Math.min(30, 10 * yanked), 'low');
  if (rejected > 0) b.add('rejected-versions', `${rejected} version(s) of this plugin were rejected in review`, -Math.min(15, 5 * rejected), 'info');
  return b.result();
}
