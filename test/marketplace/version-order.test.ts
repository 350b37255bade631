import assert from 'node:assert/strict';
import { latestApproved, sortBySemver } from '../../marketplace/version-order.js';
import type { VersionStatus } from '../../marketplace/version-status.js';

const v = (version: string, status: VersionStatus = 'approved') => ({ version, status });

describe('version order', () => {
  it('should sort by semver with prereleases before their release', () => {
    const sorted = sortBySemver([v('1.10.0'), v('1.2.0'), v('1.0.0'), v('1.0.0-rc.1'), v('1.0.0-alpha'), v('1.0.0-rc.10'), v('1.0.0-rc.2')]);
    assert.deepEqual(sorted.map((x) => x.version), ['1.0.0-alpha', '1.0.0-rc.1', '1.0.0-rc.2', '1.0.0-rc.10', '1.0.0', '1.2.0', '1.10.0']);
    assert.equal(sortBySemver([v('1.0.0'), v('2.0.0')], 'desc')[0]!.version, '2.0.0');
  });

  it('should pick the highest approved release, skipping prereleases and other statuses', () => {
    const versions = [v('1.0.0'), v('1.1.0'), v('2.0.0-beta.1'), v('1.2.0', 'pending_review'), v('1.1.5', 'yanked')];
    assert.equal(latestApproved(versions)?.version, '1.1.0');
  });

  it('should fall back to the highest approved prerelease', () => {
    assert.equal(latestApproved([v('2.0.0-beta.1'), v('2.0.0-beta.2'), v('3.0.0', 'rejected')])?.version, '2.0.0-beta.2');
    assert.equal(latestApproved([v('1.0.0', 'pending_review')]), undefined);
  });
});
