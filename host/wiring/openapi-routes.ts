/**
 * GET /openapi.json (API.md "Operations"): the OpenAPI 3.1 document of the
 * whole API, keyless like the other operations routes. Built once, on first
 * request, and served with a strong ETag.
 */
import Router from '@koa/router';
import type { AppContext, AppRouter, AppState } from '../foundation/app-state.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { type CachedBody, cachedBody, sendCachedBody } from '../edge/cached-body.js';

export function openapiRoutes(): AppRouter {
  const router = new Router<AppState, AppContext>();
  let served: CachedBody | undefined;

  router.get('/openapi.json', async function openapiDocument(ctx) {
    served ??= cachedBody(JSON.stringify(buildOpenApiDocument()), 'application/json');
    sendCachedBody(ctx, served);
  });

  return router;
}
