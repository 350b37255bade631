/**
 * Review (docs/http-api.md "Review"): the queue of pending versions ordered by
 * trust score (or, with `?status=quarantined`, the versions the circuit breaker
 * quarantined), approve/reject decisions (approving a quarantined version
 * reinstates it), and the append-only audit log.
 */
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import type { ReviewQueueStatus } from '../../marketplace/ports.js';
import { reviewItemView, versionView } from '../../marketplace/views.js';
import { actorOf, type AppContext, type AppRouter, type AppState, requireScope } from '../foundation/app-state.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { parseOrder, parsePluginFilter, parseReviewBody, versionParam } from './marketplace-input.js';
import { pathParam, pluginNameParam } from '../edge/params.js';
import type { MarketplaceDeps } from './build-marketplace.js';

/** `?status=pending_review|quarantined` (default pending_review): the queue, or what the circuit breaker quarantined. */
function parseQueueStatus(query: Readonly<Record<string, string | string[] | undefined>>): ReviewQueueStatus {
  const raw = query.status ?? 'pending_review';
  if (raw !== 'pending_review' && raw !== 'quarantined') throw new BazaarError('invalid_request', 'status must be pending_review or quarantined.');
  return raw;
}

export function reviewRoutes(deps: { readonly marketplace: MarketplaceDeps }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1' });
  const { reviews, catalog } = deps.marketplace;
  router.param('name', pluginNameParam);
  router.param('version', versionParam);

  router.get('/reviews', requireScope('reviews:write'), async function reviewQueue(ctx) {
    const { limit, after } = parsePageQuery(ctx.query);
    const page = await reviews.queue({ status: parseQueueStatus(ctx.query), order: parseOrder(ctx.query), limit, after });
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
