/**
 * Authentication and authorisation
 * (docs/http-api.md "Authentication and scopes"):
 *
 * - `authenticate` turns `Authorization: Bearer <key>` into `ctx.state.principal`
 *   and `ctx.state.tenant`. A request without the header passes through
 *   anonymous (public routes); a header with a bad key is 401 `unauthorized`
 *   at once (429 `rate_limited` once its address failed too often:
 *   tenants/auth-failures.ts), a suspended tenant's key 403 `tenant_suspended`,
 *   and two `Authorization` headers 400 `invalid_request`.
 * - `requireScope(...scopes)` guards a route: 401 without a principal, 403
 *   `forbidden` when the key has none of the scopes (`admin` has them all).
 *
 * Keys may come from a per-process cache validated by the shared cache
 * generation (foundation/cache-generation.ts); `credentialCheck` re-reads a
 * cached key from the database when the generation moved, so a revocation
 * is effective at once on every host process.
 */
import type Koa from 'koa';
import { BazaarError } from '../../manifests/errors.js';
import type { Authenticated } from './api-key-service.js';
import type { AppCtx, AppState } from '../foundation/app-state.js';
import type { AuthFailureThrottle } from './auth-failures.js';

/** What `authenticate` needs: the API key service's check. */
export interface Authenticator {
  authenticate(rawKey: string, options?: { fresh?: boolean }): Promise<Authenticated>;
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * The bearer token of the request; `null` without an `Authorization` header.
 * Throws 400 `invalid_request` for two of them (Node would keep the first one
 * quietly, and a proxy may have read the other) and 401 for another scheme.
 */
export function bearerToken(ctx: AppCtx): string | null {
  const raw = ctx.req.rawHeaders;
  let headers = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') headers++;
  if (headers > 1) throw new BazaarError('invalid_request', 'Send one Authorization header.');
  const header = ctx.get('authorization');
  if (header === '') return null;
  const match = BEARER.exec(header);
  if (match?.[1] === undefined) throw new BazaarError('unauthorized', 'Use "Authorization: Bearer <api key>".');
  return match[1];
}

export function authenticate(authenticator: Authenticator, throttle: AuthFailureThrottle): Koa.Middleware<AppState> {
  return async function authenticate(ctx, next) {
    const authenticated = await throttle.guard(ctx, async () => {
      const token = bearerToken(ctx);
      return token === null ? null : authenticator.authenticate(token);
    });
    if (authenticated !== null) {
      const { principal, tenant, cachedUnder } = authenticated;
      ctx.state.principal = principal;
      ctx.state.tenant = tenant;
      if (cachedUnder !== undefined) ctx.state.credentialCachedUnder = cachedUnder;
    }
    await next();
  };
}

/**
 * After the rate limit (which read the shared cache generation): a key taken
 * from the cache under an older generation is read again from the database,
 * so a revocation, suspension or settings change written before this request
 * began holds for it, whichever process wrote it.
 */
export function credentialCheck(authenticator: Authenticator, generation: { current(): number | null }): Koa.Middleware<AppState> {
  return async function credentialCheck(ctx, next) {
    const cachedUnder = ctx.state.credentialCachedUnder;
    if (cachedUnder !== undefined && cachedUnder !== generation.current()) {
      const match = BEARER.exec(ctx.get('authorization'));
      if (match?.[1] === undefined) throw new BazaarError('unauthorized');
      const { principal, tenant } = await authenticator.authenticate(match[1], { fresh: true });
      ctx.state.principal = principal;
      ctx.state.tenant = tenant;
      delete ctx.state.credentialCachedUnder;
    }
    await next();
  };
}
