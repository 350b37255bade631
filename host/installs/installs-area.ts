/** Installs as one area of the host's lifecycle: their routes (nothing runs in the background). */
import type { Area } from '../foundation/lifecycle.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import { installRoutes } from './install-routes.js';
import type { InstallService } from './install-service.js';

export function installsArea(deps: { readonly installs: InstallService; readonly idempotency: IdempotencyStore }): Area {
  return { name: 'installs', routes: () => [installRoutes(deps)] };
}
