/**
 * The usage ledger in SQL (`usage_records`, migration 004) and the logs kept
 * beside it for a while (`execution_logs`, migration 010). Rows are mapped to
 * `UsageRecord` here, so nothing above this file sees snake_case, JSON text or
 * the drivers' string-typed bigints.
 *
 * Also the `UsageSource` of the quota counters (host/limits): a counter that
 * Redis lost is rebuilt from the executions recorded here.
 */
import type { Knex } from 'knex';
import { BazaarError } from '../../manifests/errors.js';
import type { UsageSource } from '../limits/ports.js';
import { parseQuotaPeriod } from '../foundation/quota-period.js';
import { EXECUTION_ID, type ExecutionStatus, type KeptLogs, type UsageRecord } from './usage-record.js';
import { type Cursor, type Page, type PageRequest, toPage } from '../foundation/pagination.js';
import type { ExecutionFilter, UsageAggregate, UsageGrouping, UsageStore } from './ports.js';

const TABLE = 'usage_records';
const LOGS_TABLE = 'execution_logs';

/** A `usage_records` row as pg and PGlite return it (bigints may arrive as strings). */
interface UsageRow {
  execution_id: string;
  tenant_id: string;
  install_id: string;
  plugin_name: string;
  plugin_version: string;
  action: string;
  status: ExecutionStatus;
  error_code: string | null;
  cpu_ms: number;
  wall_ms: number;
  memory_bytes: number | string;
  input_bytes: number | string;
  output_bytes: number | string;
  started_at: Date;
  finished_at: Date;
}

/** An `execution_logs` row: logs and error as JSON text. */
interface KeptLogsRow {
  execution_id: string;
  tenant_id: string;
  logs: string;
  error: string | null;
  finished_at: Date;
}

