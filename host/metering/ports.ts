/**
 * The storage ports of metering: the usage ledger and the idempotency keys.
 * The recorder, the idempotency store and the readers take these;
 * usage-repository.ts and idempotency-repository.ts implement them in SQL.
 */
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { ExecutionStatus, UsageRecord } from './usage-record.js';

/** The optional filters of GET /v1/executions. */
export interface ExecutionFilter {
  readonly installId?: string;
  readonly status?: ExecutionStatus;
}

/** How GET /v1/usage groups: by UTC day, by plugin name, or not at all. */
export type UsageGrouping = 'day' | 'plugin' | null;

/** One aggregate: a group (day `YYYY-MM-DD`, plugin name, or `null`), status and error code, with its sums. */
export interface UsageAggregate {
  readonly group: string | null;
  readonly status: ExecutionStatus;
  /** The failure's code; `null` for successes. */
  readonly errorCode: string | null;
  readonly executions: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** The usage ledger: one record per execution. */
export interface UsageStore {
  /** Insert records, with their kept logs, in one atomic statement; executions already recorded are skipped. */
  insertMany(records: readonly UsageRecord[]): Promise<void>;
  /** One execution of `tenantId`; another tenant's is `null`, as an unknown one. With `logsKeptSince`: its logs kept since then. */
  findById(tenantId: string, executionId: string, options?: { readonly logsKeptSince?: Date }): Promise<UsageRecord | null>;
  /** A tenant's executions, newest first. */
  list(tenantId: string, filter: ExecutionFilter, page: PageRequest): Promise<Page<UsageRecord>>;
  /** Executions started in [from, to), summed per group, status and error code. */
  aggregate(tenantId: string, from: Date, to: Date, grouping: UsageGrouping): Promise<UsageAggregate[]>;
  /** How many executions of `tenantId` started in [from, to). */
  countBetween(tenantId: string, from: Date, to: Date): Promise<number>;
  /** Delete at most `limit` kept logs of executions finished before `cutoff`; answers how many went. */
  deleteLogsFinishedBefore(cutoff: Date, limit: number): Promise<number>;
}

/** A stored idempotency key, as `IdempotencyStore` reads it. */
export interface IdempotencyEntry {
  readonly tenantId: string;
  readonly key: string;
  readonly fingerprint: string;
  /** The stored answer; `null` while the claim is in progress. */
  readonly response: { readonly status: number; readonly body: unknown } | null;
  readonly createdAt: Date;
  readonly leaseExpiresAt: Date | null;
  /** The execution the claim runs, when it is an execution. */
  readonly executionId: string | null;
}

/** A claim to write: who holds it until when, for which execution. */
export interface IdempotencyClaimRow {
  readonly fingerprint: string;
  readonly createdAt: Date;
  readonly leaseExpiresAt: Date;
  readonly executionId: string | null;
}

/** The idempotency keys; every method is one atomic statement. */
export interface IdempotencyKeyStore {
  /**
   * Insert the claim, or take over a row created at or before `expiredAt`
   * (re-checked under the row lock); answers whether this call got it.
   */
  claim(tenantId: string, key: string, claim: IdempotencyClaimRow, expiredAt: Date): Promise<boolean>;
  find(tenantId: string, key: string): Promise<IdempotencyEntry | null>;
  /**
   * Compare-and-set on an in-progress claim whose lease ended by `now`: move
   * the lease to `leaseExpiresAt` for `executionId`. Of several takers one wins.
   */
  takeOver(tenantId: string, key: string, now: Date, leaseExpiresAt: Date, executionId: string | null): Promise<boolean>;
  /** Whether the usage ledger holds a record of this execution. */
  executionRecorded(executionId: string): Promise<boolean>;
  /** Store the answer (`bodyJson`: its body as JSON text) of an in-progress claim; a claim that is gone is left alone. */
  complete(tenantId: string, key: string, status: number, bodyJson: string): Promise<void>;
  /** Drop an in-progress claim; a completed key stays. */
  abandon(tenantId: string, key: string): Promise<void>;
  /** Delete keys created at or before `expiredAt`; answers how many went. */
  purgeExpired(expiredAt: Date): Promise<number>;
}
