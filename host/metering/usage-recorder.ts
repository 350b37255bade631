/**
 * Durable usage records with group commit.
 *
 * The execute route must not answer before its usage record is committed
 * (durable before the response), but one INSERT per execution would make the
 * database's round trips the ceiling of the whole execution path. So
 * concurrent callers share commits, leader/follower style, and nobody waits
 * for company:
 *
 * 1. `record()` checks the record and queues it with its caller's promise.
 * 2. When no write is in flight, the queue leaves at the end of this turn of
 *    the event loop (so records finishing together share one INSERT) as ONE
 *    multi-row INSERT ... ON CONFLICT DO NOTHING of at most `maxBatch`.
 * 3. Records arriving while a write is in flight queue up and leave together
 *    the moment it finishes (at most `maxConcurrentWrites` writes at once).
 *    At low load every record goes at once; under load batches grow by
 *    themselves with the commit latency, and round trips stay far below
 *    executions, without ever holding a record back.
 * 4. Each caller's promise settles with ITS batch: resolved once committed,
 *    rejected with 503 `dependency_unavailable` when the statement failed.
 *    One statement is one transaction, so a failed batch wrote nothing, and
 *    the route never acknowledges an unrecorded execution.
 * 5. The executions of a failed batch did run, so their records are kept
 *    (at most `maxRetained`, with a warning) and retried in the background
 *    until the database takes them; the insert is idempotent per execution
 *    id, so each is metered exactly once even if a "failed" commit had in fact
 *    committed. A retried batch that fails again is split, so one record the
 *    database refuses for good (a data or integrity error, dropped with an
 *    error log) cannot hold the others back.
 *
 * Batches mix installs and tenants: all executions share commits.
 */
import { BazaarError } from '../../manifests/errors.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { UsageStore } from './ports.js';
import { assertStorableRecord, type UsageRecord } from './usage-record.js';

export type { UsageRecord } from './usage-record.js';

export interface UsageRecorderOptions {
  /** Where records go. */
  readonly store: Pick<UsageStore, 'insertMany'>;
  readonly logger: Logger;
  /** Records per INSERT at most (default 100). */
  readonly maxBatch?: number;
  /** Batches written at once (default 1: the next batch gathers while one commits). */
  readonly maxConcurrentWrites?: number;
  /** Records of failed batches kept for retry at most (default 50,000; the oldest go first, logged). */
  readonly maxRetained?: number;
  /** First retry delay after a failure, doubling up to 5 s (default 500 ms). */
  readonly retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 5_000;

interface Waiter {
  readonly record: UsageRecord;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class UsageRecorder {
  readonly #repository: Pick<UsageStore, 'insertMany'>;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxConcurrentWrites: number;
  #queue: Waiter[] = [];
  readonly #writes = new Set<Promise<void>>();
  /** Set while the queue's departure at the end of this turn is scheduled. */
  #departure: NodeJS.Immediate | undefined;
  #roundTrips = 0;
  /** Batches written by `record()`'s group commit, by size (index = records in the batch). */
  readonly #batchSizes: number[];
  #closing: Promise<void> | undefined;
  readonly #maxRetained: number;
  readonly #firstRetryDelayMs: number;
  /** Records whose batch failed, by execution id, oldest first. */
  readonly #retained = new Map<string, UsageRecord>();
  #retryTimer: NodeJS.Timeout | undefined;
  #retrying: Promise<void> | undefined;
  #retryDelayMs: number;
  #retrySize: number;

  constructor(opts: UsageRecorderOptions) {
    this.#repository = opts.store;
    this.#logger = opts.logger;
    this.#maxBatch = integerAtLeast('maxBatch', opts.maxBatch ?? 100, 1);
    this.#maxConcurrentWrites = integerAtLeast('maxConcurrentWrites', opts.maxConcurrentWrites ?? 1, 1);
    this.#maxRetained = integerAtLeast('maxRetained', opts.maxRetained ?? 50_000, 1);
    this.#firstRetryDelayMs = integerAtLeast('retryDelayMs', opts.retryDelayMs ?? 500, 1);
    this.#retryDelayMs = this.#firstRetryDelayMs;
    this.#retrySize = this.#maxBatch;
    this.#batchSizes = new Array<number>(this.#maxBatch + 1).fill(0);
  }

  /** Records waiting for their group commit (for /metrics). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Records of failed batches still waiting to be written. */
  get retained(): number {
    return this.#retained.size;
  }

  /** Database round trips made so far (one per batch written, failed or not). */
  get roundTrips(): number {
    return this.#roundTrips;
  }

  /** How many group-commit batches had each size so far (index = records per INSERT; retries excluded). */
  get batchSizes(): readonly number[] {
    return [...this.#batchSizes];
  }

  /**
   * Resolves once `rec` is committed (idempotent per `executionId`). Rejects
   * with 503 `dependency_unavailable` when the database fails or the recorder
   * is closed, and with a `TypeError` for a record that cannot be stored (a
   * caller bug, kept out of the batch so it cannot fail its neighbours).
   */
  record(rec: UsageRecord): Promise<void> {
    if (this.#closing !== undefined) {
      return Promise.reject(new BazaarError('dependency_unavailable', 'The usage recorder is closed.'));
    }
    try {
      assertStorableRecord(rec);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      // A copy: the caller may reuse its object before the batch leaves.
      this.#queue.push({ record: { ...rec }, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.#pump();
      else if (this.#writes.size < this.#maxConcurrentWrites) this.#departure ??= setImmediate(() => this.#pump());
    });
  }

  /** Write everything queued, wait for it, then refuse new records. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#writes.size > 0) {
      this.#pump();
      await Promise.allSettled([...this.#writes]);
    }
    // One last try for retained records; what still fails is lost to this process, so name it.
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#retrying;
    if (this.#retained.size > 0) await this.#retryOnce();
    if (this.#retained.size > 0) {
      this.#logger.error({ records: this.#retained.size, executionIds: [...this.#retained.keys()].slice(0, 100) }, 'usage records lost at shutdown: the database did not take them');
    }
  }

  /** Send queued batches while write slots are free; the rest leave when a write finishes. */
  #pump(): void {
    if (this.#departure !== undefined) clearImmediate(this.#departure);
    this.#departure = undefined;
    while (this.#queue.length > 0 && this.#writes.size < this.#maxConcurrentWrites) {
      const batch = this.#queue.slice(0, this.#maxBatch);
      this.#queue = this.#queue.slice(this.#maxBatch);
      const write: Promise<void> = this.#write(batch).finally(() => {
        this.#writes.delete(write);
        // What arrived during this commit leaves now, together.
        if (this.#queue.length > 0) this.#pump();
      });
      this.#writes.add(write);
    }
  }

  /** One INSERT for the batch; settle every caller in it. Never rejects. */
  async #write(batch: readonly Waiter[]): Promise<void> {
    // A duplicate executionId inside one batch is stored once; both callers learn the same outcome.
    const unique = new Map<string, UsageRecord>();
    for (const waiter of batch) if (!unique.has(waiter.record.executionId)) unique.set(waiter.record.executionId, waiter.record);
    this.#roundTrips += 1;
    this.#batchSizes[batch.length] = (this.#batchSizes[batch.length] ?? 0) + 1;
    try {
      await this.#repository.insertMany([...unique.values()]);
    } catch (cause) {
      this.#logger.error({ ...errorFields(cause), records: batch.length }, 'usage records could not be written');
      for (const waiter of batch) {
        waiter.reject(new BazaarError('dependency_unavailable', 'The usage record could not be stored.', undefined, { cause }));
      }
      this.#retain([...unique.values()]);
      return;
    }
    for (const waiter of batch) waiter.resolve();
  }

