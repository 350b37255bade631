/**
 * Metering as one area of the host's lifecycle (foundation/lifecycle.ts): `GET /v1/usage`, the
 * hourly purge of expired idempotency keys, and the usage recorder flushed at close.
 */
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { Area } from '../foundation/lifecycle.js';
import type { Logger } from '../foundation/logger.js';
import { PeriodicTask } from '../foundation/periodic-task.js';
import type { MeteringDeps } from './build-metering.js';
import { usageRoutes } from './usage-routes.js';

/** Keys live for a day; an hourly purge keeps the table near that without busying the database. */
const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

export function meteringArea(metering: MeteringDeps, deps: { readonly config: Config; readonly clock: Clock; readonly logger: Logger }): Area {
  // Every host runs it: a key deleted twice is harmless.
  const idempotencyPurge = new PeriodicTask({
    name: 'idempotency keys: purge expired',
    intervalMs: IDEMPOTENCY_PURGE_INTERVAL_MS,
    run: () => metering.idempotency.purgeExpired(),
    logger: deps.logger,
  });
  return {
    name: 'metering',
    routes: () => [usageRoutes({ usageRepository: metering.usageRepository, config: deps.config, clock: deps.clock })],
    start: () => idempotencyPurge.start(),
    // Queued usage records are written while the database is still open (it closes after).
    close: async () => {
      await idempotencyPurge.stop();
      await metering.usage.close();
    },
  };
}
