/**
 * The marketplace's plugins
 * (docs/http-api.md "Packages, plugins and versions"): the listing and search,
 * one plugin, one version with its trust breakdown, its tarball, yank,
 * deprecation notices and dist-tags. Any valid key may read; unapproved
 * versions are visible only to their publisher, reviewers and the operator
 * (others get 404).
 */
import Router from '@koa/router';
import { versionView, pluginView } from '../../marketplace/views.js';
import { actorOf, type AppContext, type AppRouter, type AppState, requireScope } from '../foundation/app-state.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { parseDeprecateBody, parseDistTagBody, parseSearchText, parseSort, parseYankBody, versionParam } from './marketplace-input.js';
import { pathParam, pluginNameParam } from '../edge/params.js';
import type { MarketplaceDeps } from './build-marketplace.js';
import type { RatingService } from './rating-service.js';

export function pluginRoutes(deps: { readonly marketplace: MarketplaceDeps; readonly ratings: RatingService }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/plugins' });
  const { catalog, reviews, releases } = deps.marketplace;
  router.param('name', pluginNameParam);
  router.param('version', versionParam);

  router.get('/', requireScope(), async function listPlugins(ctx) {
    const { limit, after } = parsePageQuery(ctx.query);
    const q = parseSearchText(ctx.query);
    ctx.body = await catalog.search({ ...(q === undefined ? {} : { q }), sort: parseSort(ctx.query), limit, after });
  });

  router.get('/:name', requireScope(), async function getPlugin(ctx) {
    const name = pathParam(ctx, 'name');
    // ratings: the public aggregate `rating: {average, count}` is an added field; visibility is decided first (404).
    ctx.body = { ...pluginView(await catalog.plugin(actorOf(ctx), name)), rating: await deps.ratings.summary(name) };
  });

  router.get('/:name/versions/:version', requireScope(), async function getVersion(ctx) {
    ctx.body = versionView(await catalog.version(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'version')));
  });

  router.get('/:name/versions/:version/tarball', requireScope(), async function getTarball(ctx) {
    const { record, bytes } = await catalog.tarball(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'version'));
    const file = `${record.name.slice(1).replace('/', '-')}-${record.version}.tgz`;
    ctx.set('Content-Disposition', `attachment; filename="${file}"`);
    ctx.set('ETag', `"${record.sha256}"`);
    ctx.type = 'application/gzip';
    ctx.body = bytes;
  });

  router.post('/:name/versions/:version/yank', requireScope('plugins:publish', 'reviews:write'), async function yankVersion(ctx) {
    const { reason } = parseYankBody(ctx.request.body);
    ctx.body = versionView(await reviews.yank(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'version'), reason));
  });

  // A deprecated version still installs and runs; views and install answers carry the message.
  router.post('/:name/versions/:version/deprecate', requireScope('plugins:publish', 'reviews:write'), async function deprecateVersion(ctx) {
    const { message } = parseDeprecateBody(ctx.request.body);
    ctx.body = versionView(await releases.deprecate(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'version'), message));
  });

  router.delete('/:name/versions/:version/deprecate', requireScope('plugins:publish', 'reviews:write'), async function undeprecateVersion(ctx) {
    ctx.body = versionView(await releases.undeprecate(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'version')));
  });

  router.put('/:name/dist-tags/:tag', requireScope('plugins:publish'), async function setDistTag(ctx) {
    const { version } = parseDistTagBody(ctx.request.body);
    ctx.body = { distTags: await releases.setDistTag(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'tag'), version) };
  });

  router.delete('/:name/dist-tags/:tag', requireScope('plugins:publish'), async function removeDistTag(ctx) {
    ctx.body = { distTags: await releases.removeDistTag(actorOf(ctx), pathParam(ctx, 'name'), pathParam(ctx, 'tag')) };
  });

  return router;
}