  /** Keep records of executions that ran but could not be written, for the background retry. */
  #retain(records: readonly UsageRecord[]): void {
    for (const rec of records) {
      if (this.#retained.has(rec.executionId)) continue;
      if (this.#retained.size >= this.#maxRetained) {
        const [oldest] = this.#retained.keys();
        if (oldest !== undefined) this.#retained.delete(oldest);
        this.#logger.error({ executionId: oldest, maxRetained: this.#maxRetained }, 'usage record dropped: too many waiting for the database');
      }
      this.#retained.set(rec.executionId, rec);
    }
    this.#logger.warn({ records: records.length, retained: this.#retained.size }, 'usage records kept for retry until the database is back');
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#retrying !== undefined || this.#closing !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#retrying = this.#retryOnce().finally(() => {
        this.#retrying = undefined;
        if (this.#retained.size > 0) this.#scheduleRetry();
      });
    }, this.#retryDelayMs);
    this.#retryTimer.unref(); // a retry never keeps the process alive; close() makes the last attempt
  }

  /** Write retained records until done or a batch fails (then back off and split). Never rejects. */
  async #retryOnce(): Promise<void> {
    while (this.#retained.size > 0) {
      const batch = [...this.#retained.values()].slice(0, this.#retrySize);
      this.#roundTrips += 1;
      try {
        await this.#repository.insertMany(batch);
      } catch (err) {
        if (batch.length === 1 && isPermanent(err)) {
          this.#retained.delete(batch[0]!.executionId);
          this.#logger.error({ ...errorFields(err), executionId: batch[0]!.executionId }, 'usage record dropped: the database refuses it');
          continue;
        }
        this.#retrySize = Math.max(1, Math.floor(batch.length / 2));
        this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, MAX_RETRY_DELAY_MS);
        return;
      }
      for (const rec of batch) this.#retained.delete(rec.executionId);
      this.#retrySize = this.#maxBatch;
      this.#retryDelayMs = this.#firstRetryDelayMs;
      if (this.#retained.size === 0) this.#logger.info({ records: batch.length }, 'usage records kept for retry are written');
    }
  }
}

/** A data exception (22) or integrity violation (23): retrying the same row cannot succeed. */
function isPermanent(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}
