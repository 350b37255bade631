/**
 * The shadow runs of installs (installs/shadow-service.ts), off the answer's
 * path: after an execution of an install with a shadow has been recorded
 * (and so answered) by the installed version (not by a rollout's), `offer`
 * samples it (probability `sampleRate`) and queues the same action, input
 * and config for the candidate version; the answer never waits for it. A
 * candidate the tenant's trust policy would refuse (yanked, quarantined,
 * under its minimum score, not allowed) is not run.
 *
 * - Bounded per host process: one run at a time and QUEUE_CAPACITY waiting;
 *   an offer beyond that is dropped and counted (`dropped`, the metric
 *   `bazaar_shadow_dropped_total`), as is a run the sandboxes refused for
 *   want of room and whatever is queued when the host stops.
 * - The candidate runs through the same SandboxRuntime under the tenant's
 *   tier limits, but under its own sandbox key (shadowSandboxKey), so its
 *   isolates never hold the installed version's code, and under its own
 *   fair-share key of weight 1, so it yields to the tenants' own executions,
 *   and as background work, in the heavy lane's niced worker processes.
 * - Never an execution: no admission (quota, concurrency lease, CPU budget),
 *   no usage record, no events, no trust feed; nothing is billed.
 * - Its host calls go through the shadow bridge (installs/shadow-bridge.ts):
 *   the install's current grants, kv writes in a discarded overlay.
 * - A config the candidate's config schema refuses, an action it lacks, a
 *   loop or a memory bomb: the candidate failed (`candidate_failed` when the
 *   installed version succeeded).
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { describeIssues, type ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { ExecutionResult, JsonValue, SandboxRuntime } from '../../runtime/types.js';
import type { Clock } from '../foundation/clock.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import { effectiveLimits } from '../foundation/tenant-settings.js';
import type { AuthenticatedTenant } from '../foundation/tenant.js';
import type { TierTable } from '../foundation/tiers.js';
import type { ExecutableInstall } from '../installs/ports.js';
import type { ShadowBridgeFactory } from '../installs/shadow-bridge.js';
import type { ShadowOutcome, ShadowRepository } from '../installs/shadow-repository.js';
import { shadowSandboxKey } from '../installs/shadow-service.js';
import { executeChecked } from './checked-execution.js';
import { executionLimits } from './execution-limits.js';
import type { PluginCodeCache } from './plugin-code-cache.js';
import { checkTrustPolicy } from './trust-gate.js';

/** Runs waiting beside the one running, per host process. */
export const QUEUE_CAPACITY = 8;

export interface ShadowRunnerDeps {
  readonly runtime: Pick<SandboxRuntime, 'execute'>;
  readonly code: Pick<PluginCodeCache, 'get'>;
  readonly schemas: ActionSchemaCache;
  readonly bridgeFor: ShadowBridgeFactory;
  readonly comparisons: Pick<ShadowRepository, 'record'>;
  readonly tiers: TierTable;
  readonly maxExecutionTimeoutMs: number;
  /** The operator-wide minimum trust score: a candidate under the tenant's trust policy does not run. */
  readonly minTrustScore: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The sampling draw, in [0, 1) (tests may fix it). */
  readonly random?: () => number;
}

/** One answered execution, as the shadow needs it. */
export interface ShadowOffer {
  /** The install as found for the execution, before any rollout split (its `shadow` fields). */
  readonly found: ExecutableInstall;
  readonly tenant: AuthenticatedTenant;
  readonly executionId: string;
  readonly action: string;
  readonly input: JsonValue;
  /** The version that answered (the installed one, or a rollout's). */
  readonly ran: string;
  /** What it answered. */
  readonly result: ExecutionResult;
}

interface Side {
  readonly succeeded: boolean;
  readonly cpuMs: number;
  /** The output, or `{error: {code, message}}`. */
  readonly output: JsonValue;
  readonly errorCode: string | null;
}

export class ShadowRunner {
  readonly #deps: ShadowRunnerDeps;
  readonly #queue: ShadowOffer[] = [];
  #running = false;
  #closed = false;
  #dropped = 0;
  #idle: (() => void)[] = [];

  constructor(deps: ShadowRunnerDeps) {
    this.#deps = deps;
  }

