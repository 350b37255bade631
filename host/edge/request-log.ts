/**
 * Every finished request, observed once: one structured log line (method,
 * path, status, duration, request id) and the `/metrics` request count and
 * latency. It runs when the response has finished (or the client went away),
 * so the status is the one actually sent, whatever middleware set it.
 *
 * Metrics are labelled by the router's pattern (`/v1/installs/:id`), never the
 * raw path: ids in labels would grow the series without bound. Requests no
 * route matched share one `unmatched` label; an abandoned one (499) is logged
 * but not counted, as nothing was answered.
 */
import type Koa from 'koa';
import type { AppState } from '../foundation/app-state.js';
import type { Logger } from '../foundation/logger.js';
import type { HostMetrics } from '../foundation/host-metrics.js';

export function requestLog(logger: Logger, metrics: Pick<HostMetrics, 'httpRequest'>): Koa.Middleware<AppState> {
  return async function requestLog(ctx, next) {
    const started = process.hrtime.bigint();
    const done = () => {
      ctx.res.off('finish', done);
      ctx.res.off('close', done);
      const finished = ctx.res.writableFinished;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      logger.info(
        {
          method: ctx.method,
          // The path only: query strings may carry things that do not belong in logs.
          path: ctx.path,
          status: finished ? ctx.status : 499,
          ms: Math.round(seconds * 1e6) / 1000,
          requestId: ctx.state.requestId,
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
