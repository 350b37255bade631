/**
 * The small, additive API routes the console needs (docs/http-api.md stays
 * the contract; these only add):
 *
 *   GET /v1/me                                      any key: `{tenant, scopes, keyId}`, who the key is
 *   GET /v1/me/plugins                              any key: the caller tenant's own plugins, every status
 *   GET /v1/plugins/:name/versions/:version/files   any key, the tarball route's visibility: the code as text
 *
 * Mounted with the API routers, after `authenticate` and the rate limit.
 */
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import { actorOf, type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { versionParam } from '../marketplace/marketplace-input.js';
import { pathParam, pluginNameParam } from '../edge/params.js';
import { tenantToJson } from '../foundation/tenant.js';
import { PublisherPlugins } from './publisher-plugins.js';
import { VersionFileReader } from './version-files.js';
import type { MarketplaceDeps } from '../marketplace/build-marketplace.js';

export function consoleApiRoutes(deps: { readonly marketplace: MarketplaceDeps }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1' });
  const files = new VersionFileReader({ catalog: deps.marketplace.catalog, packageLimits: deps.marketplace.options.packageLimits });
  const publisherPlugins = new PublisherPlugins(deps.marketplace.catalog);
  router.param('name', pluginNameParam);
  router.param('version', versionParam);

  router.get('/me', requireScope(), async function me(ctx) {
    const principal = principalOf(ctx);
    const tenant = ctx.state.tenant;
    if (tenant === undefined) throw new BazaarError('unauthorized');
    ctx.body = { tenant: tenantToJson(tenant), scopes: principal.scopes, keyId: principal.keyId };
  });

  router.get('/me/plugins', requireScope(), async function myPlugins(ctx) {
    ctx.body = { items: await publisherPlugins.list(actorOf(ctx)), nextCursor: null };
  });

  router.get('/plugins/:name/versions/:version/files', requireScope(), async function versionFiles(ctx) {
    ctx.body = await files.read(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'version'));
  });

  return router;
}