/** Reads and writes `usage_records` and `execution_logs`. */
export class UsageRepository implements UsageStore, UsageSource {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Insert records in ONE statement (one round trip, one atomic commit);
   * executions already recorded are skipped, so a retried flush is harmless.
   * Kept logs ride in the same statement (the ledger's INSERT as a CTE), so
   * keeping them costs the execution path no round trip.
   */
  async insertMany(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ledger = this.#db(TABLE).insert(records.map(toRow)).onConflict('execution_id').ignore();
    const kept = records.flatMap(toKeptLogsRow);
    if (kept.length === 0) {
      await ledger;
      return;
    }
    await this.#db.with('recorded', ledger).insert(kept).into(LOGS_TABLE).onConflict('execution_id').ignore();
  }

  /**
   * One execution of `tenantId`; another tenant's is `null`, as an unknown one.
   * With `logsKeptSince`, also its kept logs if it finished at or after then
   * (older ones have expired, whether or not the sweep has deleted them yet).
   */
  async findById(tenantId: string, executionId: string, options: { readonly logsKeptSince?: Date } = {}): Promise<UsageRecord | null> {
    const query = this.#db(`${TABLE} as u`).where({ 'u.tenant_id': tenantId, 'u.execution_id': executionId }).first('u.*');
    const since = options.logsKeptSince;
    if (since !== undefined) {
      query
        .leftJoin(`${LOGS_TABLE} as l`, (on) => {
          on.on('l.execution_id', '=', 'u.execution_id').andOn('l.tenant_id', '=', 'u.tenant_id').andOn('l.finished_at', '>=', this.#db.raw('?', [since]));
        })
        .select({ kept_logs: 'l.logs', kept_error: 'l.error' });
    }
    const row = (await query) as (UsageRow & { kept_logs?: string | null; kept_error?: string | null }) | undefined;
    if (row === undefined) return null;
    const record = toRecord(row);
    return typeof row.kept_logs === 'string' ? { ...record, keptLogs: fromKeptLogsRow(row.kept_logs, row.kept_error ?? null) } : record;
  }

  /**
   * Delete at most `limit` kept logs of executions finished before `cutoff`;
   * answers how many went (the sweep goes again while batches come back full).
   */
  async deleteLogsFinishedBefore(cutoff: Date, limit: number): Promise<number> {
    const expired = this.#db(LOGS_TABLE).select('execution_id').where('finished_at', '<', cutoff).limit(limit);
    const result: unknown = await this.#db(LOGS_TABLE).whereIn('execution_id', expired).delete();
    // pg answers the row count; knex-pglite passes the raw result through (`{rowCount}`).
    return typeof result === 'number' ? result : Number((result as { rowCount?: unknown }).rowCount ?? 0);
  }

  /** A tenant's executions, newest first, keyset-paginated on (started_at, execution_id). */
  async list(tenantId: string, filter: ExecutionFilter, page: PageRequest): Promise<Page<UsageRecord>> {
    const query = this.#db<UsageRow>(TABLE)
      .where({ tenant_id: tenantId })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'execution_id', order: 'desc' },
      ])
      .limit(page.limit + 1);
    if (filter.installId !== undefined) query.where({ install_id: filter.installId });
    if (filter.status !== undefined) query.where({ status: filter.status });
    if (page.after !== null) {
      const after = parseExecutionCursor(page.after);
      query.whereRaw('(started_at, execution_id) < (?, ?)', [after.startedAt, after.executionId]);
    }
    const rows = (await query) as UsageRow[];
    return toPage(rows, page.limit, executionCursor, toRecord);
  }

  /** Executions started in [from, to), summed per group, status and error code. */
  async aggregate(tenantId: string, from: Date, to: Date, grouping: UsageGrouping): Promise<UsageAggregate[]> {
    const group =
      grouping === 'day'
        ? `to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
        : grouping === 'plugin'
          ? 'plugin_name'
          : 'NULL::text';
    const result = await this.#db.raw<{ rows: AggregateRow[] }>(
      `SELECT ${group} AS grp, status, error_code, count(*) AS executions,
              coalesce(sum(cpu_ms), 0) AS cpu_ms, coalesce(sum(wall_ms), 0) AS wall_ms
         FROM ${TABLE}
        WHERE tenant_id = ? AND started_at >= ? AND started_at < ?
        GROUP BY grp, status, error_code
        ORDER BY grp, status, error_code`,
      [tenantId, from, to],
    );
    return result.rows.map((r) => ({
      group: r.grp,
      status: r.status,
      errorCode: r.error_code,
      executions: Number(r.executions),
      cpuMs: Number(r.cpu_ms),
      wallMs: Number(r.wall_ms),
    }));
  }

  /** How many executions of `tenantId` started in [from, to). */
  async countBetween(tenantId: string, from: Date, to: Date): Promise<number> {
    const row = await this.#db(TABLE)
      .where({ tenant_id: tenantId })
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .count({ n: '*' })
      .first();
    return Number((row as { n?: number | string } | undefined)?.n ?? 0);
  }

  /** `UsageSource`: executions recorded in a quota period (`YYYY-MM` or `<start>/<end>`, foundation/quota-period.ts). */
  async executionsIn(tenantId: string, period: string): Promise<number> {
    const { start, end } = parseQuotaPeriod(period);
    return this.countBetween(tenantId, start, end);
  }
}

interface AggregateRow {
  grp: string | null;
  status: ExecutionStatus;
  error_code: string | null;
  executions: number | string;
  cpu_ms: number | string;
  wall_ms: number | string;
}

function toRow(r: UsageRecord): UsageRow {
  return {
    execution_id: r.executionId,
    tenant_id: r.tenantId,
    install_id: r.installId,
    plugin_name: r.pluginName,
    plugin_version: r.pluginVersion,
    action: r.action,
    status: r.status,
    error_code: r.errorCode,
    cpu_ms: r.cpuMs,
    wall_ms: r.wallMs,
    memory_bytes: r.memoryBytes,
    input_bytes: r.inputBytes,
    output_bytes: r.outputBytes,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
  };
}

function toKeptLogsRow(r: UsageRecord): KeptLogsRow[] {
  const kept = r.keptLogs;
  if (kept === undefined || kept === null) return [];
  return [{
    execution_id: r.executionId,
    tenant_id: r.tenantId,
    logs: JSON.stringify(kept.logs),
    error: kept.error === null ? null : JSON.stringify(kept.error),
    finished_at: r.finishedAt,
  }];
}

function fromKeptLogsRow(logs: string, error: string | null): KeptLogs {
  return { logs: JSON.parse(logs) as string[], error: error === null ? null : (JSON.parse(error) as Record<string, string>) };
}

function toRecord(row: UsageRow): UsageRecord {
  return {
    executionId: row.execution_id,
    tenantId: row.tenant_id,
    installId: row.install_id,
    pluginName: row.plugin_name,
    pluginVersion: row.plugin_version,
    action: row.action,
    status: row.status,
    errorCode: row.error_code,
    cpuMs: Number(row.cpu_ms),
    wallMs: Number(row.wall_ms),
    memoryBytes: Number(row.memory_bytes),
    inputBytes: Number(row.input_bytes),
    outputBytes: Number(row.output_bytes),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function executionCursor(row: UsageRow): Cursor {
  return [row.started_at.toISOString(), row.execution_id];
}

/** Read a (started_at, execution_id) cursor; a hand-crafted bad one is 400, never a 500. */
function parseExecutionCursor(cursor: Cursor): { startedAt: Date; executionId: string } {
  const [time, executionId] = cursor;
  const startedAt = new Date(time ?? '');
  if (cursor.length !== 2 || Number.isNaN(startedAt.getTime()) || executionId === undefined || !EXECUTION_ID.test(executionId)) {
    throw new BazaarError('invalid_request', 'cursor is invalid.');
  }
  return { startedAt, executionId };
}
