/**
 * Review (API.md "Review"): the queue of pending versions ordered by trust
 * score, approve/reject decisions, and the append-only audit log.
 */
import Router from '@koa/router';
import { reviewItemView, versionView } from '../../marketplace/views.js';
import type { AppContext, AppRouter, AppState } from '../app-state.js';
import type { AppDeps } from '../deps.js';
import { requireScope } from '../middleware/auth.js';
import { parsePageQuery } from '../pagination.js';
import { actorOf, parseOrder, parsePluginFilter, parseReviewBody, versionParam } from './marketplace-input.js';
import { pathParam, pluginNameParam } from './params.js';

export function reviewRoutes(deps: Pick<AppDeps, 'marketplace'>): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1' });
  const { reviews, catalog } = deps.marketplace;
  router.param('name', pluginNameParam);
  router.param('version', versionParam);

  router.get('/reviews', requireScope('reviews:write'), async function reviewQueue(ctx) {
    const { limit, after } = parsePageQuery(ctx.query);
    const page = await reviews.queue({ order: parseOrder(ctx.query), limit, after });
    ctx.body = { items: page.items.map(reviewItemView), nextCursor: page.nextCursor };
  });

  router.post('/plugins/:name/versions/:version/review', requireScope('reviews:write'), async function reviewVersion(ctx) {
    const { decision, notes } = parseReviewBody(ctx.request.body);
    const name = pathParam(ctx, 'name');
    ctx.body = versionView(await reviews.decide(actorOf(ctx), name, pathParam(ctx, 'version'), decision, notes ?? null));
  });

  router.get('/audit-log', requireScope('admin', 'reviews:write'), async function auditLog(ctx) {
    const { limit, after } = parsePageQuery(ctx.query);
    const plugin = parsePluginFilter(ctx.query);
    ctx.body = await catalog.auditLog({ ...(plugin === undefined ? {} : { plugin }), limit, after });
  });

  return router;
}
