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
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { NewTenant, TenantChanges, TenantStore } from './ports.js';

/** Arbitrary constant naming "the bootstrap" among Postgres advisory locks. */
const BOOTSTRAP_LOCK_ID = 0x62_7a_72_01;

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

/**
 * Reads and writes `tenants`. Tenants are cached per process with their API
 * keys: every method that changes a stored tenant (status, settings, tier...)
 * must bump the cache generation after it commits (foundation/cache-generation.ts).
 */
export class TenantRepository implements TenantStore {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;

  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>) {
    this.#db = db;
    this.#generation = generation;
  }

  /** Insert a tenant (in `tx` when given); a taken slug is 409 `conflict`. */
  async insert(tenant: NewTenant, tx?: Transaction): Promise<Tenant> {
    try {
      const [row] = await knexOf(tx, this.#db)('tenants').insert(toRow(tenant)).returning('*');
      return toTenant(row as TenantRow);
    } catch (err) {
      if (isUniqueViolation(err)) throw new BazaarError('conflict', `The slug "${tenant.slug}" is taken.`);
      throw err;
    }
  }

  /** Insert unless the slug exists; either way answer the stored tenant (idempotent bootstrap). */
  async insertIfAbsent(tenant: NewTenant, tx?: Transaction): Promise<Tenant> {
    const trx = knexOf(tx, this.#db);
    await trx('tenants').insert(toRow(tenant)).onConflict('slug').ignore();
    const row = await trx<TenantRow>('tenants').where({ slug: tenant.slug }).first();
    if (row === undefined) throw new Error(`tenant ${tenant.slug} vanished after insert`);
    return toTenant(row);
  }

  async findById(id: string, tx?: Transaction): Promise<Tenant | null> {
    const row = await knexOf(tx, this.#db)<TenantRow>('tenants').where({ id }).first();
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

  /** Apply changes (in `tx` when given); answers `null` when there is no such tenant. */
  async update(id: string, changes: TenantChanges, now: Date, tx?: Transaction): Promise<Tenant | null> {
    const trx = knexOf(tx, this.#db);
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

  /** A transaction-scoped advisory lock: released by the COMMIT or ROLLBACK. */
  async lockBootstrap(tx: Transaction): Promise<void> {
    await knexOf(tx).raw('select pg_advisory_xact_lock(?)', [BOOTSTRAP_LOCK_ID]);
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
