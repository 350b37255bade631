/**
 * Operations endpoints: `/healthz` says the process is up, `/readyz` that its
 * dependencies answer (503 `dependency_unavailable` if not, with
 * `details.checks` saying which: `{database: 'ok', redis: 'unavailable'}`, and
 * nothing more: the cause, with hosts and messages, goes to the log), for load
 * balancers that should stop routing to a host that cannot serve. Mounted
 * before authentication: probes carry no key.
 *
 * `/metrics` is the Prometheus exposition (host/foundation/host-metrics.ts). It
 * names every tenant's plugins, so it needs an `admin` API key or the
 * operator's metrics token (`BAZAAR_METRICS_TOKEN`), as a bearer token:
 * Prometheus' `authorization` scrape setting sends exactly that. Failed
 * attempts count towards the failed-authentication throttle.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { BazaarError, ERROR_CATALOG } from '../../manifests/errors.js';
import type { AppContext, AppRouter, AppState } from '../foundation/app-state.js';
import { isOperator } from '../foundation/principal.js';
import type { AppDeps } from './deps.js';
import { authFailureThrottle } from '../tenants/auth-failures.js';
import { errorFields } from '../foundation/logger.js';
import { bearerToken } from '../tenants/auth.js';

export type HealthDeps = Pick<AppDeps, 'readiness' | 'metrics' | 'logger' | 'apiKeys' | 'config' | 'limits'>;

export function healthRoutes(deps: HealthDeps): AppRouter {
  const router = new Router<AppState, AppContext>();

  router.get('/healthz', async function healthz(ctx) {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async function readyz(ctx) {
    // Every check, each bounded by its own timeout, so the answer names EACH dependency that is
    // down: an operator whose host is out of the load balancer must see whether to look at
    // PostgreSQL or at Redis (the issue: "/readyz reflects each dependency").
    const results = await Promise.all(
      deps.readiness.map(async (d) => {
        const state = await d.check().then(
          () => 'ok',
          (err: unknown) => {
            deps.logger.warn({ ...errorFields(err), dependency: d.name }, 'readiness check failed');
            return 'unavailable';
          },
        );
        return [d.name, state] as const;
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.some(([, state]) => state !== 'ok')) {
      // The contract's error envelope, set here rather than thrown: the error handler hides a
      // 5xx's details, and these name only our own dependencies, nothing about the host.
      ctx.status = 503;
      ctx.body = {
        error: { code: 'dependency_unavailable', message: ERROR_CATALOG.dependency_unavailable.message, details: { checks } },
        requestId: ctx.state.requestId,
      };
      return;
    }
    ctx.body = { status: 'ready', checks };
  });

  router.get('/metrics', metricsAccess(deps), async function metrics(ctx) {
    const { contentType, body } = await deps.metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });

  return router;
}

/** An `admin` API key or the metrics token; anything else is 401 (counted as a failed authentication) or 403. */
function metricsAccess(deps: HealthDeps): Koa.Middleware<AppState> {
  const throttle = authFailureThrottle(deps);
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const tokenDigest = deps.config.edge.metricsToken === null ? null : digest(deps.config.edge.metricsToken);
  return async function metricsAccess(ctx, next) {
    const presented = await throttle.guard(ctx, async () => bearerToken(ctx));
    if (presented === null) throw new BazaarError('unauthorized', 'GET /metrics needs an admin API key or the metrics token.');
    // Compared as digests: constant time, whatever the lengths.
    if (tokenDigest === null || !timingSafeEqual(digest(presented), tokenDigest)) {
      const { principal } = await throttle.guard(ctx, () => deps.apiKeys.authenticate(presented));
      if (!isOperator(principal)) throw new BazaarError('forbidden', 'GET /metrics needs an admin API key or the metrics token.');
    }
    await next();
  };
}
