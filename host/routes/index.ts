/**
 * Every router of the host, assembled in one place. To add an area, write
 * `routes/<resource>.ts` exporting `<resource>Routes(deps: Pick<AppDeps, ...>)`
 * and add one line to `apiRoutes` below.
 */
import type { AppRouter } from '../app-state.js';
import type { AppDeps } from '../deps.js';
import { apiKeyRoutes } from './api-keys.js';
import { billingRoutes } from './billing.js';
import { healthRoutes } from './health.js';
import { openapiRoutes } from './openapi.js';
import { tenantRoutes } from './tenants.js';
import { executionRoutes } from './executions.js';
import { usageRoutes } from './usage.js';
import { executeRoutes } from './execute.js';
import { installRoutes } from './installs.js';
import { packageRoutes } from './packages.js';
import { pluginRoutes } from './plugins.js';
import { reviewRoutes } from './reviews.js';
import { ratingRoutes } from './ratings.js';
import { analyticsRoutes } from './analytics.js';
import { consoleApiRoutes } from '../console/console-api-routes.js';
import { consoleRoutes } from '../console/console-routes.js';
import { webhookRoutes } from './webhooks.js';

/** Mounted before body parsing and authentication: probes and other keyless operations. */
export function operationRoutes(deps: AppDeps): AppRouter[] {
  // console: public pages; their data comes from the API with the user's key.
  return [healthRoutes(deps), consoleRoutes(), openapiRoutes()];
}

/** Mounted after body parsing and `authenticate`; guard each route with `requireScope`. */
export function apiRoutes(deps: AppDeps): AppRouter[] {
  return [
    tenantRoutes(deps),
    apiKeyRoutes(deps),
    packageRoutes(deps),
    pluginRoutes(deps),
    ratingRoutes(deps),
    reviewRoutes(deps),
    executionRoutes(deps),
    usageRoutes(deps),
    installRoutes(deps),
    executeRoutes(deps),
    billingRoutes(deps),
    analyticsRoutes(deps),
    consoleApiRoutes(deps), // console: GET /v1/me, /v1/me/plugins, /v1/plugins/:name/versions/:version/files
    webhookRoutes(deps),
  ];
}
