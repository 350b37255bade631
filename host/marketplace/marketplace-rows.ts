/**
 * Rows of the marketplace tables as pg and PGlite return them, and their
 * mapping to domain records, so nothing above host/storage sees snake_case.
 */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { AuditAction, AuditEntry, AuditEntryInput } from '../../marketplace/audit.js';
import type { PluginListing, PluginVersionRecord } from '../../marketplace/ports.js';
import type { CodeAnalysis } from '../../marketplace/trust/code-analysis.js';
import type { TrustReport } from '../../marketplace/trust/trust-report.js';
import { versionKey } from '../../marketplace/version-order.js';
import type { VersionStatus } from '../../marketplace/version-status.js';

export interface VersionRow {
  id: number;
  plugin_name: string;
  version: string;
  version_key: string;
  status: VersionStatus;
  status_reason: string | null;
  sha256: string;
  compressed_bytes: number;
  unpacked_bytes: number;
  manifest: PluginManifest;
  analysis: CodeAnalysis;
  trust: TrustReport;
  trust_score: number;
  trust_risk: string;
  publisher_tenant_id: string;
  publisher_key_id: string | null;
  published_at: Date;
  updated_at: Date;
  deprecated_message: string | null;
  deprecated_at: Date | null;
}

export interface PluginRow {
  name: string;
  latest_version: string | null;
  description: string | null;
  keywords: string;
  homepage: string | null;
  trust_score: number | null;
  risk: string | null;
  install_count: number;
  latest_published_at: Date | null;
}

export interface AuditRow {
  id: number;
  at: Date;
  action: AuditAction;
  actor_type: 'key' | 'system';
  actor_key_id: string | null;
  actor_tenant_id: string | null;
  plugin_name: string;
  version: string;
  from_status: VersionStatus | null;
  to_status: VersionStatus | null;
  notes: string | null;
  data: Record<string, unknown>;
}

/** jsonb columns are written as JSON text: pg would turn a JS array into a Postgres array. */
const json = (value: unknown): string => JSON.stringify(value);

export function toVersionRow(r: PluginVersionRecord): Omit<VersionRow, 'id' | 'updated_at' | 'manifest' | 'analysis' | 'trust' | 'published_at' | 'deprecated_message' | 'deprecated_at'> & Record<'manifest' | 'analysis' | 'trust', string> & { published_at: Date } {
  return {
    plugin_name: r.name,
    version: r.version,
    version_key: versionKey(r.version),
    status: r.status,
    status_reason: r.statusReason,
    sha256: r.sha256,
    compressed_bytes: r.compressedBytes,
    unpacked_bytes: r.unpackedBytes,
    manifest: json(r.manifest),
    analysis: json(r.analysis),
    trust: json(r.trust),
    trust_score: r.trust.score,
    trust_risk: r.trust.risk,
    publisher_tenant_id: r.publisherTenantId,
    publisher_key_id: r.publisherKeyId,
    published_at: new Date(r.publishedAt),
  };
}

export function trustColumns(trust: TrustReport): { trust: string; trust_score: number; trust_risk: string } {
  return { trust: json(trust), trust_score: trust.score, trust_risk: trust.risk };
}

export function toVersionRecord(row: VersionRow): PluginVersionRecord {
  return {
    name: row.plugin_name,
    scope: row.plugin_name.slice(1, row.plugin_name.indexOf('/')),
    version: row.version,
    status: row.status,
    statusReason: row.status_reason,
    deprecated:
      row.deprecated_message === null || row.deprecated_message === undefined
        ? null
        : { message: row.deprecated_message, at: new Date(row.deprecated_at ?? 0).toISOString() },
    sha256: row.sha256,
    compressedBytes: row.compressed_bytes,
    unpackedBytes: row.unpacked_bytes,
    manifest: row.manifest,
    analysis: row.analysis,
    trust: row.trust,
    publisherTenantId: row.publisher_tenant_id,
    publisherKeyId: row.publisher_key_id,
    publishedAt: new Date(row.published_at).toISOString(),
  };
}

export function toListing(row: PluginRow): PluginListing {
  return {
    name: row.name,
    latestVersion: row.latest_version ?? '',
    description: row.description,
    keywords: row.keywords === '' ? [] : row.keywords.split(' '),
    homepage: row.homepage,
    trustScore: row.trust_score ?? 0,
    risk: row.risk ?? 'critical',
    installCount: row.install_count,
    latestPublishedAt: new Date(row.latest_published_at ?? 0).toISOString(),
  };
}

export function toAuditRow(e: AuditEntryInput): Omit<AuditRow, 'id' | 'at' | 'data'> & { data: string } {
  return {
    action: e.action,
    actor_type: e.actor.kind,
    actor_key_id: e.actor.kind === 'key' ? e.actor.keyId : null,
    actor_tenant_id: e.actor.kind === 'key' ? e.actor.tenantId : null,
    plugin_name: e.plugin,
    version: e.version,
    from_status: e.fromStatus,
    to_status: e.toStatus,
    notes: e.notes,
    data: json(e.data ?? {}),
  };
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    action: row.action,
    actor: { type: row.actor_type, keyId: row.actor_key_id, tenantId: row.actor_tenant_id },
    plugin: row.plugin_name,
    version: row.version,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    notes: row.notes,
    data: row.data,
  };
}
