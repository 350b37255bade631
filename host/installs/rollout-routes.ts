/**
 * The end of a gradual rollout (rollout-service.ts): promote (all traffic to
 * the new version, as an upgrade) or abort (back to the installed version).
 * Starting or adjusting one is PATCH /v1/installs/:id with `rollout`.
 */
import Router from '@koa/router';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { pathParam, uuidParam } from '../edge/params.js';
import { installToJson } from './install.js';
import { installerOf } from './install-routes.js';
import type { RolloutService } from './rollout-service.js';

export function rolloutRoutes(deps: { readonly rollouts: RolloutService }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/installs/:id/rollout' });
  router.param('id', uuidParam);

  router.post('/promote', requireScope('plugins:install'), async function promoteRollout(ctx) {
    const who = installerOf(ctx);
    ctx.body = installToJson(await deps.rollouts.promote(who.actor, who.tenant.id, pathParam(ctx, 'id')));
  });

  router.post('/abort', requireScope('plugins:install'), async function abortRollout(ctx) {
    ctx.body = installToJson(await deps.rollouts.abort(principalOf(ctx).tenantId, pathParam(ctx, 'id')));
  });

  return router;
}
