/**
 * One structured log line per request: method, path, status, duration and
 * request id. It logs when the response has finished (or the client went away),
 * so the status is the one actually sent, whatever middleware set it.
 */
import type Koa from 'koa';
import type { AppState } from '../app-state.js';
import type { Logger } from '../logger.js';

export function requestLog(logger: Logger): Koa.Middleware<AppState> {
  return async function requestLog(ctx, next) {
    const started = process.hrtime.bigint();
    const done = () => {
      ctx.res.off('finish', done);
      ctx.res.off('close', done);
      logger.info(
        {
          method: ctx.method,
          // The path only: query strings may carry things that do not belong in logs.
          path: ctx.path,
          status: ctx.res.writableFinished ? ctx.status : 499,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          requestId: ctx.state.requestId,
        },
        'request',
      );
    };
    ctx.res.once('finish', done);
    ctx.res.once('close', done);
    await next();
  };
}