  /** Offers dropped since start: queue full, sandboxes saturated, or the host stopping. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Sample and queue a shadow run of this execution; never waits, never throws. */
  offer(offer: ShadowOffer): void {
    const { shadow } = offer.found.install;
    const candidate = offer.found.shadow;
    if (shadow === null || candidate === null) return;
    // Only what the installed version answered is compared (not a rollout's share), and not the version with itself (upgraded to it since).
    if (offer.ran !== offer.found.install.version || shadow.version === offer.found.install.version) return;
    // A candidate the tenant's trust policy refuses (yanked, quarantined, under its minimum) does not run.
    try {
      checkTrustPolicy({ name: offer.found.install.plugin, version: shadow.version, status: candidate.status, trustScore: candidate.trustScore }, offer.tenant, this.#deps.minTrustScore);
    } catch {
      return;
    }
    if ((this.#deps.random ?? Math.random)() >= shadow.sampleRate) return;
    if (this.#closed || this.#queue.length >= QUEUE_CAPACITY) {
      this.#dropped += 1;
      return;
    }
    this.#queue.push(offer);
    this.#pump();
  }

  /** Resolves once nothing is queued or running (tests wait on it instead of sleeping). */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stop taking offers, drop what waits (counted), and let the run in progress end. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#dropped += this.#queue.length;
    this.#queue.length = 0;
    await this.idle();
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#queue.shift();
    if (next === undefined) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    this.#running = true;
    void this.#runOne(next)
      .catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'shadows: a shadow run failed to complete'))
      .finally(() => {
        this.#running = false;
        this.#pump();
      });
  }

  async #runOne(offer: ShadowOffer): Promise<void> {
    const { install } = offer.found;
    const shadow = install.shadow;
    if (shadow === null) return;
    const candidate = await this.#candidate(offer);
    if (candidate === 'dropped') {
      this.#dropped += 1;
      return;
    }
    const current = sideOf(offer.result);
    await this.#deps.comparisons.record({
      installId: install.id,
      shadowVersion: shadow.version,
      shadowStartedAt: shadow.startedAt,
      executionId: offer.executionId,
      outcome: outcomeOf(current, candidate.side),
      current,
      candidate: candidate.side,
      denied: candidate.denied,
      at: this.#deps.clock.now(),
    });
  }

  /** Run the candidate; 'dropped' when the sandboxes had no room for it (it did not run). */
  async #candidate(offer: ShadowOffer) {
    const { found, tenant } = offer;
    const version = found.shadow;
    if (version === null) return 'dropped' as const;
    const { install } = found;
    const schemas = this.#deps.schemas.get(version.sha256, version.manifest);
    if (!Object.keys(version.manifest.actions).includes(offer.action)) {
      return { side: failedSide('invalid_request', `the candidate has no action "${offer.action}"`), denied: [] };
    }
    const config = schemas.resolveConfig(install.config);
    if (!config.valid) {
      return { side: failedSide('invalid_config', `the install's config does not match the candidate's config schema: ${describeIssues(config.issues)}`), denied: [] };
    }
    const limits = executionLimits(version.manifest, effectiveLimits(tenant, this.#deps.tiers), this.#deps.maxExecutionTimeoutMs);
    const shadowBridge = this.#deps.bridgeFor(install, version.manifest);
    try {
      const result = await executeChecked(this.#deps.runtime, schemas, {
        installId: shadowSandboxKey(install.id),
        tenant: { id: `shadow:${tenant.id}`, weight: 1 },
        deadline: Date.now() + limits.timeoutMs,
        executionId: randomUUID(),
        code: await this.#deps.code.get(version.sha256),
        action: offer.action,
        input: offer.input,
        config: config.config as JsonValue,
        limits,
        bridge: shadowBridge.bridge,
        background: true, // the niced heavy lane: a looping candidate takes no CPU the answers need
      });
      return { side: sideOf(result), denied: shadowBridge.denied() };
    } catch (err) {
      this.#deps.logger.info(errorFields(err), 'shadows: the sandbox did not run a shadow run');
      return 'dropped' as const;
    }
  }
}

function sideOf(result: ExecutionResult): Side {
  if (result.status === 'succeeded') return { succeeded: true, cpuMs: result.usage.cpuMs, output: result.output, errorCode: null };
  const code = result.error?.code ?? 'plugin_error';
  return { succeeded: false, cpuMs: result.usage.cpuMs, output: { error: { code, message: result.error?.message ?? '' } }, errorCode: code };
}

function failedSide(code: string, message: string): Side {
  return { succeeded: false, cpuMs: 0, output: { error: { code, message } }, errorCode: code };
}

/** Identical: both succeeded with equal outputs, or both failed alike; candidate_failed: only the candidate failed. */
function outcomeOf(current: Side, candidate: Side): ShadowOutcome {
  if (current.succeeded && candidate.succeeded) return isDeepStrictEqual(current.output, candidate.output) ? 'identical' : 'different';
  if (current.succeeded) return 'candidate_failed';
  return !candidate.succeeded && current.errorCode === candidate.errorCode ? 'identical' : 'different';
}
