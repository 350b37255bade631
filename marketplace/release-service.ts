/**
 * Safer releases: deprecation notices on versions and dist-tags.
 *
 * - Deprecate / undeprecate (the publisher of the scope or a reviewer): a
 *   message on the version; it still installs and runs, and every view and
 *   install answer carries the message.
 * - Dist-tags (the publisher of the scope only): point a tag at an approved
 *   version, list, remove (never `latest`, which always means something).
 *
 * Who may: a version or plugin the actor cannot see is 404 (visibility.ts);
 * one it can see but not change is 403 `forbidden`.
 */
import { BazaarError } from '../manifests/errors.js';
import { isPublisherOf, isReviewer, type KeyActor } from './actor.js';
import { decisionEntry } from './audit.js';
import { effectiveDistTags, isDistTagName, LATEST_TAG } from './dist-tags.js';
import type { Clock, MarketplaceRepository, PluginVersionRecord } from './ports.js';
import { canSeeVersion, notFound, requireVisible } from './visibility.js';

export const MAX_DEPRECATION_LENGTH = 1024;

export interface ReleaseServiceDeps {
  readonly repository: MarketplaceRepository;
  readonly clock: Clock;
}

export class ReleaseService {
  readonly #deps: ReleaseServiceDeps;

  constructor(deps: ReleaseServiceDeps) {
    this.#deps = deps;
  }

  /** Sets (or replaces) the version's deprecation message. */
  async deprecate(actor: KeyActor, name: string, version: string, message: string): Promise<PluginVersionRecord> {
    const record = await this.#changeableVersion(actor, name, version);
    const audit = decisionEntry('deprecate', actor, record, null, null, message);
    return this.#saved(record, await this.#deps.repository.setDeprecation(record.name, record.version, { message, at: this.#deps.clock.now().toISOString() }, audit));
  }

  /** Clears it; a version that is not deprecated stays so (200 either way). */
  async undeprecate(actor: KeyActor, name: string, version: string): Promise<PluginVersionRecord> {
    const record = await this.#changeableVersion(actor, name, version);
    const audit = decisionEntry('undeprecate', actor, record, null, null, null);
    return this.#saved(record, await this.#deps.repository.setDeprecation(record.name, record.version, null, audit));
  }

  /** The tags as `actor` sees them (only tags to versions it may see; `latest` derived when not set). */
  async distTags(actor: KeyActor, name: string): Promise<Record<string, string>> {
    const [versions, stored] = await Promise.all([this.#deps.repository.listVersions(name), this.#deps.repository.listDistTags(name)]);
    const visible = versions.filter((v) => canSeeVersion(actor, v));
    if (visible.length === 0) throw notFound(name);
    return effectiveDistTags(stored, visible);
  }

  /** Points `tag` at an approved `version`; answers the tags after the change. */
  async setDistTag(actor: KeyActor, name: string, tag: string, version: string): Promise<Record<string, string>> {
    await this.#requirePublisher(actor, name);
    requireTagName(tag);
    const audit = decisionEntry('dist_tag_set', actor, { name, version }, null, null, null, { tag });
    const status = await this.#deps.repository.setDistTag(name, tag, version, audit);
    if (status === null) throw notFound(`${name}@${version}`);
    if (status !== 'approved') {
      throw new BazaarError('version_not_installable', `${name}@${version} is ${status}; a dist-tag may only name an approved version.`, { status });
    }
    return this.distTags(actor, name);
  }

  /** Removes a tag other than `latest`; an unknown tag is 404. */
  async removeDistTag(actor: KeyActor, name: string, tag: string): Promise<Record<string, string>> {
    await this.#requirePublisher(actor, name);
    requireTagName(tag);
    if (tag === LATEST_TAG) throw new BazaarError('invalid_request', 'The latest tag cannot be removed; point it at another version instead.');
    const audit = { action: 'dist_tag_remove', actor, plugin: name, fromStatus: null, toStatus: null, notes: null, data: { tag } } as const;
    if ((await this.#deps.repository.removeDistTag(name, tag, audit)) === null) throw notFound(`Dist-tag ${tag} of ${name}`);
    return this.distTags(actor, name);
  }

  async #changeableVersion(actor: KeyActor, name: string, version: string): Promise<PluginVersionRecord> {
    const record = requireVisible(actor, await this.#deps.repository.findVersion(name, version), `${name}@${version}`);
    const allowed = isReviewer(actor) || (isPublisherOf(actor, name) && actor.scopes.includes('plugins:publish'));
    if (!allowed) throw new BazaarError('forbidden', 'Only the publisher of this scope or a reviewer may deprecate it.');
    return record;
  }

  async #requirePublisher(actor: KeyActor, name: string): Promise<void> {
    const versions = await this.#deps.repository.listVersions(name);
    if (!versions.some((v) => canSeeVersion(actor, v))) throw notFound(name);
    if (!isPublisherOf(actor, name) || !actor.scopes.includes('plugins:publish')) {
      throw new BazaarError('forbidden', 'Only the publisher of this scope may change its dist-tags.');
    }
  }

  #saved(record: PluginVersionRecord, updated: PluginVersionRecord | null): PluginVersionRecord {
    // Versions are never deleted, so the one just read is still there.
    if (updated === null) throw new Error(`version ${record.name}@${record.version} vanished`);
    return updated;
  }
}

function requireTagName(tag: string): void {
  if (!isDistTagName(tag)) {
    throw new BazaarError('invalid_request', 'A dist-tag is 1 to 32 lowercase letters, digits or hyphens, starting with a letter, and must not read as a semver range.');
  }
}
