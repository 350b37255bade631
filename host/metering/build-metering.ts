/**
 * Wiring of the metering area for `buildDeps`: the group-committing usage
 * recorder, the idempotency store and the usage ledger's repository, all on
 * the host's database. `closeDeps` closes the recorder (flushing what is
 * queued) before it destroys the database.
 */
import type { Knex } from 'knex';
import type { Clock } from '../foundation/clock.js';
import { IdempotencyStore } from './idempotency-store.js';
import { IdempotencyKeyRepository } from './idempotency-repository.js';
import type { Logger } from '../foundation/logger.js';
import { UsageRepository } from './usage-repository.js';
import { UsageRecorder } from './usage-recorder.js';

export type { IdempotencyStore, UsageRecorder, UsageRepository };

export interface MeteringDeps {
  /** Durable usage records, group-committed (the execute route awaits `record()` before answering). */
  readonly usage: UsageRecorder;
  readonly idempotency: IdempotencyStore;
  /** Reads of the usage ledger (executions, usage pages; the quota counters' `UsageSource`). */
  readonly usageRepository: UsageRepository;
}

export function buildMetering(options: {
  readonly db: Knex;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Idempotency claims' lease: longer than any execution (default 5 min). */
  readonly idempotencyLeaseMs?: number;
}): MeteringDeps {
  const { db, logger, clock } = options;
  return {
    usage: new UsageRecorder({ store: new UsageRepository(db), logger }),
    idempotency: new IdempotencyStore({ keys: new IdempotencyKeyRepository(db), clock, ...(options.idempotencyLeaseMs === undefined ? {} : { leaseMs: options.idempotencyLeaseMs }) }),
    usageRepository: new UsageRepository(db),
  };
}
