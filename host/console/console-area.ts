/** The web console as one area of the host's lifecycle: its public pages and the API routes only it uses. */
import type { Area } from '../foundation/lifecycle.js';
import type { MarketplaceDeps } from '../marketplace/build-marketplace.js';
import { consoleApiRoutes } from './console-api-routes.js';
import { consoleRoutes } from './console-routes.js';

export function consoleArea(deps: { readonly marketplace: MarketplaceDeps }): Area {
  return {
    name: 'console',
    // Public: the pages; their data comes from the API with the user's key.
    publicRoutes: () => [consoleRoutes()],
    routes: () => [consoleApiRoutes(deps)],
  };
}
