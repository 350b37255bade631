/**
 * The execution path (docs/product.md "The execution path"), after auth, tenant
 * status and the rate limit (middleware):
 *
 *   install (404) → quota reservation (402 quota_exceeded) → concurrency cap
 *   (429 concurrency_limited) → trust policy gate (403 version_yanked /
 *   version_quarantined / trust_policy) → action exists (400) → input
 *   validation (422 invalid_input: an execution) → sandbox → output
 *   validation (422 invalid_output) → usage record, durable BEFORE the answer
 *   (503 if it cannot be written: never an unmetered 200).
 *
 * Refusals before the sandbox are not executions: a refusal after the quota
 * reservation gives it back. From input validation on, everything is an
 * execution: metered, counted, recorded, whatever its outcome.
 *
 * The install and its version come from a per-process cache validated by the
 * shared cache generation (executable-installs.ts), so an upgrade, uninstall,
 * yank or policy change made on any host process holds for the very next
 * execution; a moved trust score within the cache's maximum age (30 s).
 */
import { randomUUID } from 'node:crypto';
import { BazaarError, isBazaarError } from '../../manifests/errors.js';
import { resolveActionName } from '../../manifests/manifest-validator.js';
import type { ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { ExecutionLimits, ExecutionRequest, ExecutionResult, JsonValue, PluginCode, SandboxRuntime } from '../../runtime/types.js';
import type { Clock } from '../foundation/clock.js';
import type { ExecutionEvents } from './execution-events.js';
import type { BridgeFactory } from '../installs/install-bridge.js';
import { type Admission, type Limits, quotaPeriodFor } from '../limits/index.js';
import type { CpuBudgetState } from '../limits/cpu-budget.js';
import type { Logger } from '../foundation/logger.js';
import type { UsageRecord } from '../metering/usage-record.js';
import type { ExecutableInstall, InstallStore } from '../installs/ports.js';
import { effectiveLimits } from '../foundation/tenant-settings.js';
import type { AuthenticatedTenant } from '../foundation/tenant.js';
import type { TierTable } from '../foundation/tiers.js';
import { executeChecked } from './checked-execution.js';
import { executionLimits } from './execution-limits.js';
import type { ExecutionLogRetention } from './execution-logs.js';
import type { PluginCodeCache } from './plugin-code-cache.js';
import { rolloutSide } from './rollout-split.js';
import type { ShadowRunner } from './shadow-runner.js';
import { checkTrustPolicy } from './trust-gate.js';
import type { TrustFeed } from './trust-feed.js';

export interface ExecuteServiceDeps {
  readonly installs: Pick<InstallStore, 'findExecutable'>;
  readonly limits: Pick<Limits, 'quota' | 'admission'>;
  readonly runtime: Pick<SandboxRuntime, 'execute'>;
  readonly code: PluginCodeCache;
  readonly schemas: ActionSchemaCache;
  readonly bridgeFor: BridgeFactory;
  readonly usage: { record(rec: UsageRecord): Promise<void> };
  /** Which executions keep their logs beside the usage record (failed ones, by default). */
  readonly logRetention: Pick<ExecutionLogRetention, 'keptLogsOf'>;
  readonly trustFeed: TrustFeed;
  readonly tiers: TierTable;
  /** Operator-wide minimum trust score, and the wall-time ceiling. */
  readonly policy: { readonly minTrustScore: number; readonly maxExecutionTimeoutMs: number };
  readonly clock: Clock;
  readonly logger: Logger;
  /** `execution.failed` and `quota.threshold` webhooks (no work for a success under the thresholds). */
  readonly events?: ExecutionEvents;
  /** Shadow runs of installs that have one: offered each recorded execution, never awaited. */
  readonly shadows?: Pick<ShadowRunner, 'offer'>;
}

export interface ExecuteRequest {
  /** With its billing cycle: the quota counts the subscription's billing period (foundation/quota-period.ts). */
  readonly tenant: AuthenticatedTenant;
  /** The install by id (`/v1/installs/:id/executions`) or the tenant's install of a plugin (`/v1/plugins/:name/execute`). */
  readonly target: { readonly id: string } | { readonly plugin: string };
  readonly action: string | undefined;
  readonly input: JsonValue;
  /** The id to run under (the route's, so an idempotency claim can name it); default: a new one. */
  readonly executionId?: string;
}

/** A finished execution (succeeded or failed), already recorded. */
export interface ExecutionOutcome {
  readonly executionId: string;
  /** The plugin that ran (for metrics and logs). */
  readonly plugin: string;
  readonly result: ExecutionResult;
  /** The tenant's CPU budget after this execution (`X-CpuBudget-*`); null when its tier has none. */
  readonly cpuBudget: CpuBudgetState | null;
}

/** Margin of a concurrency lease past the execution's own time limit (queueing, worker restarts). */
const LEASE_MARGIN_MS = 60_000;

export class ExecuteService {
  readonly #deps: ExecuteServiceDeps;

  constructor(deps: ExecuteServiceDeps) {
    this.#deps = deps;
  }

  async execute(request: ExecuteRequest): Promise<ExecutionOutcome> {
    const { tenant } = request;
    const executionId = request.executionId ?? randomUUID();
    const found = await this.#deps.installs.findExecutable(tenant.id, request.target);
    if (found === null) throw new BazaarError('not_found', 'id' in request.target ? 'No such install.' : `${request.target.plugin} is not installed.`);
    const target = rolloutSide(found, executionId); // a gradual rollout's share runs its version
    const tenantLimits = effectiveLimits(tenant, this.#deps.tiers);
    const limits = executionLimits(target.manifest, tenantLimits, this.#deps.policy.maxExecutionTimeoutMs);
    const period = quotaPeriodFor(tenant.billingCycle, this.#deps.clock.now());

    // CPU budget, quota reservation and concurrency lease in one step (one Redis round trip).
    const tier = this.#deps.tiers[tenant.tier];
    const admission = await this.#deps.limits.admission.admit({
      tenantId: tenant.id,
      period,
      quota: { included: tenantLimits.executionsPerMonth, hardLimit: tier.hardLimit },
      maxConcurrent: tenantLimits.maxConcurrentExecutions,
      leaseMs: limits.timeoutMs + LEASE_MARGIN_MS,
      cpuBudgetMs: tier.cpuBudgetMsPerMinute,
    });
    // The wall-clock deadline runs from here: waiting for a sandbox counts against it. Real time, not
    // this.#deps.clock: the sandbox workers measure it against their own clocks.
    const deadline = Date.now() + limits.timeoutMs;
    if (!admission.admitted) throw refusal(admission, tenantLimits.maxConcurrentExecutions);
    const { reservation, cpuBudget } = admission;
    let counted = false;
    let cpuMs = 0;
    try {
      checkTrustPolicy({ name: target.install.plugin, version: target.install.version, status: target.status, trustScore: target.trustScore }, tenant, this.#deps.policy.minTrustScore);
      const action = this.#action(target, request.action);
      const code = await this.#deps.code.get(target.sha256);

      counted = true; // from here on this is an execution, whatever happens
      const startedAt = this.#deps.clock.now();
      const scheduling = { tenant: { id: tenant.id, weight: tier.schedulingWeight }, deadline };
      const result = await this.#run(target, executionId, action, request.input, code, limits, scheduling).catch((err: unknown) => {
        // Saturated sandboxes refused it before it started: not an execution.
        if (isBazaarError(err) && err.code === 'concurrency_limited') counted = false;
        throw err;
      });
      cpuMs = result.usage.cpuMs;
      await this.#record(target, executionId, action, request.input, result, startedAt);
      await this.#deps.events?.executed({ install: target.install, executionId, action, result, reservation, period });
      // Recorded, so answered: a sample may run again on the shadow's candidate, off this path.
      if (found.install.shadow !== null) this.#deps.shadows?.offer({ found, tenant, executionId, action, input: request.input, ran: target.install.version, result });
      const budgetAfter = cpuBudget === null ? null : { ...cpuBudget, remainingMs: Math.max(0, Math.floor(cpuBudget.remainingMs - cpuMs)) };
      return { executionId, plugin: target.install.plugin, result, cpuBudget: budgetAfter };
    } finally {
      if (!counted) await this.#deps.limits.quota.release(tenant.id, period);
      // Not awaited: the answer need not wait for it. Commands on one Redis connection run in order,
      // so this client's next admission still finds the lease given back.
      void this.#deps.limits.admission.finish(admission.token, { tenantId: tenant.id, cpuMs, cpuBudgetMs: cpuBudget?.limitMs ?? null });
    }
  }

  /** The requested action, or the manifest's default; an unknown one is the caller's mistake (400), not an execution. */
  #action(target: ExecutableInstall, requested: string | undefined): string {
    const actions = Object.keys(target.manifest.actions);
    const action = resolveActionName(target.manifest, requested);
    if (action === undefined) {
      throw new BazaarError('invalid_request', `${target.install.plugin} has several actions and no default: name one in "action" (${actions.join(', ')}).`);
    }
    if (!actions.includes(action)) {
      throw new BazaarError('invalid_request', `${target.install.plugin} has no action "${action}" (it has: ${actions.join(', ')}).`);
    }
    return action;
  }

  /** Input check → sandbox → output check; every outcome is an `ExecutionResult`. */
  async #run(
    target: ExecutableInstall,
    executionId: string,
    action: string,
    input: JsonValue,
    code: PluginCode,
    limits: ExecutionLimits,
    scheduling: Pick<ExecutionRequest, 'tenant' | 'deadline'>,
  ): Promise<ExecutionResult> {
    return executeChecked(this.#deps.runtime, this.#deps.schemas.get(target.sha256, target.manifest), {
      ...scheduling,
      installId: target.install.id,
      executionId,
      code,
      action,
      input,
      config: target.install.config,
      limits,
      bridge: this.#deps.bridgeFor(target.install, target.manifest),
    });
  }

  /**
   * Durable before the answer: a rejection (503) propagates and no 200 goes
   * out. The recorder keeps the record and retries it, so the execution, which
   * did run, is metered once the database is back; the 503 names it
   * (`details.executionId`, see idempotent-answer.ts). Kept logs go in the
   * same write.
   */
  async #record(target: ExecutableInstall, executionId: string, action: string, input: JsonValue, result: ExecutionResult, startedAt: Date): Promise<void> {
    const { install } = target;
    await this.#usageRecord({
      executionId,
      tenantId: install.tenantId,
      installId: install.id,
      pluginName: install.plugin,
      pluginVersion: install.version,
      action,
      status: result.status,
      errorCode: result.status === 'failed' ? (result.error?.code ?? 'plugin_error') : null,
      cpuMs: result.usage.cpuMs,
      wallMs: result.usage.wallMs,
      memoryBytes: Math.round(result.usage.memoryBytes),
      inputBytes: jsonBytes(input),
      outputBytes: result.status === 'succeeded' ? jsonBytes(result.output) : 0,
      startedAt,
      finishedAt: this.#deps.clock.now(),
      keptLogs: this.#deps.logRetention.keptLogsOf(result),
    });
    this.#deps.trustFeed.executed(install.plugin, install.version);
  }

  async #usageRecord(rec: UsageRecord): Promise<void> {
    try {
      await this.#deps.usage.record(rec);
    } catch (err) {
      if (err instanceof BazaarError && err.code === 'dependency_unavailable') {
        throw new BazaarError('dependency_unavailable', err.message, { executionId: rec.executionId }, { cause: err });
      }
      throw err;
    }
  }
}

