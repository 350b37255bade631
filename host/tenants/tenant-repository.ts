/**
 * Tenants in SQL. Rows are typed as they come out of the database and mapped to
 * `Tenant` domain objects here, so nothing above this file sees snake_case.
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { BazaarError } from '../../manifests/errors.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import { pageInCreationOrder } from '../foundation/database/creation-order-page.js';
import type { Tenant, TenantSettings, TenantStatus } from '../foundation/tenant.js';
import type { TierName } from '../foundation/tiers.js';
import { afterCommit, isUniqueViolation } from '../foundation/database/database.js';

/** A `tenants` row as pg and PGlite return it. */
export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  owner_email: string;
  tier: TierName;
  status: TenantStatus;
  settings: TenantSettings;
  created_at: Date;
  updated_at: Date;
}

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
 * Reads and writes `tenants`. Tenants are cached per process with their API
 * keys: every method that changes a stored tenant (status, settings, tier...)
 * must bump the cache generation after it commits (foundation/cache-generation.ts).
 */
export class TenantRepository {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;

  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>) {
    this.#db = db;
    this.#generation = generation;
  }

  /** Insert a tenant (in `trx` when given); a taken slug is 409 `conflict`. */
  async insert(tenant: NewTenant, trx: Knex = this.#db): Promise<Tenant> {
    try {
      const [row] = await trx('tenants').insert(toRow(tenant)).returning('*');
      return toTenant(row as TenantRow);
    } catch (err) {
      if (isUniqueViolation(err)) throw new BazaarError('conflict', `The slug "${tenant.slug}" is taken.`);
      throw err;
    }
  }

  /** Insert unless the slug exists; either way answer the stored tenant (idempotent bootstrap). */
  async insertIfAbsent(tenant: NewTenant, trx: Knex = this.#db): Promise<Tenant> {
    await trx('tenants').insert(toRow(tenant)).onConflict('slug').ignore();
    const row = await trx<TenantRow>('tenants').where({ slug: tenant.slug }).first();
    if (row === undefined) throw new Error(`tenant ${tenant.slug} vanished after insert`);
    return toTenant(row);
  }

  async findById(id: string, trx: Knex = this.#db): Promise<Tenant | null> {
    const row = await trx<TenantRow>('tenants').where({ id }).first();
    return row === undefined ? null : toTenant(row);
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    const row = await this.#db<TenantRow>('tenants').where({ slug }).first();
    return row === undefined ? null : toTenant(row);
  }

  /** Tenants oldest first, keyset-paginated on (created_at, id). */
  async list(page: PageRequest): Promise<Page<Tenant>> {
    return pageInCreationOrder(this.#db<TenantRow>('tenants'), page, toTenant);
  }

  /** Apply changes (in `trx` when given); answers `null` when there is no such tenant. */
  async update(id: string, changes: TenantChanges, now: Date, trx: Knex = this.#db): Promise<Tenant | null> {
    const patch: Partial<TenantRow> = { updated_at: now };
    if (changes.name !== undefined) patch.name = changes.name;
    if (changes.ownerEmail !== undefined) patch.owner_email = changes.ownerEmail;
    if (changes.status !== undefined) patch.status = changes.status;
    if (changes.tier !== undefined) patch.tier = changes.tier;
    // jsonb: pass JSON text, since pg would turn a JS array into a Postgres array literal.
    const values = changes.settings === undefined ? patch : { ...patch, settings: JSON.stringify(changes.settings) };
    const [row] = await trx('tenants').where({ id }).update(values).returning('*');
    if (row !== undefined) await afterCommit(trx, () => this.#generation.bump());
    return row === undefined ? null : toTenant(row as TenantRow);
  }
}

function toRow(t: NewTenant) {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    owner_email: t.ownerEmail,
    tier: t.tier,
    status: t.status,
    settings: JSON.stringify({}),
    created_at: t.createdAt,
    updated_at: t.createdAt,
  };
}

/** Map a row to the domain object (also used by joins in other repositories). */
export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    ownerEmail: row.owner_email,
    tier: row.tier,
    status: row.status,
    settings: row.settings ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
