/**
 * Which executions keep their logs, and for how long. A failed execution
 * keeps its logs and full error (code, message, a stack when it has one) for
 * `retentionDays` after it finished; a succeeded one keeps nothing unless
 * `keepSucceeded`; `retentionDays` 0 keeps none at all.
 *
 * The logs are written with the usage record, in the same statement
 * (usage-repository.ts), so keeping them adds no round trip to the execution
 * path. A periodic sweep deletes expired ones, in batches; reads ignore what
 * expired before the sweep got to it, so the retention holds whatever the
 * sweep's cadence. Every host runs the sweep: deleting twice is harmless.
 */
import type { ExecutionResult } from '../../runtime/types.js';
import type { Clock } from '../foundation/clock.js';
import type { ExecutionLogConfig } from '../foundation/config.js';
import type { Logger } from '../foundation/logger.js';
import { PeriodicTask } from '../foundation/periodic-task.js';
import type { UsageStore } from '../metering/ports.js';
import type { KeptLogs } from '../metering/usage-record.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Expiry is per day: an hourly sweep keeps the table close to it without busying the database. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** Rows deleted per statement; a full batch goes again at once. */
const SWEEP_BATCH = 1_000;
/** Each error field kept at most (the runtime bounds the message; this bounds whatever else rides along). */
const MAX_ERROR_FIELD_CHARS = 16 * 1024;

export interface ExecutionLogRetentionOptions {
  readonly config: ExecutionLogConfig;
  readonly store: Pick<UsageStore, 'deleteLogsFinishedBefore'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ExecutionLogRetention {
  readonly #config: ExecutionLogConfig;
  readonly #store: Pick<UsageStore, 'deleteLogsFinishedBefore'>;
  readonly #clock: Clock;
  readonly #sweep: PeriodicTask<number>;

  constructor(options: ExecutionLogRetentionOptions) {
    this.#config = options.config;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#sweep = new PeriodicTask({
      name: 'execution logs: retention sweep',
      intervalMs: SWEEP_INTERVAL_MS,
      run: () => this.sweepOnce(),
      again: (deleted) => deleted >= SWEEP_BATCH,
      logger: options.logger,
    });
  }

  /** What the usage record of `result` keeps beside it; `null`: nothing. */
  keptLogsOf(result: ExecutionResult): KeptLogs | null {
    if (this.#config.retentionDays === 0) return null;
    if (result.status === 'succeeded') return this.#config.keepSucceeded ? { logs: result.logs, error: null } : null;
    // The same fallback as the answer, so what is read back is what was answered.
    return { logs: result.logs, error: keptError(result.error ?? { code: 'plugin_error', message: 'The plugin failed.' }) };
  }

  /** Logs of executions finished before this have expired; `undefined`: none are kept. */
  keptSince(): Date | undefined {
    if (this.#config.retentionDays === 0) return undefined;
    return new Date(this.#clock.now().getTime() - this.#config.retentionDays * DAY_MS);
  }

  /** Delete one batch of expired logs (all of them when none are kept); answers how many went. */
  sweepOnce(): Promise<number> {
    return this.#store.deleteLogsFinishedBefore(this.keptSince() ?? this.#clock.now(), SWEEP_BATCH);
  }

  /** Start this process's sweep loop (idempotent). */
  start(): void {
    this.#sweep.start();
  }

  /** Stop the loop, waiting for a sweep in progress (idempotent). */
  stop(): Promise<void> {
    return this.#sweep.stop();
  }
}

/** The error's string fields, as answered (code, message, and a stack once the runtime reports one), each bounded. */
function keptError(error: object): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(error)) {
    if (typeof value === 'string') kept[name] = value.slice(0, MAX_ERROR_FIELD_CHARS);
  }
  return kept;
}