/** The error for an admission that was refused, with the headers its answer needs. */
function refusal(admission: Exclude<Admission, { admitted: true }>, maxConcurrent: number): BazaarError {
  switch (admission.refusal) {
    case 'concurrency_limited':
      return new BazaarError('concurrency_limited', `At most ${maxConcurrent} executions may run at once.`, undefined, {
        headers: { 'Retry-After': '1' },
      });
    case 'cpu_budget_spent': {
      const { cpuBudget, retryAfterSeconds } = admission;
      return new BazaarError('rate_limited', `The CPU budget of ${cpuBudget.limitMs} ms per minute is spent; retry in ${retryAfterSeconds} s.`, undefined, {
        headers: { 'Retry-After': String(retryAfterSeconds), ...cpuBudgetHeaders(cpuBudget) },
      });
    }
    case 'quota_exceeded': {
      const { reservation } = admission;
      return new BazaarError('quota_exceeded', `The ${reservation.included ?? 0} executions of this billing period are used up.`, {
        included: reservation.included,
        used: reservation.used,
      });
    }
  }
}

/** `X-CpuBudget-Limit` and `X-CpuBudget-Remaining`, in CPU ms per minute. */
export function cpuBudgetHeaders(budget: CpuBudgetState): Record<string, string> {
  return { 'X-CpuBudget-Limit': String(budget.limitMs), 'X-CpuBudget-Remaining': String(budget.remainingMs) };
}

function jsonBytes(value: JsonValue | null): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
