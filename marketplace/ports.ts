/**
 * Ports of the marketplace domain: what it needs from the outside world, as
 * interfaces that host/ implements (knex repositories, the blob store, metering).
 * Nothing here knows about HTTP or SQL; marketplace/ code depends only on these.
 */
import type { PluginManifest } from '../manifests/plugin-manifest.schema.js';
import type { AuditEntry, AuditEntryInput } from './audit.js';
import type { CodeAnalysis } from './trust/code-analysis.js';
import type { TrustReport } from './trust/trust-report.js';
import type { VersionStatus } from './version-status.js';

/** A stored, published plugin version (one row per name@version, never deleted). */
export interface PluginVersionRecord {
  readonly name: string;
  /** The scope without `@`: the publisher tenant's slug. */
  readonly scope: string;
  readonly version: string;
  readonly status: VersionStatus;
  readonly sha256: string;
  readonly compressedBytes: number;
  readonly unpackedBytes: number;
  readonly manifest: PluginManifest;
  readonly publisherTenantId: string;
  readonly publisherKeyId: string | null;
  /** ISO-8601 UTC. */
  readonly publishedAt: string;
  /** Static analysis, kept so the score can be recomputed without re-reading the package. */
  readonly analysis: CodeAnalysis;
  readonly trust: TrustReport;
  /** Why the version last changed status (review notes, yank reason). */
  readonly statusReason: string | null;
  /** Set by the publisher or a reviewer: the version still installs and runs, but says why not to. */
  readonly deprecated: Deprecation | null;
}

/** A deprecation notice on a version. */
export interface Deprecation {
  readonly message: string;
  /** ISO-8601 UTC. */
  readonly at: string;
}

/** Explicitly set dist-tags of a plugin: tag → version (`latest` only when set explicitly). */
export type DistTags = Readonly<Record<string, string>>;

/** A keyset position: the sort key of the last item of the previous page (opaque to clients). */
export type Cursor = readonly string[];

/** One page of a keyset-paginated list. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export type PluginSort = 'trust' | 'installs' | 'recent';

export interface PluginSearch {
  readonly q?: string;
  readonly sort: PluginSort;
  readonly limit: number;
  readonly after: Cursor | null;
}

/** A marketplace listing: a plugin with at least one approved version. */
export interface PluginListing {
  readonly name: string;
  readonly latestVersion: string;
  readonly description: string | null;
  readonly keywords: string[];
  readonly homepage: string | null;
  readonly trustScore: number;
  readonly risk: string;
  readonly installCount: number;
  readonly latestPublishedAt: string;
}

/** The statuses GET /v1/reviews lists: the queue, or the circuit breaker's quarantined versions. */
export type ReviewQueueStatus = 'pending_review' | 'quarantined';

export interface ReviewQueueQuery {
  /** Default `pending_review`. */
  readonly status?: ReviewQueueStatus;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  readonly after: Cursor | null;
}

export interface AuditQuery {
  readonly plugin?: string;
  readonly limit: number;
  readonly after: Cursor | null;
}

/**
 * Persistence of plugins, versions and the audit log. Each mutating method is
 * one transaction that also appends its audit entries and refreshes the
 * plugin's marketplace listing, so a failure leaves nothing half-written.
 */
/** A version's recomputed trust report. */
export interface VersionTrust {
  readonly version: string;
  readonly trust: TrustReport;
}

export interface MarketplaceRepository {
  /**
   * Inserts a new version. name@version is UNIQUE in storage, so of two
   * concurrent inserts (even from two processes) exactly one succeeds; the
   * other throws BazaarError `version_exists`.
   */
  insertVersion(record: PluginVersionRecord, audit: readonly AuditEntryInput[]): Promise<void>;
  findVersion(name: string, version: string): Promise<PluginVersionRecord | null>;
  /** Every version of a plugin, in no particular order (sort with version-order.ts). */
  listVersions(name: string): Promise<PluginVersionRecord[]>;
  /**
   * Compare-and-set of the status: changes it only if it is still `from`.
   * Returns the updated record, or null when the status changed meanwhile.
   */
  transitionStatus(
    name: string,
    version: string,
    from: VersionStatus,
    to: VersionStatus,
    reason: string | null,
    audit: AuditEntryInput,
  ): Promise<PluginVersionRecord | null>;
  /** Stores new trust reports for versions of one plugin, in one transaction (one listing refresh). */
  updateTrust(name: string, reports: readonly VersionTrust[]): Promise<void>;
  listPending(query: ReviewQueueQuery): Promise<Page<PluginVersionRecord>>;
  searchPlugins(query: PluginSearch): Promise<Page<PluginListing>>;
  /** Names of the plugins under `scope` (`@<scope>/*`), whatever their versions' status, by name, at most `limit`. */
  listPluginNamesByScope(scope: string, limit: number): Promise<string[]>;
  listAudit(query: AuditQuery): Promise<Page<AuditEntry>>;
  /**
   * Sets (a Deprecation) or clears (null) a version's deprecation and appends
   * `audit`, in one transaction; the updated record, or null when the version
   * does not exist (nothing written).
   */
  setDeprecation(name: string, version: string, deprecation: Deprecation | null, audit: AuditEntryInput): Promise<PluginVersionRecord | null>;
  /** The plugin's explicitly set dist-tags. */
  listDistTags(name: string): Promise<DistTags>;
  /**
   * Points `tag` at `version` if that version is approved, decided under the
   * plugin's lock (a concurrent yank cannot slip in between). Answers the
   * version's status when it is not approved (nothing written), or null when
   * the version does not exist; 'approved' when the tag was written, with
   * `audit` (its version the one the tag now names) in the same transaction.
   */
  setDistTag(name: string, tag: string, version: string, audit: AuditEntryInput): Promise<VersionStatus | null>;
  /** Removes a tag and appends `audit` (with the version the tag named); that version, or null when there was no such tag. */
  removeDistTag(name: string, tag: string, audit: Omit<AuditEntryInput, 'version'>): Promise<string | null>;
}

/** Package bytes, content-addressed by their SHA-256 (hex). Writing the same blob twice is a no-op. */
export interface BlobStore {
  put(sha256: string, bytes: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | null>;
}

/** Metered executions of one version (host/metering implements it in a later issue). */
export interface ExecutionStats {
  readonly executions: number;
  readonly succeeded: number;
  readonly timeouts: number;
  readonly memoryLimitExceeded: number;
  readonly pluginErrors: number;
  /** Mean CPU time used as a fraction of the CPU limit (0..1), when known. */
  readonly meanCpuRatio?: number;
  /** Escape-like behaviour the sandbox observed (forbidden host access attempts). */
  readonly escapeAttempts?: number;
}

export interface ExecutionStatsPort {
  forVersion(name: string, version: string): Promise<ExecutionStats | null>;
}

/** Community signals of one plugin and its publisher. */
export interface CommunityStats {
  readonly distinctInstallers: number;
  readonly ratingCount: number;
  /** 1..5, or null without ratings. */
  readonly ratingAverage: number | null;
  /** When the publisher tenant was created (ISO-8601), or null if unknown. */
  readonly publisherCreatedAt: string | null;
  readonly publisherVerified: boolean;
}

export interface CommunityStatsPort {
  forPlugin(name: string, publisherTenantId: string): Promise<CommunityStats>;
}

/** Time source, injectable so maintenance and publisher-age scores are testable (host/foundation/clock.ts fits). */
export interface Clock {
  now(): Date;
}
