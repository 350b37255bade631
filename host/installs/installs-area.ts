/**
 * Installs as one area of the host's lifecycle: their routes, their rollouts'
 * and shadow runs' routes, and the rollout breaker's loop (idempotent, so every host runs it).
 */
import type { Config } from '../foundation/config.js';
import type { Area } from '../foundation/lifecycle.js';
import type { Logger } from '../foundation/logger.js';
import { PeriodicTask } from '../foundation/periodic-task.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import { installRoutes } from './install-routes.js';
import type { InstallService } from './install-service.js';
import type { RolloutBreaker } from './rollout-breaker.js';
import { rolloutRoutes } from './rollout-routes.js';
import { shadowRoutes } from './shadow-routes.js';

export interface InstallsAreaDeps {
  readonly installs: InstallService;
  readonly idempotency: IdempotencyStore;
  readonly rolloutBreaker: RolloutBreaker;
  readonly config: Pick<Config, 'circuitBreaker'>;
  readonly logger: Logger;
}

export function installsArea(deps: InstallsAreaDeps): Area {
  const { enabled, checkIntervalMs } = deps.config.circuitBreaker;
  const loop = enabled
    ? new PeriodicTask({ name: 'rollout breaker', intervalMs: checkIntervalMs, run: () => deps.rolloutBreaker.checkOnce(), logger: deps.logger })
    : null;
  return {
    name: 'installs',
    routes: () => [installRoutes(deps), rolloutRoutes({ rollouts: deps.installs.rollouts }), shadowRoutes({ shadows: deps.installs.shadows })],
    start: () => loop?.start(),
    close: async () => {
      await loop?.stop();
    },
  };
}
