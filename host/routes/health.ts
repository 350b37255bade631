/**
 * Operations endpoints (API.md "Operations"): `/healthz` says the process is up,
 * `/readyz` that its dependencies answer (503 `dependency_unavailable` if not),
 * for load balancers that should stop routing to a host that cannot serve.
 * Mounted before authentication: probes carry no key.
 */
import Router from '@koa/router';
import type { AppContext, AppRouter, AppState } from '../app-state.js';
import type { AppDeps } from '../deps.js';

export function healthRoutes(deps: Pick<AppDeps, 'readiness'>): AppRouter {
  const router = new Router<AppState, AppContext>();

  router.get('/healthz', async function healthz(ctx) {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async function readyz(ctx) {
    // Sequential on purpose: the first failure is the answer, and checks are cheap.
    for (const dependency of deps.readiness) await dependency.check();
    ctx.body = { status: 'ready', checks: Object.fromEntries(deps.readiness.map((d) => [d.name, 'ok'])) };
  });

  return router;
}
