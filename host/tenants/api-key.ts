/**
 * An API key as stored: everything but the secret, which exists only in the
 * creation answer (docs/http-api.md "Tenants and API keys").
 */
import type { Scope } from '../foundation/scopes.js';

export interface ApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** The first characters of the key (`bzr_1a2b3c4d`), to tell keys apart in lists. */
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
}

/** The list JSON: no secret, no hash. */
export function apiKeyToJson(k: ApiKey) {
  return {
    id: k.id,
    tenantId: k.tenantId,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
  };
}
