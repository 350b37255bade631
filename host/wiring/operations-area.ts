/** The host's own operations as an area: probes, `/metrics` and the OpenAPI document, all before authentication. */
import type { Area } from '../foundation/lifecycle.js';
import { type HealthDeps, healthRoutes } from './health-routes.js';
import { openapiRoutes } from './openapi-routes.js';

export function operationsArea(deps: HealthDeps): Area {
  return { name: 'operations', publicRoutes: () => [healthRoutes(deps), openapiRoutes()] };
}
