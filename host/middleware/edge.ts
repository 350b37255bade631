/**
 * The outermost middleware: how the connection ends when the request was not
 * read to its end.
 *
 * - An answer sent before its request's body was read to the end (413,
 *   408, a route that ignores the body) goes out with `Connection: close` and
 *   a lingering close (host/edge/lingering-close.ts): the client reads its
 *   answer, and its next request goes on a fresh connection instead of being
 *   lost behind the unread bytes.
 * - A request that still arrives on a connection being closed so is not served.
 */
import type Koa from 'koa';
import type { AppState } from '../app-state.js';
import { closeAfterAnswer, isClosing } from '../edge/lingering-close.js';

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
      if (!ctx.headerSent && !ctx.req.complete) {
        ctx.set('Connection', 'close');
        closeAfterAnswer(ctx.req);
      }
    }
  };
}
