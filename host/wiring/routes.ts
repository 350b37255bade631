/**
 * Every router of the host, assembled in one place. To add an area, write
 * `routes/<resource>.ts` exporting `<resource>Routes(deps: Pick<AppDeps, ...>)`
 * and add one line to `apiRoutes` below.
 */
import type { AppRouter } from '../foundation/app-state.js';
import type { AppDeps } from './deps.js';
import { apiKeyRoutes } from '../tenants/api-key-routes.js';
import { billingRoutes } from '../billing/billing-routes.js';
import { healthRoutes } from './health-routes.js';
import { openapiRoutes } from './openapi-routes.js';
import { tenantRoutes } from '../tenants/tenant-routes.js';
import { executionRoutes } from '../executions/execution-routes.js';
import { usageRoutes } from '../metering/usage-routes.js';
import { executeRoutes } from '../executions/execute-routes.js';
import { installRoutes } from '../installs/install-routes.js';
import { packageRoutes } from '../marketplace/package-routes.js';
import { pluginRoutes } from '../marketplace/plugin-routes.js';
import { reviewRoutes } from '../marketplace/review-routes.js';
import { ratingRoutes } from '../marketplace/rating-routes.js';
import { analyticsRoutes } from '../analytics/analytics-routes.js';
import { consoleApiRoutes } from '../console/console-api-routes.js';
import { consoleRoutes } from '../console/console-routes.js';
import { webhookRoutes } from '../webhooks/webhook-routes.js';

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
