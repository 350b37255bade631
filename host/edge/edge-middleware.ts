/**
 * The outermost middleware: what every answer carries, and how the connection
 * ends when the request was not read to its end.
 *
 * - `X-Content-Type-Options: nosniff` on every answer (errors, executions,
 *   tarballs, console, 404s). Set after the rest ran, because the error
 *   handler drops the headers a failed handler had set.
 * - `Cache-Control: no-store` on JSON answers to requests carrying an
 *   `Authorization` header (success or error), unless the route chose its own
 *   caching: a tenant's data must not stay in a shared or browser cache.
 * - An answer sent before its request's body was read to the end (413,
 *   408, a route that ignores the body) goes out with `Connection: close` and
 *   a lingering close (host/edge/lingering-close.ts): the client reads its
 *   answer, and its next request goes on a fresh connection instead of being
 *   lost behind the unread bytes.
 * - A request that still arrives on a connection being closed so is not served.
 */
import type Koa from 'koa';
import type { AppState } from '../foundation/app-state.js';
import { closeAfterAnswer, isClosing } from './lingering-close.js';

export function edge(): Koa.Middleware<AppState> {
  return async function edge(ctx, next) {
    if (isClosing(ctx.req.socket)) {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    try {
      await next();
    } finally {
      if (!ctx.headerSent) {
        ctx.set('X-Content-Type-Options', 'nosniff');
        if (ctx.get('authorization') !== '' && ctx.response.is('json') && !ctx.res.hasHeader('Cache-Control')) {
          ctx.set('Cache-Control', 'no-store');
        }
        if (!ctx.req.complete) {
          ctx.set('Connection', 'close');
          closeAfterAnswer(ctx.req);
        }
      }
    }
  };
}
