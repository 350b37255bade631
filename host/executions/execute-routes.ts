/**
 * Running a plugin (docs/http-api.md "Executions"):
 *   POST /v1/installs/:id/executions   {action?, input}
 *   POST /v1/plugins/:name/execute     the same, on the tenant's install of that plugin
 *
 * Flow: auth + tenant status + rate limit (middleware) → Idempotency-Key
 * (a replay answers the first response, with no second execution) → the
 * execute service (quota, concurrency, trust gate, sandbox, usage record) →
 * the contract's 200 or 422 answer.
 */
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { BazaarError, isBazaarError } from '../../manifests/errors.js';
import type { JsonValue } from '../../runtime/types.js';
import { type AppContext, type AppCtx, type AppRouter, type AppState, requireScope } from '../foundation/app-state.js';
import { executionAnswer } from './execution-answer.js';
import { cpuBudgetHeaders, type ExecuteRequest, type ExecuteService } from './execute-service.js';
import type { CpuBudgetState } from '../limits/cpu-budget.js';
import { idempotentAnswer, sendAnswer } from '../metering/idempotent-answer.js';
import { readIdempotencyKey } from '../foundation/idempotency-key.js';
import { compileBodyValidator } from '../foundation/validation.js';
import { pathParam, pluginNameParam, uuidParam } from '../edge/params.js';
import type { HostMetrics } from '../foundation/host-metrics.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';

interface ExecuteBody {
  readonly action?: string;
  readonly input: JsonValue;
}

// `input` is any JSON value: the action's input schema judges it (invalid_input is an execution).
export const parseExecuteBody = compileBodyValidator<ExecuteBody>({
  type: 'object',
  additionalProperties: false,
  required: ['input'],
  properties: { action: { type: 'string', minLength: 1, maxLength: 128 }, input: {} },
});

export function executeRoutes(deps: { readonly executions: ExecuteService; readonly idempotency: IdempotencyStore; readonly metrics: HostMetrics }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1' });
  router.param('id', uuidParam);
  router.param('name', pluginNameParam);

  async function run(ctx: AppCtx, target: ExecuteRequest['target']): Promise<void> {
    const tenant = ctx.state.tenant;
    if (tenant === undefined) throw new BazaarError('unauthorized');
    const body = parseExecuteBody(ctx.request.body);
    // Chosen here so the idempotency claim can name the execution it stands for.
    const executionId = randomUUID();
    let cpuBudget: CpuBudgetState | null = null;
    const answer = await idempotentAnswer(
      deps.idempotency,
      { tenantId: tenant.id, key: readIdempotencyKey(ctx.headers), method: ctx.method, path: ctx.path, body, executionId },
      async () => {
        const outcome = await deps.executions.execute({ tenant, target, action: body.action, input: body.input, executionId }).catch((err: unknown) => {
          if (isBazaarError(err) && (err.code === 'quota_exceeded' || err.code === 'concurrency_limited' || err.code === 'rate_limited')) deps.metrics.limitRefused(err.code);
          throw err;
        });
        cpuBudget = outcome.cpuBudget;
        const { status, usage, error } = outcome.result;
        deps.metrics.executionFinished({ plugin: outcome.plugin, status, errorCode: error?.code ?? null, wallMs: usage.wallMs, cpuMs: usage.cpuMs });
        return executionAnswer(outcome, ctx.state.requestId);
      },
    );
    // A replayed answer ran nothing now, so it reports no budget.
    if (cpuBudget !== null) ctx.set(cpuBudgetHeaders(cpuBudget));
    sendAnswer(ctx, answer);
  }

  router.post('/installs/:id/executions', requireScope('plugins:execute'), async function executeInstall(ctx) {
    await run(ctx, { id: pathParam(ctx, 'id') });
  });

  router.post('/plugins/:name/execute', requireScope('plugins:execute'), async function executePlugin(ctx) {
    await run(ctx, { plugin: pathParam(ctx, 'name') });
  });

  return router;
}
