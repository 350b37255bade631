/**
 * Installs (docs/http-api.md "Installs"), for the tenant's own installs:
 * another tenant's install is 404. Handlers read input, call the install
 * service and answer; the rules (versions, permission grants and re-consent,
 * config, plan limit) live in host/installs/install-service.ts.
 */
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import { type AppContext, type AppCtx, type AppRouter, type AppState, principalOf, requireScope, actorOf } from '../foundation/app-state.js';
import { replayable } from '../metering/idempotent-answer.js';
import { installToJson } from './install.js';
import { parseCreateInstall, parseUpdateInstall } from './install-schemas.js';
import type { Installer, InstallService } from './install-service.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { pathParam, uuidParam } from '../edge/params.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';

/** The calling tenant and its key as the marketplace sees it. */
export function installerOf(ctx: AppCtx): Installer {
  const tenant = ctx.state.tenant;
  if (tenant === undefined) throw new BazaarError('unauthorized');
  return { tenant, actor: actorOf(ctx) };
}

export function installRoutes(deps: { readonly installs: InstallService; readonly idempotency: IdempotencyStore }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/installs' });
  const { installs } = deps;
  router.param('id', uuidParam);

  router.post(
    '/',
    requireScope('plugins:install'),
    replayable(deps.idempotency, async function createInstall(ctx) {
      const who = installerOf(ctx);
      const install = await installs.install(who, parseCreateInstall(ctx.request.body));
      return { status: 201, body: { ...installToJson(install), warnings: await installs.warningsFor(install) } };
    }),
  );

  router.get('/', requireScope('plugins:install', 'plugins:execute'), async function listInstalls(ctx) {
    const page = await installs.list(principalOf(ctx).tenantId, parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(installToJson), nextCursor: page.nextCursor };
  });

  router.get('/:id', requireScope('plugins:install', 'plugins:execute'), async function getInstall(ctx) {
    ctx.body = installToJson(await installs.get(principalOf(ctx).tenantId, pathParam(ctx, 'id')));
  });

  // An upgrade asking for new permissions stays pending (status "pending_consent") until they are granted.
  router.patch('/:id', requireScope('plugins:install'), async function updateInstall(ctx) {
    const input = parseUpdateInstall(ctx.request.body);
    const install = await installs.update(installerOf(ctx), pathParam(ctx, 'id'), input);
    // Deprecation notices when the PATCH named a version (an upgrade), not on a config change.
    ctx.body = { ...installToJson(install), warnings: input.version === undefined ? [] : await installs.warningsFor(install) };
  });

  router.delete('/:id', requireScope('plugins:install'), async function deleteInstall(ctx) {
    await installs.uninstall(principalOf(ctx).tenantId, pathParam(ctx, 'id'));
    ctx.status = 204;
  });

  return router;
}
