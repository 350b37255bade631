/**
 * The marketplace (docs/http-api.md "Packages, plugins and versions",
 * "Review"): publishing, the listing, plugins and versions with their trust
 * breakdown, yank, deprecation notices, dist-tags, ratings, the review queue
 * and the audit log (package-routes.ts, plugin-routes.ts, rating-routes.ts,
 * review-routes.ts). Answers follow marketplace/views.ts.
 */
import { AUDIT_ACTIONS } from '../../marketplace/audit.js';
import { PLUGIN_MANIFEST_SCHEMA } from '../../manifests/plugin-manifest.schema.js';
import { VERSION_STATUSES } from '../../marketplace/version-status.js';
import { TRUST_FACTORS } from '../../marketplace/trust/trust-report.js';
import { parseRateBody } from './rating.js';
import { parseDeprecateBody, parseDistTagBody, parseReviewBody, parseYankBody } from './marketplace-input.js';
import { PACKAGE_TYPES } from './package-routes.js';
import { MAX_DEPRECATION_LENGTH } from '../../marketplace/release-service.js';
import { PAGINATION } from '../foundation/openapi/common-components.js';
import { ANY_KEY, oneOfScopes, type OperationSpec } from '../foundation/openapi/operation.js';
import { dateTime, embedded, exact, nonNegativeInteger, nullableString, oneOfStrings, page, ref, uuid, type Schema } from '../foundation/openapi/schema-kit.js';

const RISKS = ['minimal', 'low', 'medium', 'high', 'critical'] as const;
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

const perFactor = exact(Object.fromEntries(TRUST_FACTORS.map((f) => [f, { type: 'number' }])));
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });

const pluginProperties: Record<string, Schema> = {
  name: { type: 'string' },
  description: nullableString,
  latestVersion: { ...nullableString, description: 'What a default install gets: the `latest` dist-tag (the newest approved version unless set); null while none is approved.' },
  homepage: nullableString,
  repository: nullableString,
  license: { type: 'string' },
  keywords: { type: 'array', items: { type: 'string' } },
  trust: nullable(ref('TrustSummary')),
  distTags: ref('DistTags'),
  versions: {
    type: 'array',
    description: 'The versions the caller may see, highest first.',
    items: exact({ version: { type: 'string' }, status: ref('VersionStatus'), publishedAt: dateTime, deprecated: nullable(ref('Deprecation')), trust: ref('TrustSummary') }),
  },
};

