/**
 * Who may see a version. Approved versions are public; any other status is
 * visible only to the publisher tenant, reviewers and the operator. Everyone
 * else gets 404, exactly as if the version did not exist (no existence oracle).
 */
import { BazaarError } from '../manifests/errors.js';
import { isPublisherOf, isReviewer, type Actor } from './actor.js';
import type { PluginVersionRecord } from './ports.js';

export function canSeeVersion(viewer: Actor | undefined, record: Pick<PluginVersionRecord, 'name' | 'status' | 'publisherTenantId'>): boolean {
  if (record.status === 'approved') return true;
  if (isReviewer(viewer)) return true;
  return viewer?.kind === 'key' && (viewer.tenantId === record.publisherTenantId || isPublisherOf(viewer, record.name));
}

export function notFound(what: string): BazaarError<'not_found'> {
  return new BazaarError('not_found', `${what} was not found.`);
}

/** The record if `viewer` may see it; otherwise the same 404 as a missing one. */
export function requireVisible<T extends PluginVersionRecord>(viewer: Actor | undefined, record: T | null, what: string): T {
  if (record === null || !canSeeVersion(viewer, record)) throw notFound(what);
  return record;
}
