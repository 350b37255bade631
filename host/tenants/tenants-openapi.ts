/** Tenants and API keys (docs/http-api.md): tenants/tenant-routes.ts and tenants/api-key-routes.ts. */
import { SCOPES } from '../foundation/scopes.js';
import { parseCreateApiKey } from './api-key-routes.js';
import { parseCreateTenant, parseSettings, parseUpdateTenant } from './tenant-schemas.js';
import { TENANT_STATUSES } from '../foundation/tenant.js';
import { TIER_NAMES } from '../foundation/tiers.js';
import { PAGINATION } from '../foundation/openapi/common-components.js';
import { ANY_KEY, oneOfScopes, type OperationSpec } from '../foundation/openapi/operation.js';
import { dateTime, exact, nullableDateTime, oneOfStrings, page, ref, uuid, type Schema } from '../foundation/openapi/schema-kit.js';

const limitValues: Record<string, Schema> = {
  requestsPerMinute: { type: 'integer', minimum: 1 },
  executionsPerMonth: { type: ['integer', 'null'], minimum: 0, description: 'null: unlimited.' },
  maxInstalls: { type: ['integer', 'null'], minimum: 0, description: 'null: unlimited.' },
  cpuMs: { type: 'integer', minimum: 1 },
  memoryMb: { type: 'integer', minimum: 1 },
  maxConcurrentExecutions: { type: 'integer', minimum: 1 },
};

const apiKeyProperties: Record<string, Schema> = {
  id: uuid,
  tenantId: uuid,
  name: { type: 'string' },
  prefix: { type: 'string', description: 'The first characters of the key, to tell keys apart.' },
  scopes: { type: 'array', items: oneOfStrings(SCOPES) },
  expiresAt: nullableDateTime,
  lastUsedAt: nullableDateTime,
  revokedAt: nullableDateTime,
  createdAt: dateTime,
};

export const tenantSchemas: Record<string, Schema> = {
  Tenant: exact({
    id: uuid,
    name: { type: 'string' },
    slug: { type: 'string', description: "Also the tenant's plugin scope (`@slug/…`)." },
    // Not `format: email`: the operator tenant is created with `operator@localhost`, which no create request could give.
    ownerEmail: { type: 'string' },
    tier: oneOfStrings(TIER_NAMES),
    status: oneOfStrings(TENANT_STATUSES),
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  TierLimits: exact(limitValues),
  TenantSettings: {
    ...exact({
      limits: ref('TierLimits'),
      limitOverrides: { type: 'object', additionalProperties: false, properties: limitValues },
      features: { type: 'object', additionalProperties: { type: ['boolean', 'number', 'string'] } },
      minTrustScore: { type: ['number', 'null'] },
      allowedPlugins: { type: ['array', 'null'], items: { type: 'string' } },
    }),
    description: "The effective settings: the tier's limits merged with the tenant's overrides (listed apart in `limitOverrides`).",
  },
  ApiKey: exact(apiKeyProperties),
  ApiKeyCreated: exact({
    ...apiKeyProperties,
    key: { type: 'string', pattern: '^bzr_[0-9a-f]{32}$', description: 'The secret: shown here only, never again.' },
  }),
};

const tenant = { description: 'The tenant.', json: ref('Tenant') };
const settings = { description: 'The effective settings.', json: ref('TenantSettings') };

export const tenantOperations: OperationSpec[] = [
  {
    method: 'post', path: '/v1/tenants', operationId: 'createTenant', tag: 'tenants', summary: 'Create a tenant',
    access: oneOfScopes('admin'), body: parseCreateTenant.schema, idempotent: true,
    answers: { 201: { description: 'Created.', json: ref('Tenant') } }, errors: ['conflict'],
    description: 'A taken slug is 409 `conflict`.',
  },
  {
    method: 'get', path: '/v1/tenants', operationId: 'listTenants', tag: 'tenants', summary: 'List tenants',
    access: oneOfScopes('admin'), parameters: PAGINATION,
    answers: { 200: { description: 'A page of tenants.', json: page(ref('Tenant')) } }, errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/tenants/{id}', operationId: 'getTenant', tag: 'tenants', summary: 'Get a tenant',
    description: "The operator reads any tenant; any other key only its own (others: 404).",
    access: ANY_KEY, answers: { 200: tenant },
  },
  {
    method: 'patch', path: '/v1/tenants/{id}', operationId: 'updateTenant', tag: 'tenants', summary: 'Rename a tenant or change its owner email',
    access: oneOfScopes('admin'), body: parseUpdateTenant.schema, answers: { 200: tenant },
  },
  {
    method: 'get', path: '/v1/tenants/{id}/settings', operationId: 'getTenantSettings', tag: 'tenants', summary: "Get a tenant's effective settings",
    description: 'The operator reads any tenant; any other key only its own (others: 404).',
    access: ANY_KEY, answers: { 200: settings },
  },
  {
    method: 'put', path: '/v1/tenants/{id}/settings', operationId: 'putTenantSettings', tag: 'tenants', summary: "Replace sections of a tenant's settings",
    description: 'Each top-level section given replaces the stored one. `limits` are the operator\'s alone: a tenant sending them gets 403 `forbidden`.',
    access: oneOfScopes('admin', 'plugins:install'), body: parseSettings.schema, answers: { 200: settings },
  },
  {
    method: 'post', path: '/v1/tenants/{id}/suspend', operationId: 'suspendTenant', tag: 'tenants', summary: 'Suspend a tenant',
    description: "Its keys then get 403 `tenant_suspended`. The operator tenant cannot be suspended (409 `conflict`).",
    access: oneOfScopes('admin'), answers: { 200: tenant }, errors: ['conflict'],
  },
  {
    method: 'post', path: '/v1/tenants/{id}/reactivate', operationId: 'reactivateTenant', tag: 'tenants', summary: 'Reactivate a suspended tenant',
    access: oneOfScopes('admin'), answers: { 200: tenant },
  },
  {
    method: 'post', path: '/v1/tenants/{id}/api-keys', operationId: 'createApiKey', tag: 'api-keys', summary: 'Create an API key for a tenant',
    description: 'The answer carries the secret `key`, shown once.',
    access: oneOfScopes('admin'), body: parseCreateApiKey.schema,
    answers: { 201: { description: 'Created; `key` is in this answer only.', json: ref('ApiKeyCreated') } },
  },
  {
    method: 'get', path: '/v1/tenants/{id}/api-keys', operationId: 'listApiKeys', tag: 'api-keys', summary: "List a tenant's API keys (no secrets)",
    access: oneOfScopes('admin'), parameters: PAGINATION,
    answers: { 200: { description: 'A page of keys.', json: page(ref('ApiKey')) } }, errors: ['invalid_request'],
  },
  {
    method: 'delete', path: '/v1/api-keys/{id}', operationId: 'revokeApiKey', tag: 'api-keys', summary: 'Revoke an API key',
    description: 'The key stops working at once on every host process.',
    access: oneOfScopes('admin'), answers: { 204: { description: 'Revoked.' } },
  },
];
