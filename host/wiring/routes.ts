/**
 * Every router of the host, from the areas' list (build-deps.ts), in its
 * order. To add routes, add them to their area's `routes()` (or
 * `publicRoutes()` for keyless ones) in `host/<area>/<area>-area.ts`.
 */
import type { AppRouter } from '../foundation/app-state.js';
import type { AppDeps } from './deps.js';

/** Mounted before body parsing and authentication: probes, the console's pages, the OpenAPI document. */
export function operationRoutes(deps: Pick<AppDeps, 'areas'>): AppRouter[] {
  return deps.areas.flatMap((area) => area.publicRoutes?.() ?? []);
}

/** Mounted after body parsing, `authenticate` and the rate limit; each route guards itself with `requireScope`. */
export function apiRoutes(deps: Pick<AppDeps, 'areas'>): AppRouter[] {
  return deps.areas.flatMap((area) => area.routes?.() ?? []);
}
