/**
 * API keys: creation (the secret is shown once), listing, revocation and the
 * per-request authentication that turns a bearer key into a `Principal`.
 */
import { randomUUID } from 'node:crypto';
import { BazaarError } from '../../manifests/errors.js';
import { canAccessTenant, type Principal } from '../foundation/principal.js';
import type { Scope } from '../foundation/scopes.js';
import type { Clock } from '../foundation/clock.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { ApiKeyStore, KeyCredential, TenantStore } from './ports.js';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { GenerationCache } from '../foundation/generation-cache.js';
import { type AuthenticatedTenant, OPERATOR_SLUG } from '../foundation/tenant.js';
import type { ApiKey } from './api-key.js';
import { generateApiKey, hashApiKey, hashesEqual, isApiKeyFormat, keyPrefix } from './api-key-secret.js';
import type { LastUsedTracker } from './last-used-tracker.js';

export interface CreateApiKeyInput {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly expiresAt?: string | null;
}

/** The creation answer: the only time `key` is ever seen. */
export interface CreatedApiKey {
  readonly apiKey: ApiKey;
  readonly key: string;
}

/** A successful authentication: who, and their tenant as of this request. */
export interface Authenticated {
  readonly principal: Principal;
  readonly tenant: AuthenticatedTenant;
  /**
   * Set when the key came from this process's cache: the generation it was
   * read under. The request must re-check it once the rate limit has read the
   * shared generation (tenants/auth.ts `credentialCheck`).
   */
  readonly cachedUnder?: number;
}

/** A use is recorded at most once a minute per key: `lastUsedAt` needs no finer grain. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyServiceDeps {
  readonly apiKeys: ApiKeyStore;
  readonly tenants: Pick<TenantStore, 'findById'>;
  readonly lastUsed: LastUsedTracker;
  readonly clock: Clock;
  /** Validates the per-process cache of keys with their tenants; without it nothing is cached. */
  readonly generation?: CacheGeneration;
}

export class ApiKeyService {
  readonly #deps: ApiKeyServiceDeps;
  /** Key hash → the key and its tenant (never the secret itself). */
  readonly #credentials: GenerationCache<string, KeyCredential> | undefined;

  constructor(deps: ApiKeyServiceDeps) {
    this.#deps = deps;
    this.#credentials = deps.generation === undefined ? undefined : new GenerationCache({ generation: deps.generation, clock: deps.clock });
  }

  /**
   * Resolve a bearer key to its principal: 401 `unauthorized` for an unknown,
   * malformed, revoked or expired key (one code, so no oracle on which), 403
   * `tenant_suspended` when its tenant is suspended. `fresh` skips the cache.
   */
  async authenticate(rawKey: string, options: { fresh?: boolean } = {}): Promise<Authenticated> {
    if (!isApiKeyFormat(rawKey)) throw new BazaarError('unauthorized');
    const hash = hashApiKey(rawKey);
    const hit = options.fresh === true ? undefined : this.#credentials?.get(hash);
    if (hit !== undefined) {
      try {
        return { ...this.#check(hit.value, hash), cachedUnder: hit.generation };
      } catch {
        // A refusal from a possibly stale entry must not stand (a reactivated tenant): read it again.
      }
    }
    const generation = this.#deps.generation?.current() ?? null;
    const found = await this.#deps.apiKeys.findCredential(hash);
    // Stored under the generation read before the query: a write committed meanwhile outdates it.
    if (found !== null && generation !== null) this.#credentials?.set(hash, found, generation);
    return this.#check(found, hash);
  }

  #check(found: KeyCredential | null, hash: string): Authenticated {
    const now = this.#deps.clock.now();
    if (found === null || !hashesEqual(found.keyHash, hash)) throw new BazaarError('unauthorized');
    const { key, tenant } = found;
    if (key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) {
      throw new BazaarError('unauthorized');
    }
    // A churned tenant has left: its keys are dead, not merely paused.
    if (tenant.status === 'churned') throw new BazaarError('unauthorized');
    if (tenant.status === 'suspended') throw new BazaarError('tenant_suspended');
    this.#noteUse(key, now);
    return { principal: { keyId: key.id, tenantId: key.tenantId, scopes: key.scopes }, tenant };
  }

  /** Create a key for tenant `tenantId` (operator only; the route checks the scope). */
  async create(tenantId: string, input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const tenant = await this.#deps.tenants.findById(tenantId);
    if (tenant === null) throw new BazaarError('not_found', 'No such tenant.');
    if (input.scopes.includes('admin') && tenant.slug !== OPERATOR_SLUG) {
      // `admin` is the operator: granting it to a customer would make them one.
      throw new BazaarError('invalid_request', 'The admin scope is only for keys of the operator tenant.');
    }
    const now = this.#deps.clock.now();
    const expiresAt = input.expiresAt == null ? null : new Date(input.expiresAt);
    if (expiresAt !== null && expiresAt <= now) {
      throw new BazaarError('invalid_request', 'expiresAt must be in the future.');
    }
    const key = generateApiKey();
    const apiKey = await this.#deps.apiKeys.insert({
      id: randomUUID(),
      tenantId,
      name: input.name,
      prefix: keyPrefix(key),
      keyHash: hashApiKey(key),
      scopes: [...new Set(input.scopes)],
      expiresAt,
      createdAt: now,
    });
    return { apiKey, key };
  }

  /** A tenant's keys, without secrets; the operator or the tenant itself. */
  async list(principal: Principal, tenantId: string, page: PageRequest): Promise<Page<ApiKey>> {
    if (!canAccessTenant(principal, tenantId) || (await this.#deps.tenants.findById(tenantId)) === null) {
      throw new BazaarError('not_found', 'No such tenant.');
    }
    const result = await this.#deps.apiKeys.listByTenant(tenantId, page);
    // Show this process's not-yet-flushed uses, so lists do not lag behind by a flush interval.
    return { ...result, items: result.items.map((k) => this.#withPendingUse(k)) };
  }

  /** Revoke a key: it stops working on the next request, on every host process. */
  async revoke(principal: Principal, keyId: string): Promise<void> {
    const key = await this.#deps.apiKeys.findById(keyId);
    if (key === null || !canAccessTenant(principal, key.tenantId)) throw new BazaarError('not_found', 'No such API key.');
    await this.#deps.apiKeys.revoke(keyId, this.#deps.clock.now());
  }

  #noteUse(key: ApiKey, now: Date): void {
    const last = this.#withPendingUse(key).lastUsedAt;
    if (last === null || now.getTime() - last.getTime() >= LAST_USED_RESOLUTION_MS) {
      this.#deps.lastUsed.record(key.id, now);
    }
  }

  #withPendingUse(key: ApiKey): ApiKey {
    const pending = this.#deps.lastUsed.pending(key.id);
    return pending !== undefined && (key.lastUsedAt === null || key.lastUsedAt < pending)
      ? { ...key, lastUsedAt: pending }
      : key;
  }
}
