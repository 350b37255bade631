/**
 * Shadow runs' report and stop (shadow-service.ts). Starting or replacing
 * them is PATCH /v1/installs/:id with `shadow`.
 */
import Router from '@koa/router';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { pathParam, uuidParam } from '../edge/params.js';
import { installerOf } from './install-routes.js';
import type { ShadowService } from './shadow-service.js';

export function shadowRoutes(deps: { readonly shadows: ShadowService }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/installs/:id/shadow' });
  router.param('id', uuidParam);

  router.get('/', requireScope('plugins:install'), async function getShadowReport(ctx) {
    ctx.body = await deps.shadows.report(installerOf(ctx).tenant, pathParam(ctx, 'id'));
  });

  router.delete('/', requireScope('plugins:install'), async function stopShadow(ctx) {
    await deps.shadows.stop(principalOf(ctx).tenantId, pathParam(ctx, 'id'));
    ctx.status = 204;
  });

  return router;
}
