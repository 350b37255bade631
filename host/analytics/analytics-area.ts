/** Analytics as one area of the host's lifecycle: its routes, and the rollup and circuit-breaker loops. */
import type { Clock } from '../foundation/clock.js';
import type { Area } from '../foundation/lifecycle.js';
import { analyticsRoutes } from './analytics-routes.js';
import type { Analytics } from './build-analytics.js';

export function analyticsArea(deps: { readonly analytics: Analytics; readonly clock: Clock }): Area {
  return {
    name: 'analytics',
    routes: () => [analyticsRoutes(deps)],
    // Every host runs both loops: they are idempotent, so no coordination is needed.
    start: () => deps.analytics.start(),
    close: () => deps.analytics.stop(),
  };
}
