/**
 * Tenant rules: creation, the operator-or-self visibility rule (another
 * tenant's resources are 404, never 403), settings with tier defaults, and
 * suspension. Routes call one method each; the operator-only endpoints are
 * guarded by `requireScope('admin')` before they get here.
 */
import { randomUUID } from 'node:crypto';
import { BazaarError } from '../../manifests/errors.js';
import { canAccessTenant, isOperator, type Principal } from '../foundation/principal.js';
import type { Clock } from '../foundation/clock.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { TenantChanges, TenantStore } from './ports.js';
import type { TierName, TierTable } from '../foundation/tiers.js';
import { type EffectiveSettings, OPERATOR_SLUG, type Tenant, type TenantSettings, type TenantStatus } from '../foundation/tenant.js';
import type { CreateTenantInput, UpdateTenantInput } from './tenant-schemas.js';
import { effectiveSettings } from '../foundation/tenant-settings.js';
import type { Transaction, Transactor } from '../foundation/transaction.js';

export interface TenantServiceDeps {
  readonly tenants: TenantStore;
  readonly tiers: TierTable;
  readonly clock: Clock;
  /**
   * Runs in the creating transaction (billing starts the subscription there),
   * so a tenant never exists without it. Needs `db` to open that transaction.
   */
  readonly onCreated?: (tenant: Tenant, tx: Transaction) => Promise<void>;
  readonly db?: Transactor;
}

export class TenantService {
  readonly #deps: TenantServiceDeps;

  constructor(deps: TenantServiceDeps) {
    this.#deps = deps;
  }

  /** New tenants start `active` on `free` unless told otherwise; trials are billing's to start. */
  async create(input: CreateTenantInput): Promise<Tenant> {
    const tenant = {
      id: randomUUID(),
      name: input.name.trim(),
      slug: input.slug,
      ownerEmail: input.ownerEmail,
      tier: input.tier ?? 'free',
      status: 'active',
      createdAt: this.#deps.clock.now(),
    } as const;
    const { db, onCreated } = this.#deps;
    if (db === undefined || onCreated === undefined) return this.#deps.tenants.insert(tenant);
    return db.transaction(async (tx) => {
      const created = await this.#deps.tenants.insert(tenant, tx);
      await onCreated(created, tx);
      return created;
    });
  }

  /**
   * Move a tenant to `tier`: billing's alone (the subscription decides the
   * tier), inside the transaction that changes the subscription.
   */
  async changeTier(id: string, tier: TierName, tx: Transaction): Promise<Tenant> {
    const saved = await this.#deps.tenants.update(id, { tier }, this.#deps.clock.now(), tx);
    if (saved === null) throw new BazaarError('not_found', 'No such tenant.');
    return saved;
  }

  list(page: PageRequest): Promise<Page<Tenant>> {
    return this.#deps.tenants.list(page);
  }

  /** One tenant, for the operator or for the tenant's own keys; anything else is 404. */
  async get(principal: Principal, id: string): Promise<Tenant> {
    const tenant = canAccessTenant(principal, id) ? await this.#deps.tenants.findById(id) : null;
    if (tenant === null) throw new BazaarError('not_found', 'No such tenant.');
    return tenant;
  }

  async update(id: string, input: UpdateTenantInput): Promise<Tenant> {
    const changes: TenantChanges = {
      ...(input.name === undefined ? {} : { name: input.name.trim() }),
      ...(input.ownerEmail === undefined ? {} : { ownerEmail: input.ownerEmail }),
    };
    return this.#save(id, changes);
  }

  async getSettings(principal: Principal, id: string): Promise<EffectiveSettings> {
    const tenant = await this.get(principal, id);
    return effectiveSettings(tenant, this.#deps.tiers);
  }

  /**
   * Replace the settings sections given. `limits` override the tier and are
   * the operator's alone: a tenant sending them gets 403 `forbidden`.
   */
  async putSettings(principal: Principal, id: string, input: TenantSettings): Promise<EffectiveSettings> {
    const tenant = await this.get(principal, id);
    if (input.limits !== undefined && !isOperator(principal)) {
      throw new BazaarError('forbidden', 'Only the operator may change limits.');
    }
    const settings: TenantSettings = { ...tenant.settings, ...input };
    const saved = await this.#save(id, { settings });
    return effectiveSettings(saved, this.#deps.tiers);
  }

  /** Suspend: every key of the tenant answers 403 `tenant_suspended` from the next request on. */
  async suspend(id: string): Promise<Tenant> {
    return this.#setStatus(id, 'suspended');
  }

  /** Back to `active`, whatever the status before suspension was. */
  async reactivate(id: string): Promise<Tenant> {
    return this.#setStatus(id, 'active');
  }

  async #setStatus(id: string, status: TenantStatus): Promise<Tenant> {
    const tenant = await this.#deps.tenants.findById(id);
    if (tenant === null) throw new BazaarError('not_found', 'No such tenant.');
    if (tenant.slug === OPERATOR_SLUG && status === 'suspended') {
      // Suspending the operator would lock everyone out of the admin API.
      throw new BazaarError('conflict', 'The operator tenant cannot be suspended.');
    }
    return tenant.status === status ? tenant : this.#save(id, { status });
  }

  async #save(id: string, changes: TenantChanges): Promise<Tenant> {
    const saved = await this.#deps.tenants.update(id, changes, this.#deps.clock.now());
    if (saved === null) throw new BazaarError('not_found', 'No such tenant.');
    return saved;
  }
}
