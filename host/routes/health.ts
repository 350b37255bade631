/**
 * Operations endpoints (API.md "Operations"): `/healthz` says the process is up,
 * `/readyz` that its dependencies answer (503 `dependency_unavailable` if not,
 * with `details.checks` saying which: `{database: 'ok', redis: 'unavailable'}`),
 * for load balancers that should stop routing to a host that cannot serve.
 * `/metrics` is the Prometheus exposition (host/metrics/host-metrics.ts).
 * Mounted before authentication: probes carry no key.
 */
import Router from '@koa/router';
import { ERROR_CATALOG } from '../../manifests/errors.js';
import type { AppContext, AppRouter, AppState } from '../app-state.js';
import type { AppDeps } from '../deps.js';

export function healthRoutes(deps: Pick<AppDeps, 'readiness' | 'metrics'>): AppRouter {
  const router = new Router<AppState, AppContext>();

  router.get('/healthz', async function healthz(ctx) {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async function readyz(ctx) {
    // Every check, each bounded by its own timeout, so the answer names EACH dependency that is
    // down: an operator whose host is out of the load balancer must see whether to look at
    // PostgreSQL or at Redis (the issue: "/readyz reflects each dependency").
    const results = await Promise.all(
      deps.readiness.map(async (d) => [d.name, await d.check().then(() => 'ok', () => 'unavailable')] as const),
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

  // Prometheus text. Keyless like the probes: scrapers sit inside the operator's network, and
  // nothing here names a tenant (plugin names are public in the marketplace).
  router.get('/metrics', async function metrics(ctx) {
    const { contentType, body } = await deps.metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });

  return router;
}
