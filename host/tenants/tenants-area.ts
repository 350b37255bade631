/** Tenants and API keys as one area of the host's lifecycle: their routes, and the flusher of keys' last use. */
import type { Area } from '../foundation/lifecycle.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import { apiKeyRoutes } from './api-key-routes.js';
import type { ApiKeyService } from './api-key-service.js';
import type { LastUsedTracker } from './last-used-tracker.js';
import { tenantRoutes } from './tenant-routes.js';
import type { TenantService } from './tenant-service.js';

export function tenantsArea(deps: {
  readonly tenants: TenantService;
  readonly apiKeys: ApiKeyService;
  readonly lastUsed: LastUsedTracker;
  readonly idempotency: IdempotencyStore;
}): Area {
  return {
    name: 'tenants',
    routes: () => [tenantRoutes(deps), apiKeyRoutes(deps)],
    start: () => deps.lastUsed.start(),
    close: () => deps.lastUsed.stop(),
  };
}
