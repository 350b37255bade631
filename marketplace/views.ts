/**
 * JSON shapes of the marketplace resources in the HTTP contract
 * (docs/http-api.md "Packages, plugins and versions", "Review"). Kept beside
 * the domain so that the routes, the CLI and tests agree on them.
 */
import type { PluginDetail } from './plugin-catalog.js';
import type { PluginVersionRecord } from './ports.js';
import { trustSummary, type TrustReport } from './trust/trust-report.js';

/** The full trust breakdown: score, risk, six factors, evidence, findings. */
export function trustView(t: TrustReport) {
  return {
    score: t.score,
    risk: t.risk,
    factors: t.factors,
    evidence: t.evidence,
    findings: t.findings,
    weights: t.weights,
    computedAt: t.computedAt,
  };
}

/** GET /v1/plugins/:name/versions/:version, and review answers. */
export function versionView(v: PluginVersionRecord) {
  return {
    name: v.name,
    version: v.version,
    status: v.status,
    statusReason: v.statusReason,
    sha256: v.sha256,
    compressedBytes: v.compressedBytes,
    unpackedBytes: v.unpackedBytes,
    publishedAt: v.publishedAt,
    publisherTenantId: v.publisherTenantId,
    deprecated: v.deprecated,
    manifest: v.manifest,
    trust: trustView(v.trust),
  };
}

/** GET /v1/plugins/:name. */
export function pluginView(d: PluginDetail) {
  const m = d.describedBy.manifest;
  return {
    name: m.name,
    description: m.description ?? null,
    // What a default install gets: the `latest` dist-tag.
    latestVersion: d.distTags['latest'] ?? null,
    homepage: m.homepage ?? null,
    repository: m.repository ?? null,
    license: m.license,
    keywords: m.keywords ?? [],
    trust: d.latest ? trustSummary(d.latest.trust) : null,
    distTags: d.distTags,
    versions: d.versions.map((v) => ({ version: v.version, status: v.status, publishedAt: v.publishedAt, deprecated: v.deprecated, trust: trustSummary(v.trust) })),
  };
}

/** One item of GET /v1/reviews: the pending (or quarantined) version with its breakdown. */
export function reviewItemView(v: PluginVersionRecord) {
  return {
    name: v.name,
    version: v.version,
    status: v.status,
    // Why it is here: for a quarantined version, the circuit breaker's figures.
    statusReason: v.statusReason,
    sha256: v.sha256,
    publishedAt: v.publishedAt,
    publisherTenantId: v.publisherTenantId,
    description: v.manifest.description ?? null,
    permissions: v.manifest.permissions ?? {},
    trust: trustView(v.trust),
  };
}

/** 201 of POST /v1/packages. */
export function publishView(r: { name: string; version: string; status: string; sha256: string; trust: TrustReport }) {
  return { name: r.name, version: r.version, status: r.status, sha256: r.sha256, trust: trustView(r.trust) };
}

/** 200 of POST /v1/packages?dryRun=true: the same fields, with the status the version would get. */
export function dryRunView(r: { name: string; version: string; status: string; sha256: string; trust: TrustReport }) {
  return { ...publishView(r), dryRun: true as const };
}
