/**
 * The append-only audit log of marketplace decisions: who (API key and tenant,
 * or `system`), when, what, on which version, and why. Storage refuses UPDATE
 * and DELETE on it; the repository port has no method for either.
 */
import type { Actor } from './actor.js';
import type { VersionStatus } from './version-status.js';

/** Status decisions, and the release notices that change what tenants see (deprecations, dist-tags). */
export const AUDIT_ACTIONS = [
  'publish', 'approve', 'reject', 'yank', 'auto_approve', 'quarantine', 'deprecate', 'undeprecate', 'dist_tag_set', 'dist_tag_remove',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What a service hands the repository to append. */
export interface AuditEntryInput {
  readonly action: AuditAction;
  readonly actor: Actor;
  readonly plugin: string;
  readonly version: string;
  readonly fromStatus: VersionStatus | null;
  readonly toStatus: VersionStatus | null;
  readonly notes: string | null;
  /** Extra facts (trust score at decision time, threshold, ...). */
  readonly data?: Record<string, unknown>;
}

/** A stored entry, as GET /v1/audit-log answers it. */
export interface AuditEntry {
  readonly id: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly action: AuditAction;
  readonly actor: { readonly type: 'key' | 'system'; readonly keyId: string | null; readonly tenantId: string | null };
  readonly plugin: string;
  readonly version: string;
  readonly fromStatus: VersionStatus | null;
  readonly toStatus: VersionStatus | null;
  readonly notes: string | null;
  readonly data: Record<string, unknown>;
}

/** Builds an entry for a status change. */
export function decisionEntry(
  action: AuditAction,
  actor: Actor,
  target: { name: string; version: string },
  fromStatus: VersionStatus | null,
  toStatus: VersionStatus | null,
  notes: string | null,
  data?: Record<string, unknown>,
): AuditEntryInput {
  return { action, actor, plugin: target.name, version: target.version, fromStatus, toStatus, notes, ...(data ? { data } : {}) };
}
