/**
 * Version statuses and the review state machine. The table below is the only
 * place that says which status may follow which; everything else asks it.
 *
 *   pending_review ──approve──▶ approved ──yank──▶ yanked
 *        │ └──reject──▶ rejected        │
 *        └──yank──▶ yanked              └──quarantine──▶ quarantined ──yank──▶ yanked
 *                                                 ▲                 │
 *                                                 └─────approve─────┘ (reinstate)
 *
 * `quarantine` is reserved for the execution circuit breaker (host/analytics):
 * no review decision reaches it. A reviewer reinstates a quarantined version
 * by approving it. `yanked` and `rejected` are final, because a
 * published name@version is immutable forever.
 */
import { BazaarError } from '../manifests/errors.js';

export const VERSION_STATUSES = ['pending_review', 'approved', 'rejected', 'yanked', 'quarantined'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** What can happen to a version. */
export type VersionEvent = 'approve' | 'reject' | 'yank' | 'quarantine';

const TRANSITIONS: Readonly<Record<VersionStatus, Partial<Record<VersionEvent, VersionStatus>>>> = {
  pending_review: { approve: 'approved', reject: 'rejected', yank: 'yanked' },
  approved: { yank: 'yanked', quarantine: 'quarantined' },
  quarantined: { approve: 'approved', yank: 'yanked' },
  rejected: {},
  yanked: {},
};

/** The status after `event`, or undefined when the event is illegal in `from`. */
export function nextStatus(from: VersionStatus, event: VersionEvent): VersionStatus | undefined {
  return TRANSITIONS[from][event];
}

/** Like nextStatus, but an illegal transition throws 409 `conflict`. */
export function requireTransition(from: VersionStatus, event: VersionEvent): VersionStatus {
  const to = nextStatus(from, event);
  if (to === undefined) {
    throw new BazaarError('conflict', `A version that is ${from} cannot be ${event === 'yank' ? 'yanked' : `${event}d`}.`, {
      status: from,
      event,
    });
  }
  return to;
}
