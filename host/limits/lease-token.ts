/**
 * Concurrency lease tokens: `<tenant digest>.<random id>`. The token alone
 * finds its tenant's lease set, so `release(token)` needs nothing else, and it
 * carries no raw tenant id (see limit-keys.ts).
 */
import { randomUUID } from 'node:crypto';
import { tenantDigest } from './limit-keys.js';

/** A new, unguessable token for a lease of `tenantId`. */
export function newLeaseToken(tenantId: string): string {
  return `${tenantDigest(tenantId)}.${randomUUID()}`;
}

const TOKEN = /^([A-Za-z0-9_-]{43})\.[0-9a-f-]{36}$/;

/** The tenant digest a token belongs to, or `null` for anything that is not one of our tokens. */
export function leaseTokenTenant(token: string): string | null {
  const match = typeof token === 'string' ? TOKEN.exec(token) : null;
  return match?.[1] ?? null;
}
