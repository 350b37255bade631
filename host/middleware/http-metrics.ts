/**
 * Request counts and latency for `/metrics`, by method, matched route pattern
 * and status. The route is the router's pattern (`/v1/installs/:id`), never the
 * raw path: ids in labels would grow the series without bound. Requests no
 * route matched share one `unmatched` label for the same reason.
 */
import type Koa from 'koa';
import type { AppState } from '../app-state.js';
import type { HostMetrics } from '../metrics/host-metrics.js';

export function httpMetrics(metrics: Pick<HostMetrics, 'httpRequest'>): Koa.Middleware<AppState> {
  return async function httpMetrics(ctx, next) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // After the error handler above us has set the final status (it runs outside this middleware).
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      ctx.res.once('finish', () => metrics.httpRequest(ctx.method, typeof route === 'string' ? route : 'unmatched', ctx.status, seconds));
    }
  };
}
