/**
 * The storage ports of the tenants area. Services take these; the knex
 * repositories (tenant-repository.ts, api-key-repository.ts) implement them.
 * A `tx` runs the call inside that transaction; without one it runs alone.
 */
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { Scope } from '../foundation/scopes.js';
import type { AuthenticatedTenant, Tenant, TenantSettings, TenantStatus } from '../foundation/tenant.js';
import type { TierName } from '../foundation/tiers.js';
import type { Transaction } from '../foundation/transaction.js';
import type { ApiKey } from './api-key.js';

export interface NewTenant {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly ownerEmail: string;
  readonly tier: TierName;
  readonly status: TenantStatus;
  readonly createdAt: Date;
}

export interface TenantChanges {
  readonly name?: string;
  readonly ownerEmail?: string;
  readonly status?: TenantStatus;
  readonly settings?: TenantSettings;
  /** Only billing changes it (TenantService.changeTier), in the subscription's transaction. */
  readonly tier?: TierName;
}

/**
 * Tenants. Tenants are cached per process with their API keys, so an
 * implementation bumps the cache generation after a change commits.
 */
export interface TenantStore {
  /** A taken slug is 409 `conflict`. */
  insert(tenant: NewTenant, tx?: Transaction): Promise<Tenant>;
  /** Insert unless the slug exists; either way answer the stored tenant (idempotent bootstrap). */
  insertIfAbsent(tenant: NewTenant, tx?: Transaction): Promise<Tenant>;
  findById(id: string, tx?: Transaction): Promise<Tenant | null>;
  findBySlug(slug: string): Promise<Tenant | null>;
  /** Oldest first. */
  list(page: PageRequest): Promise<Page<Tenant>>;
  /** `null` when there is no such tenant. */
  update(id: string, changes: TenantChanges, now: Date, tx?: Transaction): Promise<Tenant | null>;
  /** Hold the operator bootstrap's lock until `tx` ends, so concurrent starts bootstrap one at a time. */
  lockBootstrap(tx: Transaction): Promise<void>;
}

export interface NewApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly prefix: string;
  readonly keyHash: string;
  readonly scopes: readonly Scope[];
  readonly expiresAt: Date | null;
  readonly createdAt: Date;
}

/** What authentication needs in one round trip: the key, its hash and its tenant (with its billing cycle). */
export interface KeyCredential {
  readonly key: ApiKey;
  readonly keyHash: string;
  readonly tenant: AuthenticatedTenant;
}

/** API keys. A change to a stored key bumps the cache generation after it commits (a new key changes none). */
export interface ApiKeyStore {
  insert(key: NewApiKey): Promise<ApiKey>;
  /** Insert unless a key with this hash exists; answers whether it inserted. */
  insertIfAbsent(key: NewApiKey, tx?: Transaction): Promise<boolean>;
  /** The key with this SHA-256 hash and its tenant; `null` if unknown. */
  findCredential(keyHash: string): Promise<KeyCredential | null>;
  findById(id: string): Promise<ApiKey | null>;
  /** A tenant's keys (revoked ones too), oldest first. */
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKey>>;
  /** Revoke (idempotent: the first revocation time stays); `null` if there is no such key. */
  revoke(id: string, now: Date): Promise<ApiKey | null>;
  /** How many usable keys with `scope` a tenant has. */
  countUsable(tenantId: string, scope: Scope, now: Date, tx?: Transaction): Promise<number>;
  /** Write a batch of last-use times; never moves a time backwards. */
  recordLastUsed(entries: ReadonlyMap<string, Date>): Promise<void>;
}
