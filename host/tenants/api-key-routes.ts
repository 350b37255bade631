/**
 * API keys (docs/http-api.md "Tenants and API keys"): created by the operator
 * for a tenant (the secret is in the 201 answer and nowhere else, ever), listed
 * without secrets, and revoked with immediate effect on every host process.
 */
import Router from '@koa/router';
import { apiKeyToJson } from './api-key.js';
import type { ApiKeyService, CreateApiKeyInput } from './api-key-service.js';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { SCOPES } from '../foundation/scopes.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { compileBodyValidator } from '../foundation/validation.js';
import { pathParam, uuidParam } from '../edge/params.js';

export const parseCreateApiKey = compileBodyValidator<CreateApiKeyInput>({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    scopes: { type: 'array', minItems: 1, maxItems: SCOPES.length, uniqueItems: true, items: { enum: [...SCOPES] } },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
});

export function apiKeyRoutes(deps: { readonly apiKeys: ApiKeyService }): AppRouter {
  const router = new Router<AppState, AppContext>();
  const { apiKeys } = deps;
  router.param('id', uuidParam);

  router.post('/v1/tenants/:id/api-keys', requireScope('admin'), async function createApiKey(ctx) {
    const { apiKey, key } = await apiKeys.create(pathParam(ctx, 'id'), parseCreateApiKey(ctx.request.body));
    ctx.status = 201;
    ctx.body = { ...apiKeyToJson(apiKey), key };
  });

  router.get('/v1/tenants/:id/api-keys', requireScope('admin'), async function listApiKeys(ctx) {
    const page = await apiKeys.list(principalOf(ctx), pathParam(ctx, 'id'), parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(apiKeyToJson), nextCursor: page.nextCursor };
  });

  router.delete('/v1/api-keys/:id', requireScope('admin'), async function revokeApiKey(ctx) {
    await apiKeys.revoke(principalOf(ctx), pathParam(ctx, 'id'));
    ctx.status = 204;
  });

  return router;
}
