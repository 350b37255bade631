/**
 * The hourly rollup of the usage ledger: each pass recomputes the
 * hours from the watermark (an hour before the current one) up to the
 * current hour from `usage_records`, and upserts them into
 * `plugin_usage_hourly`. A pass is idempotent, so every host process runs the
 * loop and none coordinates: two passes at once write the same figures.
 *
 * Why recompute instead of adding deltas: records of an hour keep arriving
 * after it ends (an execution is recorded when it finishes), and a
 * recomputation is correct however many hosts ran it, a delta only once.
 */
import type { Clock } from '../foundation/clock.js';
import type { Logger } from '../foundation/logger.js';
import type { AnalyticsStore } from './ports.js';

const HOUR_MS = 60 * 60 * 1000;

/** Ended hours recomputed again on every pass, for records that arrive late. */
export const LOOKBACK_HOURS = 1;
/** The most hours one pass covers, so catching up after a long pause stays a series of bounded statements. */
export const MAX_HOURS_PER_PASS = 24 * 7;

export interface RollupPass {
  readonly from: Date;
  readonly to: Date;
  readonly rows: number;
}

export class UsageRollup {
  readonly #repository: Pick<AnalyticsStore, 'rolledBefore' | 'earliestExecution' | 'rollUp' | 'advanceRolledBefore'>;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(deps: { readonly repository: Pick<AnalyticsStore, 'rolledBefore' | 'earliestExecution' | 'rollUp' | 'advanceRolledBefore'>; readonly clock: Clock; readonly logger: Logger }) {
    this.#repository = deps.repository;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  /** One pass; answers what it covered (null: nothing recorded yet). */
  async runOnce(): Promise<RollupPass | null> {
    const now = this.#clock.now();
    const currentHour = floorHour(now);
    const settled = new Date(currentHour.getTime() - LOOKBACK_HOURS * HOUR_MS);
    const mark = await this.#repository.rolledBefore();
    let from: Date;
    if (mark === null) {
      const first = await this.#repository.earliestExecution();
      if (first === null) {
        await this.#repository.advanceRolledBefore(settled);
        return null;
      }
      from = floorHour(first);
    } else {
      from = new Date(Math.min(mark.getTime(), settled.getTime()));
    }
    const end = new Date(Math.min(currentHour.getTime() + HOUR_MS, from.getTime() + MAX_HOURS_PER_PASS * HOUR_MS));
    const rows = await this.#repository.rollUp(from, end, now);
    // Everything before `settled` has now been rolled up after it ended (or before `end` when catching up).
    await this.#repository.advanceRolledBefore(new Date(Math.min(end.getTime(), settled.getTime())));
    this.#logger.debug({ from: from.toISOString(), to: end.toISOString(), rows }, 'analytics: rollup pass');
    return { from, to: end, rows };
  }
}

/** The start of the UTC hour of `t`. */
export function floorHour(t: Date): Date {
  return new Date(Math.floor(t.getTime() / HOUR_MS) * HOUR_MS);
}
