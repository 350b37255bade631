/**
 * The execution path as two areas of the host's lifecycle. `sandbox` owns the
 * worker processes: it closes first, draining the executions in flight, whose
 * usage records and trust updates then settle while `executions` (listed
 * before it) and the recorder are still open. `executions` also runs the
 * sweep that expires kept logs.
 */
import type { SandboxRuntime } from '../../runtime/types.js';
import type { HostMetrics } from '../foundation/host-metrics.js';
import type { Area } from '../foundation/lifecycle.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { UsageRepository } from '../metering/usage-repository.js';
import { executeRoutes } from './execute-routes.js';
import type { ExecuteService } from './execute-service.js';
import { executionRoutes } from './execution-routes.js';
import type { ExecutionLogRetention } from './execution-logs.js';
import type { TrustFeed } from './trust-feed.js';
import type { ShadowRunner } from './shadow-runner.js';

export function executionsArea(deps: {
  readonly executions: ExecuteService;
  readonly trustFeed: TrustFeed;
  readonly logRetention: ExecutionLogRetention;
  readonly usageRepository: UsageRepository;
  readonly idempotency: IdempotencyStore;
  readonly metrics: HostMetrics;
}): Area {
  return {
    name: 'executions',
    routes: () => [executionRoutes(deps), executeRoutes(deps)],
    start: () => deps.logRetention.start(),
    close: async () => {
      await deps.logRetention.stop();
      await deps.trustFeed.idle();
    },
  };
}

/**
 * The shadow runs' queue (shadow-runner.ts), listed after the sandbox so it
 * closes before it: queued runs are dropped, the one running ends while the
 * sandbox and the database are still open.
 */
export function shadowRunsArea(runner: Pick<ShadowRunner, 'close'>): Area {
  return { name: 'shadow runs', close: () => runner.close() };
}

export function sandboxArea(runtime: SandboxRuntime): Area {
  return { name: 'sandbox', close: () => runtime.close() };
}
