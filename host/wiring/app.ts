/**
 * The Koa application: middleware in order, then the routers. It never listens
 * (tests drive `app.callback()` through supertest; `server.ts` listens).
 *
 * Order matters:
 *  0. edge           outermost: nosniff on every answer, no-store on keyed
 *                    JSON, `Connection: close` (and a lingering close)
 *                    after an answer whose request body was not read
 *  1. errorHandler   so every error below becomes the contract's JSON
 *  2. requestId      so even 404s and 413s carry X-Request-Id
 *  3. requestLog     one line per request, with the final status, and its
 *                    count and latency by matched route for /metrics
 *  4. operations     /healthz, /readyz, /console (static pages): no body, no key
 *  5. jsonBody       size-limited JSON parsing
 *  6. authenticate   bearer key → ctx.state.principal / tenant; failures
 *                    throttled per client address
 *  7. rateLimit      per tenant, by tier, on every authenticated request; also
 *                    reads the shared cache generation (no extra round trip)
 *  8. credentialCheck a key served from the cache under an older generation is re-read
 *  9. API routers    each route guarded with requireScope
 */
import Koa from 'koa';
import type { AppContext, AppState } from '../foundation/app-state.js';
import type { AppDeps } from './deps.js';
import { authFailureThrottle } from '../tenants/auth-failures.js';
import { errorFields } from '../foundation/logger.js';
import { authenticate, credentialCheck } from '../tenants/auth.js';
import { jsonBody } from '../edge/body.js';
import { edge } from '../edge/edge-middleware.js';
import { rateLimit } from '../limits/rate-limit.js';
import { errorHandler } from '../edge/error-handler.js';
import { requestId } from '../edge/request-id.js';
import { requestLog } from '../edge/request-log.js';
import { apiRoutes, operationRoutes } from './routes.js';

/** Build the HTTP application from explicit dependencies. */
export function createApp(deps: AppDeps): Koa<AppState, AppContext> {
  const app = new Koa<AppState, AppContext>();
  // Only errors the client was not shown get here (the error handler emits 5xx); log them with their stack.
  app.on('error', (err: unknown, ctx?: Koa.ParameterizedContext<AppState>) => {
    deps.logger.error({ ...errorFields(err), requestId: ctx?.state.requestId }, 'request failed');
  });

  app.use(edge());
  app.use(errorHandler());
  app.use(requestId());
  app.use(requestLog(deps.logger, deps.metrics));
  for (const router of operationRoutes(deps)) app.use(router.routes());
  app.use(jsonBody({ limitBytes: deps.config.jsonBodyLimitBytes, timeoutMs: deps.config.edge.bodyTimeoutMs }));
  app.use(authenticate(deps.apiKeys, authFailureThrottle(deps)));
  app.use(rateLimit({ limiter: deps.limits.rateLimiter, tiers: deps.config.tiers, generation: deps.cacheGeneration, metrics: deps.metrics }));
  app.use(credentialCheck(deps.apiKeys, deps.cacheGeneration));
  for (const router of apiRoutes(deps)) app.use(router.routes());
  return app;
}
