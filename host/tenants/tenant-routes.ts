/**
 * Tenants (docs/http-api.md "Tenants and API keys"): operator-only except
 * reading one's own tenant and its settings (and writing the non-limit
 * settings). Handlers read input, call one service method and answer.
 */
import Router from '@koa/router';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { replayable } from '../metering/idempotent-answer.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { tenantToJson } from '../foundation/tenant.js';
import { parseCreateTenant, parseSettings, parseUpdateTenant } from './tenant-schemas.js';
import { pathParam, uuidParam } from '../edge/params.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { TenantService } from './tenant-service.js';

export function tenantRoutes(deps: { readonly tenants: TenantService; readonly idempotency: IdempotencyStore }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/tenants' });
  const { tenants } = deps;
  router.param('id', uuidParam);

  router.post(
    '/',
    requireScope('admin'),
    replayable(deps.idempotency, async function createTenant(ctx) {
      return { status: 201, body: tenantToJson(await tenants.create(parseCreateTenant(ctx.request.body))) };
    }),
  );

  router.get('/', requireScope('admin'), async function listTenants(ctx) {
    const page = await tenants.list(parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(tenantToJson), nextCursor: page.nextCursor };
  });

  router.get('/:id', requireScope(), async function getTenant(ctx) {
    ctx.body = tenantToJson(await tenants.get(principalOf(ctx), pathParam(ctx, 'id')));
  });

  router.patch('/:id', requireScope('admin'), async function updateTenant(ctx) {
    ctx.body = tenantToJson(await tenants.update(pathParam(ctx, 'id'), parseUpdateTenant(ctx.request.body)));
  });

  router.get('/:id/settings', requireScope(), async function getSettings(ctx) {
    ctx.body = await tenants.getSettings(principalOf(ctx), pathParam(ctx, 'id'));
  });

  // A tenant may set its own features and plugin policy; `limits` stay the operator's (service rule).
  router.put('/:id/settings', requireScope('admin', 'plugins:install'), async function putSettings(ctx) {
    ctx.body = await tenants.putSettings(principalOf(ctx), pathParam(ctx, 'id'), parseSettings(ctx.request.body));
  });

  router.post('/:id/suspend', requireScope('admin'), async function suspendTenant(ctx) {
    ctx.body = tenantToJson(await tenants.suspend(pathParam(ctx, 'id')));
  });

  router.post('/:id/reactivate', requireScope('admin'), async function reactivateTenant(ctx) {
    ctx.body = tenantToJson(await tenants.reactivate(pathParam(ctx, 'id')));
  });

  return router;
}
