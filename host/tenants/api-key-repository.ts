/**
 * API keys in SQL. Authentication looks a key up by its hash (a unique index
 * makes that one index probe); the API key service caches the answer per
 * process, so every write that changes a stored key bumps the cache
 * generation after it commits (foundation/cache-generation.ts: THE RULE).
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { ApiKey } from './api-key.js';
import type { Scope } from '../foundation/scopes.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import { pageInCreationOrder } from '../foundation/database/creation-order-page.js';
import { type TenantRow, toTenant } from './tenant-repository.js';
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { ApiKeyStore, KeyCredential, NewApiKey } from './ports.js';

/** An `api_keys` row as pg and PGlite return it (text[] comes back as an array). */
interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: Scope[];
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

/** The tenant's columns in the authentication join, prefixed so they do not clash with the key's. */
const TENANT_COLUMNS = ['name', 'slug', 'owner_email', 'tier', 'status', 'settings', 'created_at', 'updated_at'];

/** Reads and writes `api_keys`. */
export class ApiKeyRepository implements ApiKeyStore {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;

  /** `generation`: bumped by every write that changes a stored key (a new key changes none). */
  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>) {
    this.#db = db;
    this.#generation = generation;
  }

  async insert(key: NewApiKey): Promise<ApiKey> {
    const [row] = await this.#db<ApiKeyRow>('api_keys').insert(toRow(key)).returning('*');
    return toApiKey(row as ApiKeyRow);
  }

  /** Insert unless a key with this hash exists; answers whether it inserted. */
  async insertIfAbsent(key: NewApiKey, tx?: Transaction): Promise<boolean> {
    const rows = await knexOf(tx, this.#db)<ApiKeyRow>('api_keys').insert(toRow(key)).onConflict('key_hash').ignore().returning('id');
    return rows.length > 0;
  }

  /**
   * The key with this SHA-256 hash and its tenant, in one indexed query; `null` if unknown.
   * The tenant's subscription (if any) comes in the same query: its billing
   * cycle picks the quota period (foundation/quota-period.ts).
   */
  async findCredential(keyHash: string): Promise<KeyCredential | null> {
    const row = (await this.#db('api_keys as k')
      .join('tenants as t', 't.id', 'k.tenant_id')
      .leftJoin('subscriptions as s', 's.tenant_id', 'k.tenant_id')
      .where('k.key_hash', keyHash)
      .first(
        'k.*',
        ...TENANT_COLUMNS.map((c) => `t.${c} as tenant_${c}`),
        's.billing_anchor as sub_billing_anchor',
        's.current_period_start as sub_current_period_start',
      )) as Record<string, unknown> | undefined;
    if (row === undefined) return null;
    const tenantRow = Object.fromEntries(TENANT_COLUMNS.map((c) => [c, row[`tenant_${c}`]]));
    const key = toApiKey(row as unknown as ApiKeyRow);
    const anchor = row.sub_billing_anchor as Date | null;
    const tenant = toTenant({ ...tenantRow, id: key.tenantId } as unknown as TenantRow);
    return {
      key,
      keyHash: row.key_hash as string,
      tenant: {
        ...tenant,
        billingCycle: anchor === null ? null : { anchor, periodStart: row.sub_current_period_start as Date },
      },
    };
  }

  async findById(id: string): Promise<ApiKey | null> {
    const row = await this.#db<ApiKeyRow>('api_keys').where({ id }).first();
    return row === undefined ? null : toApiKey(row);
  }

  /** A tenant's keys (revoked ones too), oldest first. */
  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKey>> {
    return pageInCreationOrder(this.#db<ApiKeyRow>('api_keys').where({ tenant_id: tenantId }), page, toApiKey);
  }

  /** Revoke (idempotent: the first revocation time stays); `null` if there is no such key. */
  async revoke(id: string, now: Date): Promise<ApiKey | null> {
    const [row] = await this.#db<ApiKeyRow>('api_keys')
      .where({ id })
      .update({ revoked_at: this.#db.raw('coalesce(revoked_at, ?)', [now]) as unknown as Date })
      .returning('*');
    if (row !== undefined) await this.#generation.bump();
    return row === undefined ? null : toApiKey(row as ApiKeyRow);
  }

  /** How many usable keys with `scope` a tenant has (bootstrap: "is there an operator key yet?"). */
  async countUsable(tenantId: string, scope: Scope, now: Date, tx?: Transaction): Promise<number> {
    const row = await knexOf(tx, this.#db)('api_keys')
      .where({ tenant_id: tenantId })
      .whereNull('revoked_at')
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
      .whereRaw('? = any(scopes)', [scope])
      .count<{ count: string | number }[]>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  }

  /**
   * Write a batch of last-use times in one statement. Never moves a time
   * backwards, so flushes from several processes may interleave freely.
   */
  async recordLastUsed(entries: ReadonlyMap<string, Date>): Promise<void> {
    if (entries.size === 0) return;
    const values = [...entries].map(() => '(?::uuid, ?::timestamptz)').join(', ');
    const bindings = [...entries].flatMap(([id, at]) => [id, at]);
    await this.#db.raw(
      `update api_keys as k set last_used_at = v.at from (values ${values}) as v(id, at)
       where k.id = v.id and (k.last_used_at is null or k.last_used_at < v.at)`,
      bindings,
    );
  }
}

function toRow(k: NewApiKey) {
  return {
    id: k.id,
    tenant_id: k.tenantId,
    name: k.name,
    prefix: k.prefix,
    key_hash: k.keyHash,
    scopes: [...k.scopes],
    expires_at: k.expiresAt,
    created_at: k.createdAt,
  };
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  };
}
