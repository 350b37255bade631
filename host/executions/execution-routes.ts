/**
 * Executions, read back: GET /v1/executions (`?install=&status=&limit=&cursor=`,
 * newest first) and GET /v1/executions/:id (with its `logs` while they are
 * kept), answered from the usage ledger within the caller's tenant. Running
 * one is POST /v1/installs/:id/executions (executions/execute-routes.ts).
 */
import Router from '@koa/router';
import type { RouterParameterMiddleware } from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { ExecutionQueries, type ExecutionQueriesDeps, parseExecutionFilter } from './execution-queries.js';
import { EXECUTION_ID, executionDetailToJson, executionToJson } from '../metering/usage-record.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { pathParam } from '../edge/params.js';
import type { UsageStore } from '../metering/ports.js';

/** Whoever runs, installs or pays for plugins may read what ran. */
const READ_SCOPES = ['plugins:execute', 'plugins:install', 'billing:read'] as const;

/** `router.param('id', ...)`: an id that cannot exist is 404 before it reaches SQL. */
const executionIdParam: RouterParameterMiddleware<AppState, AppContext> = async function executionIdParam(value, _ctx, next) {
  if (!EXECUTION_ID.test(value)) throw new BazaarError('not_found', 'No such execution.');
  await next();
};

export function executionRoutes(deps: {
  readonly usageRepository: Pick<UsageStore, 'findById' | 'list'>;
  readonly logRetention: ExecutionQueriesDeps['logRetention'];
}): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/executions' });
  const executions = new ExecutionQueries({ usage: deps.usageRepository, logRetention: deps.logRetention });
  router.param('id', executionIdParam);

  router.get('/', requireScope(...READ_SCOPES), async function listExecutions(ctx) {
    const filter = parseExecutionFilter(ctx.query);
    const page = await executions.list(principalOf(ctx), filter, parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(executionToJson), nextCursor: page.nextCursor };
  });

  router.get('/:id', requireScope(...READ_SCOPES), async function getExecution(ctx) {
    ctx.body = executionDetailToJson(await executions.get(principalOf(ctx), pathParam(ctx, 'id')));
  });

  return router;
}
