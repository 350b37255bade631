/**
 * The typed request state every middleware and router shares
 * (`new Router<AppState, AppContext>()`), so no route casts `ctx.state`.
 */
import type Koa from 'koa';
import type Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import type { KeyActor } from '../../marketplace/actor.js';
import { hasAnyScope, type Principal } from './principal.js';
import type { Scope } from './scopes.js';
import type { AuthenticatedTenant } from './tenant.js';

export interface AppState {
  /** Set first thing on every request; echoed in `X-Request-Id` and in error bodies. */
  requestId: string;
  /** Set by `authenticate` when the request carries a valid bearer key. */
  principal?: Principal;
  /** The principal's tenant with its billing cycle, read in the same query as the key. */
  tenant?: AuthenticatedTenant;
  /** Set when the key came from the per-process cache: the generation it was read under (tenants/auth.ts). */
  credentialCachedUnder?: number;
}

/** Our context has no custom properties yet: everything per-request lives in `ctx.state`. */
export type AppContext = Koa.DefaultContext;

/** What route modules build. */
export type AppRouter = Router<AppState, AppContext>;

/** The context type of middleware and handlers. */
export type AppCtx = Koa.ParameterizedContext<AppState, AppContext>;

/** The authenticated principal; 401 when there is none (for handlers behind `requireScope`). */
export function principalOf(ctx: { state: AppState }): Principal {
  const principal = ctx.state.principal;
  if (principal === undefined) throw new BazaarError('unauthorized');
  return principal;
}

/** The authenticated key as the marketplace sees it (its tenant's slug is its publishing scope). */
export function actorOf(ctx: { state: AppState }): KeyActor {
  const principal = principalOf(ctx);
  const tenant = ctx.state.tenant;
  if (tenant === undefined) throw new BazaarError('unauthorized');
  return { kind: 'key', keyId: principal.keyId, tenantId: principal.tenantId, tenantSlug: tenant.slug, scopes: principal.scopes };
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
