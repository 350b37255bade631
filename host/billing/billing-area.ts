/** Billing as one area of the host's lifecycle: its routes, and the scheduler closing due billing periods. */
import type { Area } from '../foundation/lifecycle.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import { billingRoutes } from './billing-routes.js';
import type { Billing } from './build-billing.js';

export function billingArea(deps: { readonly billing: Billing; readonly idempotency: IdempotencyStore }): Area {
  return {
    name: 'billing',
    routes: () => [billingRoutes(deps)],
    // Every host runs it: the closer's row locks keep each close exactly once.
    start: () => deps.billing.scheduler.start(),
    // A run in progress still uses the database.
    close: () => deps.billing.scheduler.stop(),
  };
}
