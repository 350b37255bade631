/**
 * Review decisions and yanks. Each is a compare-and-set on the version's
 * status plus an audit entry, in one transaction: two reviewers deciding at
 * once cannot both win, and no decision goes unrecorded.
 */
import { BazaarError } from '../manifests/errors.js';
import { isPublisherOf, isReviewer, SYSTEM_ACTOR, type Actor, type KeyActor } from './actor.js';
import { decisionEntry, type AuditAction } from './audit.js';
import type { MarketplaceRepository, Page, PluginVersionRecord, ReviewQueueQuery } from './ports.js';
import type { TrustService } from './trust/trust-service.js';
import { requireTransition, type VersionEvent } from './version-status.js';
import { requireVisible } from './visibility.js';

export type ReviewDecision = 'approve' | 'reject';

export interface ReviewServiceDeps {
  readonly repository: MarketplaceRepository;
  readonly trust: TrustService;
  /** Where failures of after-commit work go (the decision itself has succeeded). */
  readonly reportError?: (err: unknown) => void;
}

export const MAX_NOTES_LENGTH = 4000;

export class ReviewService {
  readonly #deps: ReviewServiceDeps;

  constructor(deps: ReviewServiceDeps) {
    this.#deps = deps;
  }

  /** Pending (or, with `status: 'quarantined'`, quarantined) versions ordered by trust score, each with its breakdown. */
  async queue(query: ReviewQueueQuery): Promise<Page<PluginVersionRecord>> {
    return this.#deps.repository.listPending(query);
  }

  /**
   * The circuit breaker's verdict: quarantine an approved version, as the
   * system actor, with the figures in the audit entry. Answers the updated
   * version, or null when it is no longer approved (another host quarantined
   * it first, or it was yanked): the compare-and-set makes it happen once.
   */
  async quarantine(name: string, version: string, notes: string, data: Record<string, unknown>): Promise<PluginVersionRecord | null> {
    const current = await this.#deps.repository.findVersion(name, version);
    if (current === null || current.status !== 'approved') return null;
    const to = requireTransition(current.status, 'quarantine');
    const entry = decisionEntry('quarantine', SYSTEM_ACTOR, current, current.status, to, notes, { trustScore: current.trust.score, ...data });
    return this.#deps.repository.transitionStatus(name, version, current.status, to, notes, entry);
  }

  /** Approve or reject a pending version, or reinstate (approve) a quarantined one (reviewers and the operator only). */
  async decide(actor: KeyActor, name: string, version: string, decision: ReviewDecision, notes: string | null): Promise<PluginVersionRecord> {
    if (!isReviewer(actor)) throw new BazaarError('forbidden', 'Only reviewers may decide on versions.');
    return this.#transition(actor, name, version, decision, decision, notes);
  }

  /**
   * Yank a version (its publisher or a reviewer), with a reason. A yanked
   * version stays stored (name@version is never reused) but cannot be installed.
   */
  async yank(actor: KeyActor, name: string, version: string, reason: string): Promise<PluginVersionRecord> {
    const record = requireVisible(actor, await this.#deps.repository.findVersion(name, version), `${name}@${version}`);
    const allowed = isReviewer(actor) || (isPublisherOf(actor, name) && actor.scopes.includes('plugins:publish'));
    if (!allowed) throw new BazaarError('forbidden', 'Only the publisher of this scope or a reviewer may yank it.');
    return this.#transition(actor, record.name, record.version, 'yank', 'yank', reason, record);
  }

  async #transition(
    actor: Actor,
    name: string,
    version: string,
    event: VersionEvent,
    action: AuditAction,
    notes: string | null,
    known?: PluginVersionRecord,
  ): Promise<PluginVersionRecord> {
    const current = known ?? requireVisible(actor, await this.#deps.repository.findVersion(name, version), `${name}@${version}`);
    const to = requireTransition(current.status, event);
    const entry = decisionEntry(action, actor, current, current.status, to, notes, { trustScore: current.trust.score });
    const updated = await this.#deps.repository.transitionStatus(name, version, current.status, to, notes, entry);
    if (updated === null) {
      // Someone else changed the status between our read and our write.
      throw new BazaarError('conflict', `${name}@${version} changed meanwhile; reload and decide again.`);
    }
    // Rejections and yanks count against the plugin's maintenance factor.
    if (to === 'rejected' || to === 'yanked') {
      try {
        await this.#deps.trust.recomputePlugin(name);
        return (await this.#deps.repository.findVersion(name, version)) ?? updated;
      } catch (err) {
        this.#deps.reportError?.(err);
      }
    }
    return updated;
  }
}
