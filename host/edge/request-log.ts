/**
 * Every finished request, observed once: one structured log line (method,
 * path, status, duration, request id, and the tenant and API key when the
 * request authenticated) and the `/metrics` request count and latency. It
 * runs when the response has finished (or the client went away), so the
 * status is the one actually sent, whatever middleware set it.
 *
 * Metrics are labelled by the router's pattern (`/v1/installs/:id`), never the
 * raw path: ids in labels would grow the series without bound. Requests no
 * route matched share one `unmatched` label; an abandoned one (499) is logged
 * but not counted, as nothing was answered.
 *
 * Health probes and metric scrapes arrive every few seconds from machines and
 * say nothing a person needs: they are logged at debug, everything else at info.
 */
import type Koa from 'koa';
import type { AppState } from '../foundation/app-state.js';
import type { Logger } from '../foundation/logger.js';
import type { HostMetrics } from '../foundation/host-metrics.js';

/** Paths polled by load balancers, orchestrators and Prometheus. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export function requestLog(logger: Logger, metrics: Pick<HostMetrics, 'httpRequest'>): Koa.Middleware<AppState> {
  return async function requestLog(ctx, next) {
    const started = process.hrtime.bigint();
    const done = () => {
      ctx.res.off('finish', done);
      ctx.res.off('close', done);
      const finished = ctx.res.writableFinished;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const principal = ctx.state.principal;
      const level = PROBE_PATHS.has(ctx.path) ? 'debug' : 'info';
      logger[level](
        {
          method: ctx.method,
          // The path only: query strings may carry things that do not belong in logs.
          path: ctx.path,
          status: finished ? ctx.status : 499,
          durationMs: Math.round(seconds * 1e6) / 1000,
          requestId: ctx.state.requestId,
          tenantId: principal?.tenantId,
          apiKeyId: principal?.keyId,
        },
        'request',
      );
      if (finished) {
        const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
        metrics.httpRequest(ctx.method, typeof route === 'string' ? route : 'unmatched', ctx.status, seconds);
      }
    };
    ctx.res.once('finish', done);
    ctx.res.once('close', done);
    await next();
  };
}
