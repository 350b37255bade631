/**
 * POST /v1/packages: publish a package
 * (docs/http-api.md "Packages, plugins and versions").
 *
 *   requireScope(plugins:publish) ─▶ rawBody (gzip, ≤ package limit: else 413)
 *     ─▶ PublishService.publish (validate, scope, score, store blob, insert) ─▶ 201
 *     or, with ?dryRun=true, PublishService.dryRun (the same checks and score) ─▶ 200
 *
 * A dry run stores nothing, not even an Idempotency-Key answer: it is safe to repeat.
 * The scope check runs before the body is read, so a key without the scope
 * never makes the host read megabytes.
 */
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import { dryRunView, publishView } from '../../marketplace/views.js';
import { type AppContext, type AppRouter, type AppState, requireScope, actorOf } from '../foundation/app-state.js';
import { replayable } from '../metering/idempotent-answer.js';
import { rawBody } from '../edge/body.js';
import type { Config } from '../foundation/config.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { MarketplaceDeps } from './build-marketplace.js';
import { parseDryRun } from './marketplace-input.js';

/** Content types accepted for an upload (`npm pack` output is application/gzip; curl often says octet-stream). */
export const PACKAGE_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'] as const;

export function packageRoutes(deps: { readonly marketplace: MarketplaceDeps; readonly config: Config; readonly idempotency: IdempotencyStore }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/packages' });
  const upload = rawBody({ limitBytes: deps.config.packageBodyLimitBytes, timeoutMs: deps.config.edge.bodyTimeoutMs, types: PACKAGE_TYPES });

  const uploaded = (ctx: AppContext): Buffer => {
    const body = ctx.request.rawBody;
    if (body === undefined) throw new BazaarError('invalid_request', `Send the package with Content-Type: ${PACKAGE_TYPES[0]}.`);
    return body;
  };
  const publishPackage = replayable(
    deps.idempotency,
    async (ctx) => ({ status: 201, body: publishView(await deps.marketplace.publish.publish(actorOf(ctx), uploaded(ctx))) }),
    // The same bytes are the same request.
    (ctx) => (ctx.request.rawBody === undefined ? null : createHash('sha256').update(ctx.request.rawBody).digest('hex')),
  );

  router.post('/', requireScope('plugins:publish'), upload, async function publishOrDryRun(ctx) {
    if (!parseDryRun(ctx.query)) return publishPackage(ctx);
    ctx.status = 200;
    ctx.body = dryRunView(await deps.marketplace.publish.dryRun(actorOf(ctx), uploaded(ctx)));
  });

  return router;
}
