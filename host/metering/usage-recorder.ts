/**
 * Durable usage records with group commit.
 *
 * The execute route must not answer before its usage record is committed
 * (PRODUCT.md: "usage record (durable before the response)"), but one INSERT
 * per execution would make the database's round trips the ceiling of the
 * whole execution path. So concurrent callers share commits:
 *
 * 1. `record()` checks the record and queues it with its caller's promise.
 * 2. A batch is written as ONE multi-row INSERT ... ON CONFLICT DO NOTHING
 *    when `maxBatch` records wait, or `maxDelayMs` after the first one queued
 *    (0: on the next turn of the event loop).
 * 3. At most `maxConcurrentWrites` batches are in flight; records arriving
 *    meanwhile queue up and leave together as soon as a write finishes. Under
 *    load, batches grow by themselves and round trips stay far below
 *    executions.
 * 4. Each caller's promise settles with ITS batch: resolved once committed,
 *    rejected with 503 `dependency_unavailable` when the statement failed.
 *    One statement is one transaction, so a failed batch wrote nothing, and
 *    the route never acknowledges an unrecorded execution.
 */
import type { Knex } from 'knex';
import { BazaarError } from '../../manifests/errors.js';
import { errorFields, type Logger } from '../logger.js';
import { UsageRepository } from '../storage/usage-repository.js';
import { assertStorableRecord, type UsageRecord } from './usage-record.js';

export type { UsageRecord } from './usage-record.js';

export interface UsageRecorderOptions {
  readonly db: Knex;
  readonly logger: Logger;
  /** Records per INSERT at most (default 100). */
  readonly maxBatch?: number;
  /** How long the first queued record waits for company (default 2 ms; 0 = next tick). */
  readonly maxDelayMs?: number;
  /** Batches written at once (default 2): enough to overlap round trips, few enough to leave the pool to requests. */
  readonly maxConcurrentWrites?: number;
}

interface Waiter {
  readonly record: UsageRecord;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class UsageRecorder {
  readonly #repository: UsageRepository;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #maxConcurrentWrites: number;
  #queue: Waiter[] = [];
  readonly #writes = new Set<Promise<void>>();
  /** Cancels the armed wait of the first queued record; set while one is armed. */
  #cancelWait: (() => void) | undefined;
  #roundTrips = 0;
  #closing: Promise<void> | undefined;

  constructor(opts: UsageRecorderOptions) {
    this.#repository = new UsageRepository(opts.db);
    this.#logger = opts.logger;
    this.#maxBatch = integerAtLeast('maxBatch', opts.maxBatch ?? 100, 1);
    this.#maxDelayMs = integerAtLeast('maxDelayMs', opts.maxDelayMs ?? 2, 0);
    this.#maxConcurrentWrites = integerAtLeast('maxConcurrentWrites', opts.maxConcurrentWrites ?? 2, 1);
  }

  /** Database round trips made so far (one per batch written, failed or not). */
  get roundTrips(): number {
    return this.#roundTrips;
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
      else this.#arm();
    });
  }

  /** Write everything queued, wait for it, then refuse new records. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    this.#disarm();
    while (this.#queue.length > 0 || this.#writes.size > 0) {
      this.#pump();
      await Promise.allSettled([...this.#writes]);
    }
  }

  /** Start the wait of the first queued record (once per batch). */
  #arm(): void {
    if (this.#cancelWait !== undefined) return;
    const fire = () => {
      this.#cancelWait = undefined;
      this.#pump();
    };
    if (this.#maxDelayMs === 0) {
      const immediate = setImmediate(fire);
      this.#cancelWait = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(fire, this.#maxDelayMs);
      this.#cancelWait = () => clearTimeout(timeout);
    }
  }

  #disarm(): void {
    this.#cancelWait?.();
    this.#cancelWait = undefined;
  }

  /** Send queued batches while write slots are free; the rest leave when a write finishes. */
  #pump(): void {
    while (this.#queue.length > 0 && this.#writes.size < this.#maxConcurrentWrites) {
      const batch = this.#queue.slice(0, this.#maxBatch);
      this.#queue = this.#queue.slice(this.#maxBatch);
      const write: Promise<void> = this.#write(batch).finally(() => {
        this.#writes.delete(write);
        // Whatever queued during this write has waited long enough: send it now.
        if (this.#queue.length > 0) this.#pump();
      });
      this.#writes.add(write);
    }
    if (this.#queue.length === 0) this.#disarm();
  }

  /** One INSERT for the batch; settle every caller in it. Never rejects. */
  async #write(batch: readonly Waiter[]): Promise<void> {
    // A duplicate executionId inside one batch is stored once; both callers learn the same outcome.
    const unique = new Map<string, UsageRecord>();
    for (const waiter of batch) if (!unique.has(waiter.record.executionId)) unique.set(waiter.record.executionId, waiter.record);
    this.#roundTrips += 1;
    try {
      await this.#repository.insertMany([...unique.values()]);
    } catch (cause) {
      this.#logger.error({ ...errorFields(cause), records: batch.length }, 'usage records could not be written');
      for (const waiter of batch) {
        waiter.reject(new BazaarError('dependency_unavailable', 'The usage record could not be stored.', undefined, { cause }));
      }
      return;
    }
    for (const waiter of batch) waiter.resolve();
  }
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}
