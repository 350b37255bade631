/**
 * The marketplace's list queries: the listing with full-text search, the
 * review queue and the audit log. All keyset-paginated (host/foundation/pagination.ts);
 * a cursor a client tampered with is a 400, never a 500.
 */
import type { Knex } from 'knex';
import { BazaarError } from '../../manifests/errors.js';
import type { AuditEntry } from '../../marketplace/audit.js';
import type { AuditQuery, Cursor, Page, PluginListing, PluginSearch, PluginSort, PluginVersionRecord, ReviewQueueQuery } from '../../marketplace/ports.js';
import { toPage } from '../foundation/pagination.js';
import { toAuditEntry, toListing, toVersionRecord, type AuditRow, type PluginRow, type VersionRow } from './marketplace-rows.js';

const badCursor = (): BazaarError => new BazaarError('invalid_request', 'cursor is invalid.');

function intAt(cursor: Cursor, i: number): number {
  const raw = cursor[i] ?? '';
  if (!/^-?\d{1,10}$/.test(raw)) throw badCursor();
  return Number(raw);
}

function timeAt(cursor: Cursor, i: number): Date {
  const date = new Date(cursor[i] ?? '');
  if (Number.isNaN(date.getTime())) throw badCursor();
  return date;
}

/** Each sort: its column (descending), then name ascending as the tie-break. */
const SORT_COLUMNS: Record<PluginSort, 'trust_score' | 'install_count' | 'latest_published_at'> = {
  trust: 'trust_score',
  installs: 'install_count',
  recent: 'latest_published_at',
};

/** Listed plugins (with an approved version); `q` uses Postgres full-text search. */
export async function searchPlugins(db: Knex, query: PluginSearch): Promise<Page<PluginListing>> {
  const column = SORT_COLUMNS[query.sort];
  const q = db<PluginRow>('plugins').whereNotNull('latest_version');
  if (query.q !== undefined && query.q.trim() !== '') {
    q.whereRaw(`search @@ websearch_to_tsquery('english', ?)`, [query.q]);
  }
  if (query.after) {
    if (query.after.length !== 2) throw badCursor();
    const key = column === 'latest_published_at' ? timeAt(query.after, 0) : intAt(query.after, 0);
    const name = query.after[1]!;
    q.where((w) => w.where(column, '<', key).orWhere((e) => e.where(column, '=', key).andWhere('name', '>', name)));
  }
  const rows = await q.orderBy([{ column, order: 'desc' }, { column: 'name', order: 'asc' }]).limit(query.limit + 1);
  const keyOf = (r: PluginRow): Cursor => [
    column === 'latest_published_at' ? new Date(r.latest_published_at ?? 0).toISOString() : String(r[column] ?? 0),
    r.name,
  ];
  return toPage(rows, query.limit, keyOf, toListing);
}

/** The names of the plugins under one scope (every status: the publisher's own view), by name. */
export async function pluginNamesByScope(db: Knex, scope: string, limit: number): Promise<string[]> {
  const rows: Pick<PluginRow, 'name'>[] = await db('plugins').select('name').where('scope', scope).orderBy('name').limit(limit);
  return rows.map((r) => r.name);
}

/** Versions waiting for review (or quarantined ones), ordered by trust score (then id, for a stable order). */
export async function listPending(db: Knex, query: ReviewQueueQuery): Promise<Page<PluginVersionRecord>> {
  const q = db<VersionRow>('plugin_versions').where({ status: query.status ?? 'pending_review' });
  if (query.after) {
    if (query.after.length !== 2) throw badCursor();
    const op = query.order === 'desc' ? '<' : '>';
    q.whereRaw(`(trust_score, id) ${op} (?, ?)`, [intAt(query.after, 0), intAt(query.after, 1)]);
  }
  const rows = await q.orderBy([{ column: 'trust_score', order: query.order }, { column: 'id', order: query.order }]).limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => [String(r.trust_score), String(r.id)], toVersionRecord);
}

/** The audit log, newest first. */
export async function listAudit(db: Knex, query: AuditQuery): Promise<Page<AuditEntry>> {
  const q = db<AuditRow>('marketplace_audit_log');
  if (query.plugin !== undefined) q.where({ plugin_name: query.plugin });
  if (query.after) {
    if (query.after.length !== 1) throw badCursor();
    q.where('id', '<', intAt(query.after, 0));
  }
  const rows = await q.orderBy('id', 'desc').limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => [String(r.id)], toAuditEntry);
}
