/**
 * GET /openapi.json: the OpenAPI 3.1 document of the whole API, and GET
 * /docs: the human-readable reference rendered from it (docs-page.ts). Both
 * keyless like the other operations routes, built once on first request.
 *
 * The document, the page and the init script are answered with a strong ETag
 * and revalidated; Swagger UI's files have the package version in their URL,
 * so they are cached for a year.
 */
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import type { AppContext, AppRouter, AppState } from '../foundation/app-state.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { type CachedBody, cachedBody, sendCachedBody } from '../edge/cached-body.js';
import { assetBody, DOCS_ASSETS, docsPage, setDocsHeaders } from './docs-page.js';

const YEAR_SECONDS = 365 * 24 * 3600;

export function openapiRoutes(): AppRouter {
  const router = new Router<AppState, AppContext>();
  let served: CachedBody | undefined;
  let page: CachedBody | undefined;
  const assets = new Map<string, Promise<CachedBody>>();

  router.get('/openapi.json', async function openapiDocument(ctx) {
    served ??= cachedBody(JSON.stringify(buildOpenApiDocument()), 'application/json');
    sendCachedBody(ctx, served);
  });

  router.get('/docs', async function docs(ctx) {
    setDocsHeaders(ctx);
    page ??= cachedBody(docsPage(), 'text/html; charset=utf-8');
    sendCachedBody(ctx, page);
  });

  router.get('/docs/assets/:file', async function docsAsset(ctx) {
    setDocsHeaders(ctx);
    const name = ctx.params.file ?? '';
    // An own property only: `constructor` or `__proto__` are not files.
    const asset = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
    if (asset === undefined) throw new BazaarError('not_found', 'No such docs file.');
    let cached = assets.get(name);
    if (cached === undefined) {
      cached = assetBody(asset).then((body) => cachedBody(body, asset.type));
      cached.catch(() => assets.delete(name)); // a failed read is retried by the next request
      assets.set(name, cached);
    }
    sendCachedBody(ctx, await cached);
    if (asset.vendorFile !== undefined) ctx.set('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`);
  });

  return router;
}
