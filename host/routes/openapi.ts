/**
 * GET /openapi.json (API.md "Operations"): the OpenAPI 3.1 document of the
 * whole API, keyless like the other operations routes. Built once, on first
 * request, and served with a strong ETag.
 */
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { AppContext, AppRouter, AppState } from '../app-state.js';
import { buildOpenApiDocument } from '../openapi/document.js';

export function openapiRoutes(): AppRouter {
  const router = new Router<AppState, AppContext>();
  let served: { body: string; etag: string } | undefined;

  router.get('/openapi.json', async function openapiDocument(ctx) {
    if (served === undefined) {
      const body = JSON.stringify(buildOpenApiDocument());
      served = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', served.etag);
    ctx.type = 'application/json';
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = served.body;
  });

  return router;
}
