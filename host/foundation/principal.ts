import type { Scope } from './scopes.js';

/** Who is calling: the API key that authenticated the request and its tenant. */
export interface Principal {
  readonly keyId: string;
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
}

/** The operator: any key holding `admin` (which only operator-tenant keys can hold). */
export function isOperator(principal: Principal): boolean {
  return principal.scopes.includes('admin');
}

/**
 * Whether the principal may act with one of `scopes`. `admin` satisfies every
 * scope: the contract gives the operator "tenants, tiers, everything".
 */
export function hasAnyScope(principal: Principal, scopes: readonly Scope[]): boolean {
  return isOperator(principal) || scopes.some((s) => principal.scopes.includes(s));
}

/** Whether the principal may see tenant `tenantId`'s resources: the operator, or the tenant itself. */
export function canAccessTenant(principal: Principal, tenantId: string): boolean {
  return isOperator(principal) || principal.tenantId === tenantId;
}
