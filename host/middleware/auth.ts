/**
 * Authentication and authorisation (API.md "Conventions"):
 *
 * - `authenticate` turns `Authorization: Bearer <key>` into `ctx.state.principal`
 *   and `ctx.state.tenant`. A request without the header passes through
 *   anonymous (public routes); a header with a bad key is 401 `unauthorized`
 *   at once, and a suspended tenant's key 403 `tenant_suspended`.
 * - `requireScope(...scopes)` guards a route: 401 without a principal, 403
 *   `forbidden` when the key has none of the scopes (`admin` has them all).
 *
 * Keys may come from a per-process cache validated by the shared cache
 * generation (caching/cache-generation.ts); `credentialCheck` re-reads a
 * cached key from the database when the generation moved, so a revocation
 * is effective at once on every host process.
 */
import type Koa from 'koa';
import { BazaarError } from '../../manifests/errors.js';
import type { Authenticated } from '../api-keys/api-key-service.js';
import type { AppState } from '../app-state.js';
import { hasAnyScope } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';

/** What `authenticate` needs: the API key service's check. */
export interface Authenticator {
  authenticate(rawKey: string, options?: { fresh?: boolean }): Promise<Authenticated>;
}

const BEARER = /^Bearer +(\S+) *$/i;

export function authenticate(authenticator: Authenticator): Koa.Middleware<AppState> {
  return async function authenticate(ctx, next) {
    const header = ctx.get('authorization');
    if (header !== '') {
      const match = BEARER.exec(header);
      if (match?.[1] === undefined) throw new BazaarError('unauthorized', 'Use "Authorization: Bearer <api key>".');
      const { principal, tenant, cachedUnder } = await authenticator.authenticate(match[1]);
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

/** Route guard: an authenticated key holding at least one of `scopes` (none given: any key). */
export function requireScope(...scopes: Scope[]): Koa.Middleware<AppState> {
  return async function requireScope(ctx, next) {
    const principal = ctx.state.principal;
    if (principal === undefined) throw new BazaarError('unauthorized');
    if (scopes.length > 0 && !hasAnyScope(principal, scopes)) {
      throw new BazaarError('forbidden', `This API key needs one of the scopes: ${scopes.join(', ')}.`);
    }
    await next();
  };
}
