/**
 * Publishing a package, step by step:
 *
 *   bytes ─▶ readPackageArchive (limits, paths, manifest: 400 invalid_package / invalid_manifest)
 *         ─▶ scope check (`@<tenant slug>/...`, else 403 forbidden)
 *         ─▶ static analysis + trust score ─▶ auto-approval decision
 *         ─▶ blob store (content-addressed: a retry or a failed commit leaves at most an orphan blob)
 *         ─▶ one transaction: version row (UNIQUE name+version: 409 version_exists) + audit entries
 *         ─▶ rescore the plugin's other versions (their maintenance factor changed)
 *
 * Nothing is written before the package is fully validated and authorised;
 * a dry run stops there, answering the status the version would get.
 */
import { BazaarError } from '../manifests/errors.js';
import { SYSTEM_ACTOR, scopeOf, type KeyActor } from './actor.js';
import { decisionEntry, type AuditEntryInput } from './audit.js';
import type { MarketplaceOptions } from './marketplace-options.js';
import { readPackageArchive } from './package-archive.js';
import type { BlobStore, Clock, MarketplaceRepository, PluginVersionRecord } from './ports.js';
import { analyzeCode } from './trust/code-analysis.js';
import type { TrustReport } from './trust/trust-report.js';
import type { TrustService } from './trust/trust-service.js';
import { versionKey } from './version-order.js';
import type { VersionStatus } from './version-status.js';

export interface PublishServiceDeps {
  readonly repository: MarketplaceRepository;
  readonly blobs: BlobStore;
  readonly trust: TrustService;
  readonly clock: Clock;
  readonly options: Pick<MarketplaceOptions, 'autoApproveMinScore' | 'packageLimits'>;
  /** Where failures of after-commit work go (the publish itself has succeeded). */
  readonly reportError?: (err: unknown) => void;
}

export interface PublishResult {
  readonly name: string;
  readonly version: string;
  readonly status: VersionStatus;
  readonly sha256: string;
  readonly trust: TrustReport;
}

/** An upload that passed every check: what publishing it would write. */
interface CheckedUpload {
  readonly record: PluginVersionRecord;
  readonly siblings: readonly PluginVersionRecord[];
  readonly audit: readonly AuditEntryInput[];
}

function resultOf(record: PluginVersionRecord): PublishResult {
  return { name: record.name, version: record.version, status: record.status, sha256: record.sha256, trust: record.trust };
}

export class PublishService {
  readonly #deps: PublishServiceDeps;

  constructor(deps: PublishServiceDeps) {
    this.#deps = deps;
  }

  /** Publishes one package upload on behalf of `actor`. */
  async publish(actor: KeyActor, body: Buffer): Promise<PublishResult> {
    const { record, siblings, audit } = await this.#check(actor, body);
    await this.#deps.blobs.put(record.sha256, body);
    await this.#deps.repository.insertVersion(record, audit);
    if (siblings.length > 0) await this.#afterCommit(() => this.#deps.trust.recomputePlugin(record.name));
    return resultOf(record);
  }

  /**
   * Every check and the score `publish` would make, and the status the
   * version would get, writing nothing (no blob, no version, no audit entry).
   * Refuses with the same codes as `publish`.
   */
  async dryRun(actor: KeyActor, body: Buffer): Promise<PublishResult> {
    return resultOf((await this.#check(actor, body)).record);
  }

  /** Validation, scope, version-exists, score and auto-approval: everything before the first write. */
  async #check(actor: KeyActor, body: Buffer): Promise<CheckedUpload> {
    if (body.length === 0) throw new BazaarError('invalid_package', 'The upload is empty.');
    const pkg = await readPackageArchive(body, this.#deps.options.packageLimits);
    const { name, version } = pkg.manifest;
    if (scopeOf(name) !== actor.tenantSlug) {
      throw new BazaarError('forbidden', `This key may publish only under @${actor.tenantSlug}/.`);
    }
    const siblings = await this.#deps.repository.listVersions(name);
    // A cheap early answer; the UNIQUE constraint of insertVersion is what really decides.
    if (siblings.some((v) => versionKey(v.version) === versionKey(version))) throw versionExists(name, version);

    const candidate = {
      name,
      scope: actor.tenantSlug,
      version,
      status: 'pending_review' as VersionStatus,
      sha256: pkg.sha256,
      compressedBytes: pkg.compressedBytes,
      unpackedBytes: pkg.unpackedBytes,
      manifest: pkg.manifest,
      publisherTenantId: actor.tenantId,
      publisherKeyId: actor.keyId,
      publishedAt: this.#deps.clock.now().toISOString(),
      analysis: analyzeCode(pkg.files, pkg.manifest),
      statusReason: null,
      deprecated: null,
    };
    const trust = await this.#deps.trust.assess(candidate, siblings);
    const threshold = this.#deps.options.autoApproveMinScore;
    const autoApprove = threshold !== null && !trust.hasCriticalFinding && trust.score >= threshold;
    const record: PluginVersionRecord = { ...candidate, trust, status: autoApprove ? 'approved' : 'pending_review' };

    const audit: AuditEntryInput[] = [
      decisionEntry('publish', actor, record, null, 'pending_review', null, { sha256: pkg.sha256, trustScore: trust.score }),
    ];
    if (autoApprove) {
      const notes = `trust score ${trust.score} ≥ auto-approve threshold ${threshold}, no critical findings`;
      audit.push(decisionEntry('auto_approve', SYSTEM_ACTOR, record, 'pending_review', 'approved', notes, { trustScore: trust.score, threshold }));
    }
    return { record, siblings, audit };
  }

  async #afterCommit(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.#deps.reportError?.(err);
    }
  }
}

export function versionExists(name: string, version: string): BazaarError<'version_exists'> {
  return new BazaarError('version_exists', `${name}@${version} is already published; a published version never changes.`, { name, version });
}
