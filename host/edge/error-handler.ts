/**
 * The one place where errors become HTTP answers (docs/http-api.md "Errors").
 * Mounted first, so it sees everything thrown below it:
 *
 * - `BazaarError` → its status and `{error: {code, message, details?}, requestId}`;
 * - errors from Koa and its helpers (http-errors from raw-body, router) → the
 *   catalog code for their status;
 * - anything else → 500 `internal_error` with the catalog's generic sentence:
 *   never a stack, path or driver message.
 *
 * Errors that are not exposed to the client (5xx) are emitted on the app, whose
 * `error` listener logs them; 4xx are the client's business and are not logged.
 */
import type Koa from 'koa';
import { BazaarError, ERROR_CATALOG, isBazaarError } from '../../manifests/errors.js';
import type { AppState } from '../foundation/app-state.js';

/** Headers an error answer keeps; everything else a handler set (Content-Disposition, …) is dropped. */
const KEPT_HEADERS = /^(x-request-id|x-ratelimit-.*|retry-after|vary)$/i;

export function errorHandler(): Koa.Middleware<AppState> {
  return async function errorHandler(ctx, next) {
    try {
      await next();
      // Nothing matched: answer the contract's 404 rather than Koa's text "Not Found".
      if (ctx.status === 404 && ctx.body == null) throw new BazaarError('not_found');
    } catch (thrown) {
      const err = toBazaarError(thrown);
      if (!err.expose) ctx.app.emit('error', thrown, ctx);
      if (ctx.headerSent || !ctx.writable) return;
      for (const name of ctx.res.getHeaderNames()) if (!KEPT_HEADERS.test(name)) ctx.remove(name);
      if (err.code === 'unauthorized') ctx.set('WWW-Authenticate', 'Bearer');
      ctx.set(err.headers ?? {});
      ctx.status = err.status;
      ctx.body = {
        error: {
          code: err.code,
          message: err.expose ? err.message : ERROR_CATALOG[err.code].message,
          ...(err.expose && err.details !== undefined ? { details: err.details } : {}),
        },
        requestId: ctx.state.requestId,
      };
    }
  };
}

/**
 * Map anything thrown to a catalog error. Cross-realm safe: a value thrown in
 * another realm is no `instanceof Error` here, so we test the brand as Koa does.
 */
export function toBazaarError(thrown: unknown): BazaarError {
  if (isBazaarError(thrown)) return thrown;
  const isError = Object.prototype.toString.call(thrown) === '[object Error]' || thrown instanceof Error;
  if (isError && isDependencyFailure(thrown as Error)) {
    return new BazaarError('dependency_unavailable', undefined, undefined, { cause: thrown });
  }
  const status = isError ? (thrown as { status?: unknown; statusCode?: unknown }).status : undefined;
  switch (status) {
    case 400:
      return new BazaarError('invalid_request', undefined, undefined, { cause: thrown });
    case 401:
      return new BazaarError('unauthorized', undefined, undefined, { cause: thrown });
    case 403:
      return new BazaarError('forbidden', undefined, undefined, { cause: thrown });
    case 404:
    case 405:
    case 501:
      return new BazaarError('not_found', undefined, undefined, { cause: thrown });
    case 413:
      return new BazaarError('payload_too_large', undefined, undefined, { cause: thrown });
    default:
      return new BazaarError('internal_error', undefined, undefined, { cause: thrown });
  }
}

/** Codes of a database (or Redis) that is down or unreachable, as opposed to a bug. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * A connection to PostgreSQL lost under a query (server restart, network drop,
 * a pooled connection whose socket died while idle): pg reports it with no
 * code at all, only these messages (pg/lib/client.js), which knex prefixes with
 * the SQL. Found by the cluster tests: without this, such a request was a 500.
 */
const PG_CONNECTION_LOST = /(Connection terminated( unexpectedly)?|is not queryable)$/;

/**
 * A dependency failure is a 503 the client may retry, not a 500: connection
 * errors, knex pool timeouts, pg's lost connections, and Postgres' class 08
 * (connection exception) and 57P0x (shutdown) SQLSTATEs.
 */
function isDependencyFailure(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (err.name === 'KnexTimeoutError') return true;
  if (code === undefined && PG_CONNECTION_LOST.test(err.message)) return true;
  if (typeof code !== 'string') return false;
  return UNREACHABLE.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code);
}
