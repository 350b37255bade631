import assert from 'node:assert/strict';
import { isBazaarError } from '../../manifests/errors.js';
import { VERSION_STATUSES, nextStatus, requireTransition, type VersionEvent } from '../../marketplace/version-status.js';

describe('review state machine', () => {
  it('should allow the documented transitions', () => {
    assert.equal(nextStatus('pending_review', 'approve'), 'approved');
    assert.equal(nextStatus('pending_review', 'reject'), 'rejected');
    assert.equal(nextStatus('pending_review', 'yank'), 'yanked');
    assert.equal(nextStatus('approved', 'yank'), 'yanked');
    assert.equal(nextStatus('approved', 'quarantine'), 'quarantined');
    assert.equal(nextStatus('quarantined', 'yank'), 'yanked');
    assert.equal(nextStatus('quarantined', 'approve'), 'approved', 'a reviewer reinstates a quarantined version');
  });

  it('should refuse everything else with 409 conflict', () => {
    const events: VersionEvent[] = ['approve', 'reject', 'yank', 'quarantine'];
    const allowed = new Set(['pending_review:approve', 'pending_review:reject', 'pending_review:yank', 'approved:yank', 'approved:quarantine', 'quarantined:approve', 'quarantined:yank']);
    for (const from of VERSION_STATUSES) {
      for (const event of events) {
        if (allowed.has(`${from}:${event}`)) continue;
        assert.throws(() => requireTransition(from, event), (err: unknown) => isBazaarError(err) && err.code === 'conflict', `${from}:${event}`);
      }
    }
  });

  it('should not let review decisions reach quarantined', () => {
    for (const from of VERSION_STATUSES) {
      assert.notEqual(nextStatus(from, 'approve'), 'quarantined');
      assert.notEqual(nextStatus(from, 'reject'), 'quarantined');
    }
  });
});
