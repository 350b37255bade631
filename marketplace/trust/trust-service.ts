/**
 * Computes and refreshes trust scores, gathering their inputs through ports:
 * the stored static analysis, the plugin's other versions (maintenance),
 * metered executions (ExecutionStatsPort) and community data
 * (CommunityStatsPort). `recomputeTrust` is the entry point for later issues
 * (metering, installs, ratings, the circuit breaker) whose data changes a score.
 */
import type { Clock, CommunityStatsPort, ExecutionStatsPort, MarketplaceRepository, PluginVersionRecord } from '../ports.js';
import { notFound } from '../visibility.js';
import { computeTrust, type TrustPolicy } from './trust-score.js';
import type { TrustReport } from './trust-report.js';

export interface TrustServiceDeps {
  readonly repository: MarketplaceRepository;
  readonly executionStats: ExecutionStatsPort;
  readonly communityStats: CommunityStatsPort;
  readonly policy: TrustPolicy;
  readonly clock: Clock;
}

/** What scoring needs to know about a version (a stored record fits, and so does a candidate). */
export type ScorableVersion = Pick<PluginVersionRecord, 'name' | 'version' | 'status' | 'manifest' | 'sha256' | 'analysis' | 'publisherTenantId' | 'publishedAt'>;

export class TrustService {
  readonly #deps: TrustServiceDeps;

  constructor(deps: TrustServiceDeps) {
    this.#deps = deps;
  }

  /** Scores `target` among `siblings` (the plugin's versions; `target` is added if absent). */
  async assess(target: ScorableVersion, siblings: readonly ScorableVersion[]): Promise<TrustReport> {
    const [execution, community] = await Promise.all([
      this.#deps.executionStats.forVersion(target.name, target.version),
      this.#deps.communityStats.forPlugin(target.name, target.publisherTenantId),
    ]);
    const releases = [target, ...siblings.filter((s) => s.version !== target.version)];
    return computeTrust(
      {
        manifest: target.manifest,
        packageSha256: target.sha256,
        analysis: target.analysis,
        releases: releases.map((r) => ({ version: r.version, status: r.status, publishedAt: r.publishedAt })),
        execution,
        community,
        now: this.#deps.clock.now(),
      },
      this.#deps.policy,
    );
  }

  /** Recomputes and stores one version's score; 404 `not_found` if it does not exist. */
  async recomputeTrust(name: string, version: string): Promise<TrustReport> {
    const versions = await this.#deps.repository.listVersions(name);
    const target = versions.find((v) => v.version === version);
    if (!target) throw notFound(`${name}@${version}`);
    const report = await this.assess(target, versions);
    await this.#deps.repository.updateTrust(name, [{ version, trust: report }]);
    return report;
  }

  /**
   * Recomputes every version of a plugin: plugin-wide inputs (maintenance,
   * community) changed, e.g. after a new release or a yank.
   */
  async recomputePlugin(name: string): Promise<void> {
    const versions = await this.#deps.repository.listVersions(name);
    const reports = [];
    for (const v of versions) reports.push({ version: v.version, trust: await this.assess(v, versions) });
    await this.#deps.repository.updateTrust(name, reports);
  }
}
