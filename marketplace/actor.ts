/**
 * Who asks the marketplace to do something. host/ builds it from the API key
 * that authenticated the request; `system` is the host itself (auto-approval,
 * the circuit breaker).
 */

/** Scopes the marketplace looks at (the full list is in docs/http-api.md "Authentication and scopes"). */
export type MarketplaceScope = 'admin' | 'reviews:write' | 'plugins:publish' | (string & {});

export interface KeyActor {
  readonly kind: 'key';
  readonly keyId: string;
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly scopes: readonly MarketplaceScope[];
}

export interface SystemActor {
  readonly kind: 'system';
}

export type Actor = KeyActor | SystemActor;

export const SYSTEM_ACTOR: SystemActor = Object.freeze({ kind: 'system' });

/** Reviewers and the operator see and decide everything. */
export function isReviewer(actor: Actor | undefined): boolean {
  if (actor === undefined) return false;
  return actor.kind === 'system' || actor.scopes.includes('admin') || actor.scopes.includes('reviews:write');
}

/** The tenant whose slug is the plugin's scope (`@slug/name`) is its publisher. */
export function isPublisherOf(actor: Actor | undefined, pluginName: string): boolean {
  return actor?.kind === 'key' && scopeOf(pluginName) === actor.tenantSlug;
}

/** `@acme/slugify` → `acme`. */
export function scopeOf(pluginName: string): string {
  const slash = pluginName.indexOf('/');
  return pluginName.startsWith('@') && slash > 1 ? pluginName.slice(1, slash) : '';
}
