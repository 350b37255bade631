/**
 * Start-up bootstrap of the operator
 * (docs/http-api.md "Authentication and scopes"): the `operator` tenant exists,
 * and it has an `admin` key: `BAZAAR_ADMIN_KEY` when set (registered hashed),
 * otherwise one generated on the very first start and handed back so the server
 * prints it once.
 *
 * Idempotent across restarts and across several processes starting at once on
 * one PostgreSQL: the whole check-then-insert runs in one transaction under a
 * transaction-scoped advisory lock, so exactly one process creates the key.
 */
import { randomUUID } from 'node:crypto';
import { generateApiKey, hashApiKey, keyPrefix } from './api-key-secret.js';
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { Logger } from '../foundation/logger.js';
import { OPERATOR_SLUG, type Tenant } from '../foundation/tenant.js';
import type { Transactor } from '../foundation/transaction.js';
import type { ApiKeyStore, TenantStore } from './ports.js';

export interface BootstrapResult {
  readonly operator: Tenant;
  /** The generated admin key, only on the start that created it; print it once, store it nowhere. */
  readonly generatedKey: string | null;
}

export interface BootstrapDeps {
  readonly db: Transactor;
  readonly repositories: {
    readonly tenants: Pick<TenantStore, 'insertIfAbsent' | 'lockBootstrap'>;
    readonly apiKeys: Pick<ApiKeyStore, 'countUsable' | 'insertIfAbsent' | 'findCredential'>;
  };
  readonly clock: Clock;
  readonly config: Config;
  readonly logger: Logger;
}

export async function bootstrapOperator(deps: BootstrapDeps): Promise<BootstrapResult> {
  const { tenants, apiKeys } = deps.repositories;
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    await tenants.lockBootstrap(tx);
    const operator = await tenants.insertIfAbsent(
      {
        id: randomUUID(),
        name: 'Operator',
        slug: OPERATOR_SLUG,
        ownerEmail: 'operator@localhost',
        tier: 'enterprise',
        status: 'active',
        createdAt: now,
      },
      tx,
    );
    const configured = deps.config.adminKey;
    if (configured === null && (await apiKeys.countUsable(operator.id, 'admin', now, tx)) > 0) {
      return { operator, generatedKey: null, inserted: false };
    }
    const key = configured ?? generateApiKey();
    const inserted = await apiKeys.insertIfAbsent(
      {
        id: randomUUID(),
        tenantId: operator.id,
        name: configured === null ? 'bootstrap admin key' : 'BAZAAR_ADMIN_KEY',
        prefix: keyPrefix(key),
        keyHash: hashApiKey(key),
        scopes: ['admin'],
        expiresAt: null,
        createdAt: now,
      },
      tx,
    );
    return { operator, generatedKey: configured === null ? key : null, inserted };
  });
  if (deps.config.adminKey !== null && !result.inserted) await warnIfUnusable(deps, deps.config.adminKey);
  return { operator: result.operator, generatedKey: result.generatedKey };
}

/** A configured key registered earlier may have been revoked since: it stays revoked, but say so. */
async function warnIfUnusable(deps: Pick<BootstrapDeps, 'repositories' | 'logger'>, key: string): Promise<void> {
  const found = await deps.repositories.apiKeys.findCredential(hashApiKey(key));
  if (found !== null && (found.key.revokedAt !== null || found.tenant.slug !== OPERATOR_SLUG)) {
    deps.logger.warn({ keyId: found.key.id }, 'BAZAAR_ADMIN_KEY is revoked or not an operator key; set a new one');
  }
}
