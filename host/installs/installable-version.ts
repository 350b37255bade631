/**
 * Which published version an install request means (docs/http-api.md
 * "Installs"): `version` is an exact version, a semver range or a dist-tag
 * (dist-tags.ts); default the `latest` tag (the newest approved unless set).
 * A tag resolves once, here: the install records the version, and does not
 * follow the tag when it moves.
 *
 * - The plugin must be visible to the tenant (visibility.ts): otherwise 404,
 *   exactly as if it did not exist.
 * - A version or range that names only non-approved versions (pending,
 *   rejected, yanked, quarantined) is 409 `version_not_installable`; one that
 *   names nothing at all is 404.
 */
import semver from 'semver';
import { BazaarError } from '../../manifests/errors.js';
import { describeIssues, type ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { Actor } from '../../marketplace/actor.js';
import type { MarketplaceRepository, PluginVersionRecord } from '../../marketplace/ports.js';
import { isDistTagName, latestVersion } from '../../marketplace/dist-tags.js';
import { latestOf, versionKey } from '../../marketplace/version-order.js';
import { canSeeVersion, notFound } from '../../marketplace/visibility.js';
import type { JsonValue } from '../../runtime/types.js';

function notInstallable(message: string, status?: string): BazaarError {
  return new BazaarError('version_not_installable', message, status === undefined ? undefined : { status });
}

/** Resolve `requested` (undefined: latest approved) among `name`'s versions, as `viewer` may see them. */
export async function resolveInstallableVersion(
  repository: Pick<MarketplaceRepository, 'listVersions' | 'listDistTags'>,
  viewer: Actor,
  name: string,
  requested: string | undefined,
): Promise<PluginVersionRecord> {
  const all = await repository.listVersions(name);
  if (!all.some((v) => canSeeVersion(viewer, v))) throw notFound(name);
  if (requested === undefined) {
    const latest = latestVersion(await repository.listDistTags(name), all);
    if (latest === undefined) throw notInstallable(`${name} has no approved version.`);
    return latest;
  }
  if (semver.valid(requested) !== null) return exactVersion(all, name, requested);
  if (isDistTagName(requested)) {
    // `latest` always means what a default install gets (an explicit one no longer approved falls back).
    if (requested === 'latest') return resolveInstallableVersion(repository, viewer, name, undefined);
    const tags = await repository.listDistTags(name);
    const tagged = tags[requested];
    if (tagged === undefined) throw notFound(`Dist-tag ${requested} of ${name}`);
    return exactVersion(all, name, tagged);
  }
  if (semver.validRange(requested) === null) {
    throw new BazaarError('invalid_request', 'version must be a semantic version or a semver range.');
  }
  const matching = all.filter((v) => semver.satisfies(v.version, requested, { includePrerelease: false }));
  const approved = latestOf(matching.filter((v) => v.status === 'approved'));
  if (approved !== undefined) return approved;
  if (matching.length === 0) throw notFound(`A version of ${name} matching ${requested}`);
  throw notInstallable(`No approved version of ${name} matches ${requested}.`);
}

function exactVersion(all: readonly PluginVersionRecord[], name: string, requested: string): PluginVersionRecord {
  const exact = all.find((v) => versionKey(v.version) === versionKey(requested));
  if (exact === undefined) throw notFound(`${name}@${requested}`);
  if (exact.status !== 'approved') throw notInstallable(`${name}@${exact.version} is ${exact.status}, not approved for installation.`, exact.status);
  return exact;
}

/** `raw` checked against `record`'s config schema, with its defaults filled in; 400 `invalid_config` otherwise. */
export function resolveConfigFor(schemas: ActionSchemaCache, record: PluginVersionRecord, raw: JsonValue | undefined): JsonValue {
  const resolution = schemas.get(record.sha256, record.manifest).resolveConfig(raw ?? {});
  if (!resolution.valid) {
    throw new BazaarError('invalid_config', `config does not match the config schema of ${record.name}@${record.version}: ${describeIssues(resolution.issues)}`, resolution.issues);
  }
  return resolution.config as JsonValue;
}
