/** The marketplace as one area of the host's lifecycle: publishing, the listing, reviews and ratings. */
import type { Config } from '../foundation/config.js';
import type { Area } from '../foundation/lifecycle.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { MarketplaceDeps } from './build-marketplace.js';
import { packageRoutes } from './package-routes.js';
import { pluginRoutes } from './plugin-routes.js';
import { ratingRoutes } from './rating-routes.js';
import type { RatingService } from './rating-service.js';
import { reviewRoutes } from './review-routes.js';

export function marketplaceArea(deps: {
  readonly marketplace: MarketplaceDeps;
  readonly ratings: RatingService;
  readonly config: Config;
  readonly idempotency: IdempotencyStore;
}): Area {
  return {
    name: 'marketplace',
    routes: () => [packageRoutes(deps), pluginRoutes(deps), ratingRoutes(deps), reviewRoutes(deps)],
    // Background trust recomputes after ratings still use the database.
    close: () => deps.ratings.idle(),
  };
}
