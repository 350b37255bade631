/**
 * Request bodies of the tenant endpoints
 * (docs/http-api.md "Tenants and API keys"), as compiled validators. Unknown
 * properties are refused, so a typo is a 400 rather than a silently ignored
 * field.
 */
import { TIER_NAMES, type TierName } from '../foundation/tiers.js';
import { compileBodyValidator } from '../foundation/validation.js';
import type { TenantSettings } from '../foundation/tenant.js';

/** Lowercase DNS-label-like: it is also the publisher's plugin scope (`@slug/name`). */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{1,38}$';
const PLUGIN_NAME_PATTERN = '^@[a-z0-9][a-z0-9-]{1,38}/[a-z0-9][a-z0-9._-]{0,213}$';

const name = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } as const;
const ownerEmail = { type: 'string', format: 'email', maxLength: 254 } as const;

export interface CreateTenantInput {
  name: string;
  slug: string;
  ownerEmail: string;
  tier?: TierName;
}

export const parseCreateTenant = compileBodyValidator<CreateTenantInput>({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'slug', 'ownerEmail'],
  properties: {
    name,
    slug: { type: 'string', pattern: SLUG_PATTERN },
    ownerEmail,
    tier: { type: 'string', enum: [...TIER_NAMES] },
  },
});

export interface UpdateTenantInput {
  name?: string;
  ownerEmail?: string;
}

export const parseUpdateTenant = compileBodyValidator<UpdateTenantInput>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name, ownerEmail },
});

const count = (minimum: number) => ({ type: 'integer', minimum, maximum: 1_000_000_000 }) as const;
const countOrUnlimited = { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000_000_000 } as const;

/** PUT settings: each top-level section given replaces the stored one; omitted ones are kept. */
export const parseSettings = compileBodyValidator<TenantSettings>({
  type: 'object',
  additionalProperties: false,
  properties: {
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestsPerMinute: count(1),
        executionsPerMonth: countOrUnlimited,
        maxInstalls: countOrUnlimited,
        cpuMs: { type: 'integer', minimum: 1, maximum: 600_000 },
        memoryMb: { type: 'integer', minimum: 1, maximum: 65_536 },
        maxConcurrentExecutions: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    features: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' },
      additionalProperties: { type: ['boolean', 'number', 'string'], maxLength: 1000 },
    },
    minTrustScore: { type: ['number', 'null'], minimum: 0, maximum: 100 },
    allowedPlugins: {
      type: ['array', 'null'],
      maxItems: 1000,
      uniqueItems: true,
      items: { type: 'string', pattern: PLUGIN_NAME_PATTERN },
    },
  },
});