export const marketplaceSchemas: Record<string, Schema> = {
  PluginManifest: embedded(PLUGIN_MANIFEST_SCHEMA),
  VersionStatus: oneOfStrings(VERSION_STATUSES),
  Deprecation: {
    ...exact({ message: { type: 'string', minLength: 1, maxLength: MAX_DEPRECATION_LENGTH }, at: dateTime }),
    description: 'A deprecation notice: the version still installs and runs.',
  },
  DistTags: {
    type: 'object',
    description: 'Dist-tag → version, for the versions the caller may see. `latest` is the newest approved version unless set explicitly (absent while none is approved).',
    propertyNames: { pattern: '^[a-z][a-z0-9-]{0,31}$' },
    additionalProperties: { type: 'string' },
  },
  DistTagsResult: exact({ distTags: ref('DistTags') }),
  TrustSummary: exact({ score: { type: 'number', minimum: 0, maximum: 100 }, risk: oneOfStrings(RISKS) }),
  Trust: {
    ...exact({
      score: { type: 'number', minimum: 0, maximum: 100 },
      risk: oneOfStrings(RISKS),
      factors: perFactor,
      evidence: {
        type: 'array',
        items: exact(
          { factor: oneOfStrings(TRUST_FACTORS), signal: { type: 'string' }, detail: { type: 'string' }, impact: { type: 'number' }, severity: oneOfStrings(SEVERITIES) },
          ['severity'],
        ),
      },
      findings: {
        type: 'array',
        items: exact({ rule: { type: 'string' }, severity: oneOfStrings(SEVERITIES), file: { type: 'string' }, line: { type: ['integer', 'null'] }, message: { type: 'string' } }),
      },
      weights: perFactor,
      computedAt: dateTime,
    }),
    description: 'The trust breakdown: score 0–100, risk level, six factors explained by evidence, static-analysis findings, weights.',
  },
  PublishResult: exact({ name: { type: 'string' }, version: { type: 'string' }, status: ref('VersionStatus'), sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, trust: ref('Trust') }),
  DryRunResult: {
    ...exact({
      name: { type: 'string' },
      version: { type: 'string' },
      status: ref('VersionStatus'),
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      trust: ref('Trust'),
      dryRun: { const: true },
    }),
    description: 'What publishing these bytes would answer; nothing was stored.',
  },
  Version: exact({
    name: { type: 'string' },
    version: { type: 'string' },
    status: ref('VersionStatus'),
    statusReason: { ...nullableString, description: 'Why the status last changed (review notes, yank reason, circuit-breaker figures).' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    compressedBytes: nonNegativeInteger,
    unpackedBytes: nonNegativeInteger,
    publishedAt: dateTime,
    publisherTenantId: uuid,
    deprecated: { ...nullable(ref('Deprecation')), description: 'Set while the version is deprecated (it still installs and runs).' },
    manifest: ref('PluginManifest'),
    trust: ref('Trust'),
  }),
  Plugin: exact(pluginProperties),
  PluginWithRating: exact({ ...pluginProperties, rating: ref('RatingSummary') }),
  PluginListing: exact({
    name: { type: 'string' },
    latestVersion: { type: 'string' },
    description: nullableString,
    keywords: { type: 'array', items: { type: 'string' } },
    homepage: nullableString,
    trustScore: { type: 'number' },
    risk: oneOfStrings(RISKS),
    installCount: nonNegativeInteger,
    latestPublishedAt: dateTime,
  }),
  RatingSummary: exact({ average: { type: ['number', 'null'] }, count: nonNegativeInteger }),
  Rating: exact({ plugin: { type: 'string' }, stars: { type: 'integer', minimum: 1, maximum: 5 }, comment: nullableString, createdAt: dateTime, updatedAt: dateTime }),
  ReviewItem: exact({
    name: { type: 'string' },
    version: { type: 'string' },
    status: ref('VersionStatus'),
    statusReason: nullableString,
    sha256: { type: 'string' },
    publishedAt: dateTime,
    publisherTenantId: uuid,
    description: nullableString,
    permissions: embedded(PLUGIN_MANIFEST_SCHEMA.properties.permissions),
    trust: ref('Trust'),
  }),
  AuditEntry: exact({
    id: { type: 'string' },
    at: dateTime,
    action: oneOfStrings(AUDIT_ACTIONS),
    actor: exact({ type: oneOfStrings(['key', 'system']), keyId: { type: ['string', 'null'] }, tenantId: { type: ['string', 'null'] } }),
    plugin: { type: 'string' },
    version: { type: 'string' },
    fromStatus: nullable(ref('VersionStatus')),
    toStatus: nullable(ref('VersionStatus')),
    notes: nullableString,
    data: { type: 'object' },
  }),
};

const version = { description: 'The version.', json: ref('Version') };
const distTags = { description: 'The plugin\'s dist-tags after the change.', json: ref('DistTagsResult') };
const TAG_NAME = 'Tag names match `^[a-z][a-z0-9-]{0,31}$` and must not read as a semver range (else 400 `invalid_request`).';
const query = (name: string, schema: Schema, description: string): Schema => ({ name, in: 'query', schema, description });

export const marketplaceOperations: OperationSpec[] = [
  {
    method: 'post', path: '/v1/packages', operationId: 'publishPackage', tag: 'packages', summary: 'Publish a package (tarball)',
    description:
      'The body is the `.tgz` (manifest plus code). The name must be under the scope equal to the key\'s tenant slug ' +
      '(else 403 `forbidden`); an invalid manifest is 400 `invalid_manifest` with the ajv errors in `details`, a bad archive ' +
      '400 `invalid_package`, an existing version 409 `version_exists`. With `Idempotency-Key`, a replay of the same bytes answers the first 201. ' +
      'With `?dryRun=true` every check and the trust score run as for a publish, and the answer is 200 with the status the version would get; ' +
      'nothing is stored (no version, blob, audit entry, event or idempotent answer) and refusals have the same codes.',
    idempotent: true,
    access: oneOfScopes('plugins:publish'),
    parameters: [query('dryRun', { type: 'string', enum: ['true', 'false'], default: 'false' }, 'Check and score the package without publishing it.')],
    requestBody: {
      required: true,
      content: Object.fromEntries(PACKAGE_TYPES.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }])),
    },
    answers: {
      201: { description: 'Published (usually `pending_review`), with its trust breakdown.', json: ref('PublishResult') },
      200: { description: 'A dry run: what publishing would answer, nothing stored.', json: ref('DryRunResult') },
    },
    errors: ['invalid_manifest', 'invalid_package', 'version_exists', 'invalid_request'],
  },
  {
    method: 'get', path: '/v1/plugins', operationId: 'listPlugins', tag: 'plugins', summary: 'The marketplace: approved plugins',
    access: ANY_KEY,
    parameters: [
      query('q', { type: 'string', maxLength: 200 }, 'Full-text search.'),
      query('sort', { type: 'string', enum: ['trust', 'installs', 'recent'], default: 'trust' }, 'Order.'),
      ...PAGINATION,
    ],
    answers: { 200: { description: 'A page of listings.', json: page(ref('PluginListing')) } },
    errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/plugins/{name}', operationId: 'getPlugin', tag: 'plugins', summary: 'A plugin, its visible versions and its rating',
    description: 'Unapproved versions are visible only to their publisher, reviewers and the operator; a plugin with no visible version is 404.',
    access: ANY_KEY, answers: { 200: { description: 'The plugin.', json: ref('PluginWithRating') } },
  },
  {
    method: 'get', path: '/v1/plugins/{name}/versions/{version}', operationId: 'getVersion', tag: 'plugins', summary: 'A version: manifest, status, sha256 and trust breakdown',
    access: ANY_KEY, answers: { 200: version },
  },
  {
    method: 'get', path: '/v1/plugins/{name}/versions/{version}/tarball', operationId: 'getTarball', tag: 'plugins', summary: 'The package bytes',
    access: ANY_KEY,
    answers: {
      200: {
        description: 'The `.tgz`.',
        content: { 'application/gzip': { schema: { type: 'string', contentMediaType: 'application/gzip' } } },
        headers: {
          ETag: { description: 'The quoted sha256.', schema: { type: 'string' } },
          'Content-Disposition': { description: '`attachment; filename="scope-name-1.2.3.tgz"`.', schema: { type: 'string' } },
        },
      },
    },
  },
  {
    method: 'post', path: '/v1/plugins/{name}/versions/{version}/yank', operationId: 'yankVersion', tag: 'plugins', summary: 'Yank a version',
    description: 'By the publisher of that scope or a reviewer. Yanked versions cannot be newly installed; installs on them stop executing (403 `version_yanked`). A version that cannot be yanked (already yanked or rejected) is 409 `conflict`.',
    access: oneOfScopes('plugins:publish', 'reviews:write'), body: parseYankBody.schema, answers: { 200: version }, errors: ['conflict'],
  },
  {
    method: 'post', path: '/v1/plugins/{name}/versions/{version}/deprecate', operationId: 'deprecateVersion', tag: 'plugins', summary: 'Deprecate a version',
    description:
      'By the publisher of that scope or a reviewer; `message` is 1 to 1024 characters. A deprecated version still installs and runs: ' +
      'plugin and version views carry `deprecated: {message, at}`, and installing or upgrading to it answers the message in `warnings`. ' +
      'Deprecating again replaces the message.',
    access: oneOfScopes('plugins:publish', 'reviews:write'), body: parseDeprecateBody.schema, answers: { 200: version },
  },
  {
    method: 'delete', path: '/v1/plugins/{name}/versions/{version}/deprecate', operationId: 'undeprecateVersion', tag: 'plugins', summary: 'Undo a deprecation',
    description: 'By the publisher of that scope or a reviewer; answers the version with `deprecated: null` (also when it was not deprecated).',
    access: oneOfScopes('plugins:publish', 'reviews:write'), answers: { 200: version },
  },
  {
    method: 'put', path: '/v1/plugins/{name}/dist-tags/{tag}', operationId: 'setDistTag', tag: 'plugins', summary: 'Point a dist-tag at an approved version',
    description:
      'By the publisher of that scope. `version` must be an exact, approved version: a version in another status is 409 ' +
      '`version_not_installable` (its status in `details`), an unknown one 404. ' + TAG_NAME +
      ' An install\'s `version` may name a tag: it resolves once, when installing, and the install keeps that version when the tag moves.',
    access: oneOfScopes('plugins:publish'), body: parseDistTagBody.schema, answers: { 200: distTags },
    errors: ['version_not_installable', 'invalid_request'],
  },
  {
    method: 'delete', path: '/v1/plugins/{name}/dist-tags/{tag}', operationId: 'removeDistTag', tag: 'plugins', summary: 'Remove a dist-tag',
    description: 'By the publisher of that scope. `latest` cannot be removed (400 `invalid_request`); an unknown tag is 404. ' + TAG_NAME,
    access: oneOfScopes('plugins:publish'), answers: { 200: distTags }, errors: ['invalid_request'],
  },
  {
    method: 'post', path: '/v1/plugins/{name}/ratings', operationId: 'ratePlugin', tag: 'ratings', summary: 'Rate a plugin the tenant has installed',
    description: 'One rating per tenant and plugin: 201 for the first, 200 when it replaces the earlier one. A plugin the tenant has not installed is 404.',
    access: oneOfScopes('plugins:install'), body: parseRateBody.schema, idempotent: true,
    answers: { 201: { description: 'Rated.', json: ref('Rating') }, 200: { description: 'The earlier rating, replaced.', json: ref('Rating') } },
  },
  {
    method: 'get', path: '/v1/reviews', operationId: 'reviewQueue', tag: 'reviews', summary: 'The review queue, ordered by trust score',
    access: oneOfScopes('reviews:write'),
    parameters: [
      query('order', { type: 'string', enum: ['asc', 'desc'], default: 'desc' }, 'By trust score.'),
      query('status', { type: 'string', enum: ['pending_review', 'quarantined'], default: 'pending_review' }, 'The queue, or the versions the circuit breaker quarantined.'),
      ...PAGINATION,
    ],
    answers: { 200: { description: 'A page of versions with their breakdown.', json: page(ref('ReviewItem')) } },
    errors: ['invalid_request'],
  },
  {
    method: 'post', path: '/v1/plugins/{name}/versions/{version}/review', operationId: 'reviewVersion', tag: 'reviews', summary: 'Approve or reject a version',
    description: 'Every decision is in the audit log; approving a quarantined version reinstates it. A decision the version\'s status does not allow is 409 `conflict`.',
    access: oneOfScopes('reviews:write'), body: parseReviewBody.schema, answers: { 200: { description: 'The version with its new status.', json: ref('Version') } },
    errors: ['conflict'],
  },
  {
    method: 'get', path: '/v1/audit-log', operationId: 'auditLog', tag: 'reviews', summary: 'Who did what, when',
    access: oneOfScopes('admin', 'reviews:write'),
    parameters: [query('plugin', { type: 'string', maxLength: 200 }, 'Only this plugin.'), ...PAGINATION],
    answers: { 200: { description: 'A page of entries, newest first.', json: page(ref('AuditEntry')) } },
    errors: ['invalid_request'],
  },
];
