/**
 * Wiring of installs and the execution path for `buildDeps`: repositories on
 * the host's database, the config-schema cache shared by installs and
 * executions, the plugin-code cache, the host bridge (kv, fetch) and the
 * trust feed and the shadow runner, around the sandbox runtime the process owns.
 */
import type { Knex } from 'knex';
import { ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { SandboxRuntime } from '../../runtime/types.js';
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import { ExecutionEvents } from './execution-events.js';
import { bridgeFactory } from '../installs/install-bridge.js';
import { InstallService } from '../installs/install-service.js';
import type { Limits } from '../limits/index.js';
import type { Logger } from '../foundation/logger.js';
import type { MarketplaceDeps } from '../marketplace/build-marketplace.js';
import type { UsageRecorder } from '../metering/usage-recorder.js';
import type { UsageStore } from '../metering/ports.js';
import { KnexBlobStore } from '../foundation/database/blob-store.js';
import { InstallRepository } from '../installs/install-repository.js';
import { KvRepository } from '../installs/kv-repository.js';
import { KnexMarketplaceRepository } from '../marketplace/marketplace-repository.js';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { CachedExecutableInstalls } from './executable-installs.js';
import { ExecuteService } from './execute-service.js';
import { ExecutionLogRetention } from './execution-logs.js';
import { PluginCodeCache } from './plugin-code-cache.js';
import { TrustFeed } from './trust-feed.js';
import { shadowBridgeFactory } from '../installs/shadow-bridge.js';
import { ShadowRepository } from '../installs/shadow-repository.js';
import { ShadowRunner } from './shadow-runner.js';

export interface ExecutionPathDeps {
  readonly installs: InstallService;
  readonly executions: ExecuteService;
  readonly trustFeed: TrustFeed;
  /** Which executions keep their logs, for how long, and the sweep that expires them. */
  readonly logRetention: ExecutionLogRetention;
  /** This process's shadow runs (a bounded queue; shadowRunsArea stops it before the sandbox). */
  readonly shadowRunner: ShadowRunner;
}

export interface BuildExecutionPathOptions {
  readonly db: Knex;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runtime: SandboxRuntime;
  readonly limits: Limits;
  readonly usage: Pick<UsageRecorder, 'record'>;
  /** Where the retention sweep deletes expired logs (the usage ledger's side table). */
  readonly keptLogs: Pick<UsageStore, 'deleteLogsFinishedBefore'>;
  readonly marketplace: MarketplaceDeps;
  /** Validates the per-process cache of executable installs; bumped by the repositories' writes. */
  readonly cacheGeneration: CacheGeneration;
  /** Webhook events (execution.failed, quota.threshold, install.upgraded); none published when absent. */
  readonly events?: EventPublisher;
}

export function buildExecutionPath(o: BuildExecutionPathOptions): ExecutionPathDeps {
  const installs = new InstallRepository(o.db, o.cacheGeneration);
  const schemas = new ActionSchemaCache();
  const recomputeTrust = (name: string, version: string) => o.marketplace.trust.recomputeTrust(name, version);
  const trustFeed = new TrustFeed({ recompute: recomputeTrust, logger: o.logger, clock: o.clock });
  const logRetention = new ExecutionLogRetention({ config: o.config.executionLogs, store: o.keptLogs, clock: o.clock, logger: o.logger });
  const kv = new KvRepository(o.db);
  const fetchPolicy = { allowPrivateNetworks: o.config.allowPrivateNetworks };
  const code = new PluginCodeCache({ blobs: new KnexBlobStore(o.db), packageLimits: o.config.marketplace.packageLimits });
  const shadows = new ShadowRepository(o.db);
  const shadowRunner = new ShadowRunner({
    runtime: o.runtime,
    code,
    schemas,
    bridgeFor: shadowBridgeFactory({ kv, fetch: fetchPolicy }),
    comparisons: shadows,
    tiers: o.config.tiers,
    maxExecutionTimeoutMs: o.config.maxExecutionTimeoutMs,
    minTrustScore: o.config.minTrustScore,
    clock: o.clock,
    logger: o.logger,
  });
  return {
    trustFeed,
    logRetention,
    shadowRunner,
    installs: new InstallService({
      installs,
      versions: new KnexMarketplaceRepository(o.db, o.cacheGeneration),
      schemas,
      evict: (id) => o.runtime.evict(id),
      recomputeTrust,
      tiers: o.config.tiers,
      clock: o.clock,
      logger: o.logger,
      ...(o.events === undefined ? {} : { events: o.events }),
      shadows,
    }),
    executions: new ExecuteService({
      installs: new CachedExecutableInstalls({ installs, generation: o.cacheGeneration, clock: o.clock }),
      limits: o.limits,
      runtime: o.runtime,
      code,
      schemas,
      bridgeFor: bridgeFactory({ kv, fetch: fetchPolicy }),
      usage: o.usage,
      logRetention,
      trustFeed,
      tiers: o.config.tiers,
      policy: { minTrustScore: o.config.minTrustScore, maxExecutionTimeoutMs: o.config.maxExecutionTimeoutMs },
      clock: o.clock,
      logger: o.logger,
      ...(o.events === undefined ? {} : { events: new ExecutionEvents({ events: o.events, logger: o.logger }) }),
      shadows: shadowRunner,
    }),
  };
}
