/**
 * Ratings (docs/http-api.md "Packages, plugins and versions":
 * `POST /v1/plugins/:name/ratings`, scope `plugins:install`). The handler reads
 * input, calls the rating service and answers; the rules live in
 * host/marketplace/rating-service.ts.
 *
 * Status: 201 for the tenant's first rating of the plugin, 200 when the POST
 * replaced its earlier rating (one rating per tenant and plugin: an upsert).
 * The body is the stored rating either way.
 */
import Router from '@koa/router';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { replayable } from '../metering/idempotent-answer.js';
import { parseRateBody, ratingToJson } from './rating.js';
import { pathParam, pluginNameParam } from '../edge/params.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { RatingService } from './rating-service.js';

export function ratingRoutes(deps: { readonly ratings: RatingService; readonly idempotency: IdempotencyStore }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/plugins' });
  router.param('name', pluginNameParam);

  router.post(
    '/:name/ratings',
    requireScope('plugins:install'),
    replayable(deps.idempotency, async function ratePlugin(ctx) {
      const input = parseRateBody(ctx.request.body);
      const { rating, created } = await deps.ratings.rate(principalOf(ctx).tenantId, pathParam(ctx, 'name'), input);
      return { status: created ? 201 : 200, body: ratingToJson(rating) };
    }),
  );

  return router;
}
