/**
 * The API key scopes of the contract
 * (docs/http-api.md "Authentication and scopes"). A key carries a subset;
 * `admin` is the operator's and is only ever granted to keys of the operator
 * tenant, so "has `admin`" and "is the operator" mean the same thing.
 */
export const SCOPES = [
  'admin',
  'reviews:write',
  'plugins:publish',
  'plugins:install',
  'plugins:execute',
  'billing:read',
  'billing:write',
  'webhooks:write',
] as const;

export type Scope = (typeof SCOPES)[number];
