/**
 * Wiring of the marketplace into the host: its knex repositories and blob
 * store behind the marketplace's ports, and the services the routes call.
 * `buildDeps` calls `buildMarketplace` once per process.
 */
import type { Knex } from 'knex';
import type { MarketplaceOptions } from '../../marketplace/marketplace-options.js';
import { PluginCatalog } from '../../marketplace/plugin-catalog.js';
import type { Clock, ExecutionStatsPort } from '../../marketplace/ports.js';
import { PublishService } from '../../marketplace/publish-service.js';
import { ReleaseService } from '../../marketplace/release-service.js';
import { ReviewService } from '../../marketplace/review-service.js';
import { TrustService } from '../../marketplace/trust/trust-service.js';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { Config } from '../foundation/config.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import { versionStatusPublisher } from './version-events.js';
import { VersionAudienceQueries } from './version-audience-queries.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import { KnexBlobStore } from '../foundation/database/blob-store.js';
import { KnexMarketplaceRepository } from './marketplace-repository.js';
import { noExecutionStats } from './marketplace-stats.js';
import { KnexCommunityStats } from './marketplace-stats-queries.js';

/** The marketplace services, as `AppDeps.marketplace`. */
export interface MarketplaceDeps {
  readonly options: MarketplaceOptions;
  readonly publish: PublishService;
  readonly reviews: ReviewService;
  /** Deprecation notices and dist-tags. */
  readonly releases: ReleaseService;
  readonly catalog: PluginCatalog;
  /** `recomputeTrust(name, version)` for later issues (metering, installs, ratings). */
  readonly trust: TrustService;
  /** The versions' storage, for host-side readers (analytics); writes go through the services. */
  readonly repository: KnexMarketplaceRepository;
}

export interface BuildMarketplaceOptions {
  readonly db: Knex;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The operator's marketplace settings (auto-approval, trust weights, deny-list, package limits). */
  readonly config: Pick<Config, 'marketplace'>;
  /** Overrides `config.marketplace` (tests). */
  readonly options?: MarketplaceOptions;
  /** Metering's stats, once it exists; until then no executions (the documented prior). */
  readonly executionStats?: ExecutionStatsPort;
  /** Bumped by version status and trust writes (cached with installs: foundation/cache-generation.ts). */
  readonly cacheGeneration: CacheGeneration;
  /** plugin.version.approved / rejected / yanked webhooks, in the status change's transaction. */
  readonly events?: EventPublisher;
}

export function buildMarketplace(o: BuildMarketplaceOptions): MarketplaceDeps {
  const options = o.options ?? o.config.marketplace;
  const repository = new KnexMarketplaceRepository(o.db, o.cacheGeneration, o.events === undefined ? {} : { onStatus: versionStatusPublisher(o.events, new VersionAudienceQueries()) });
  const blobs = new KnexBlobStore(o.db);
  const reportError = (err: unknown): void => o.logger.error(errorFields(err), 'marketplace: trust recompute failed');
  const trust = new TrustService({
    repository,
    executionStats: o.executionStats ?? noExecutionStats,
    communityStats: new KnexCommunityStats(o.db),
    policy: options.trust,
    clock: o.clock,
  });
  return {
    options,
    trust,
    repository,
    publish: new PublishService({ repository, blobs, trust, clock: o.clock, options, reportError }),
    reviews: new ReviewService({ repository, trust, reportError }),
    releases: new ReleaseService({ repository, clock: o.clock }),
    catalog: new PluginCatalog({ repository, blobs }),
  };
}
