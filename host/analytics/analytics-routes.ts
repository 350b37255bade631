/**
 * GET /v1/analytics/plugins/:name
 * (docs/http-api.md "Billing, usage and analytics"): hourly executions, success
 * rate, p50/p95 wall and CPU time per version, for the publisher of that scope,
 * reviewers and the operator (others: 404, see
 * host/analytics/plugin-analytics.ts). `?from=&to=`, default the last 7 days.
 */
import Router from '@koa/router';
import { type AppContext, type AppRouter, type AppState, requireScope, actorOf } from '../foundation/app-state.js';
import { parseAnalyticsRange } from './plugin-analytics.js';
import { pathParam, pluginNameParam } from '../edge/params.js';
import type { Analytics } from './build-analytics.js';
import type { Clock } from '../foundation/clock.js';

export function analyticsRoutes(deps: { readonly analytics: Analytics; readonly clock: Clock }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/analytics' });
  router.param('name', pluginNameParam);

  router.get('/plugins/:name', requireScope('plugins:publish', 'reviews:write'), async function pluginAnalytics(ctx) {
    const range = parseAnalyticsRange(ctx.query, deps.clock.now());
    ctx.body = await deps.analytics.plugins.forPlugin(actorOf(ctx), pathParam(ctx, 'name'), range);
  });

  return router;
}
