/**
 * GET /v1/usage (docs/http-api.md "Billing, usage and analytics"; scope
 * `billing:read`): the caller's tenant's executions, CPU and wall time by
 * status over `?from=&to=` (default: this UTC month), optionally
 * `?groupBy=day|plugin`, plus this month's quota `{included, used, remaining}`.
 */
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import { type AppContext, type AppRouter, type AppState, requireScope } from '../foundation/app-state.js';
import { parseUsageQuery, UsageReports } from './usage-report.js';
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { UsageStore } from './ports.js';

export function usageRoutes(deps: { readonly usageRepository: UsageStore; readonly config: Config; readonly clock: Clock }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/usage' });
  const reports = new UsageReports({ usage: deps.usageRepository, tiers: deps.config.tiers, clock: deps.clock });

  router.get('/', requireScope('billing:read'), async function getUsage(ctx) {
    const tenant = ctx.state.tenant;
    if (tenant === undefined) throw new BazaarError('unauthorized');
    ctx.body = await reports.report(tenant, parseUsageQuery(ctx.query, deps.clock.now()));
  });

  return router;
}
