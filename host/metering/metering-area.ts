/** Metering as one area of the host's lifecycle (foundation/lifecycle.ts): `GET /v1/usage`, and the usage recorder flushed at close. */
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { Area } from '../foundation/lifecycle.js';
import type { MeteringDeps } from './build-metering.js';
import { usageRoutes } from './usage-routes.js';

export function meteringArea(metering: MeteringDeps, deps: { readonly config: Config; readonly clock: Clock }): Area {
  return {
    name: 'metering',
    routes: () => [usageRoutes({ usageRepository: metering.usageRepository, config: deps.config, clock: deps.clock })],
    // Queued usage records are written while the database is still open (it closes after).
    close: () => metering.usage.close(),
  };
}
