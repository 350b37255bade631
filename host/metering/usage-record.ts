/**
 * The usage record: what one execution cost, written once, before the
 * execution's answer is sent (docs/product.md "The execution path": usage
 * recorded durably before the answer). It is the durable truth for quotas,
 * usage pages and billing, and what GET /v1/executions answers from.
 *
 * A record may carry the execution's logs and full error (`keptLogs`, failed
 * executions by default): written in the same statement as the record, into
 * a side table a retention sweep empties (host/executions/execution-logs.ts).
 */
export type ExecutionStatus = 'succeeded' | 'failed';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'failed'];

export interface UsageRecord {
  readonly executionId: string;
  readonly tenantId: string;
  readonly installId: string;
  readonly pluginName: string;
  readonly pluginVersion: string;
  readonly action: string;
  readonly status: ExecutionStatus;
  /** The 422 code of a failed execution (an `ExecutionErrorCode` such as `plugin_error`); `null` when it succeeded. */
  readonly errorCode: string | null;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly memoryBytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** What is kept for a while beside the record; absent or `null`: nothing (or no longer anything). */
  readonly keptLogs?: KeptLogs | null;
}

/** An execution's logs and full error, kept for a limited time. */
export interface KeptLogs {
  /** As the execution answered them (the runtime bounds them). */
  readonly logs: readonly string[];
  /** The error as answered: `code`, `message`, and whatever else it carries (a `stack`); `null` for a success. */
  readonly error: Readonly<Record<string, string>> | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an execution id may look like (also what GET /v1/executions/:id accepts). */
export const EXECUTION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Throw a `TypeError` unless `rec` can be stored. The recorder checks each
 * record before it joins a batch: a record the database would refuse must
 * fail its own caller only, never the whole group commit it would share.
 * A failure here is a bug in the caller, not a client error.
 */
export function assertStorableRecord(rec: UsageRecord): void {
  const fail = (what: string) => {
    throw new TypeError(`usage record ${JSON.stringify(rec?.executionId)}: ${what}`);
  };
  if (typeof rec !== 'object' || rec === null) fail('not an object');
  if (typeof rec.executionId !== 'string' || !EXECUTION_ID.test(rec.executionId)) fail('bad executionId');
  if (typeof rec.tenantId !== 'string' || !UUID.test(rec.tenantId)) fail('tenantId must be a uuid');
  if (typeof rec.installId !== 'string' || !UUID.test(rec.installId)) fail('installId must be a uuid');
  for (const name of ['pluginName', 'pluginVersion', 'action'] as const) {
    const value = rec[name];
    // Postgres text cannot hold U+0000; the action name may come from the request.
    if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || value.includes('\u0000')) {
      fail(`bad ${name}`);
    }
  }
  if (!EXECUTION_STATUSES.includes(rec.status)) fail('bad status');
  const hasCode = typeof rec.errorCode === 'string' && rec.errorCode.length > 0 && !rec.errorCode.includes('\u0000');
  if (rec.status === 'failed' ? !hasCode : rec.errorCode !== null) fail('a failure needs an errorCode, a success none');
  for (const name of ['cpuMs', 'wallMs', 'memoryBytes', 'inputBytes', 'outputBytes'] as const) {
    const value = rec[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`bad ${name}`);
  }
  for (const name of ['memoryBytes', 'inputBytes', 'outputBytes'] as const) {
    if (!Number.isSafeInteger(rec[name])) fail(`${name} must be an integer`);
  }
  for (const name of ['startedAt', 'finishedAt'] as const) {
    const value = rec[name];
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(`bad ${name}`);
  }
  const kept = rec.keptLogs;
  if (kept !== undefined && kept !== null) {
    if (!Array.isArray(kept.logs) || !kept.logs.every((line) => typeof line === 'string')) fail('keptLogs.logs must be strings');
    const { error } = kept;
    if (error !== null && (typeof error !== 'object' || !Object.values(error).every((v) => typeof v === 'string'))) {
      fail('keptLogs.error must be null or an object of strings');
    }
  }
}

/**
 * The JSON of GET /v1/executions: the record, shaped like the execute answer
 * (`executionId`, `status`, `usage`, `error.code`) minus what is not stored
 * (the output is the caller's, never kept) and the kept logs (one execution's
 * answer only: `executionDetailToJson`).
 */
export function executionToJson(rec: UsageRecord) {
  return {
    executionId: rec.executionId,
    installId: rec.installId,
    plugin: rec.pluginName,
    version: rec.pluginVersion,
    action: rec.action,
    status: rec.status,
    error: rec.errorCode === null ? null : { code: rec.errorCode },
    usage: {
      cpuMs: rec.cpuMs,
      wallMs: rec.wallMs,
      memoryBytes: rec.memoryBytes,
      inputBytes: rec.inputBytes,
      outputBytes: rec.outputBytes,
    },
    startedAt: rec.startedAt.toISOString(),
    finishedAt: rec.finishedAt.toISOString(),
  };
}

/**
 * The JSON of GET /v1/executions/:id: the list's, plus `logs` while they are
 * kept (`null` when they never were or have expired), and while they are, the
 * full error as answered (`message`, a `stack` when it had one) beside its code.
 */
export function executionDetailToJson(rec: UsageRecord) {
  const json = executionToJson(rec);
  const kept = rec.keptLogs ?? null;
  const error = json.error !== null && kept !== null && kept.error !== null ? { ...kept.error, code: json.error.code } : json.error;
  return { ...json, error, logs: kept === null ? null : [...kept.logs] };
}
