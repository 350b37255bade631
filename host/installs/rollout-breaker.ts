/**
 * The rollout circuit breaker: a check, run periodically by every host
 * process beside the version circuit breaker (analytics/circuit-breaker.ts),
 * that aborts a gradual rollout whose new version fails markedly more often
 * than the installed one, records why on the install and publishes
 * `install.rollout.aborted`.
 *
 * The rule: at least `MIN_ROLLOUT_EXECUTIONS` executions of the new version
 * since the rollout started, and its failure rate at least
 * `FAILURE_RATE_MARGIN` above the installed version's over the same time.
 * Why an absolute margin over the old version's own rate rather than a fixed
 * threshold: the same install, inputs and period on both sides make the old
 * rate the baseline, so a plugin that always fails 30% on this tenant's
 * traffic is not blamed on the new version, and 20 points over 20 executions
 * is at least 4 failures more than expected, beyond noise. Only failures that
 * are the plugin's doing count (rollout-repository.ts).
 *
 * The figures come from the usage ledger and the abort is a compare-and-set
 * in the database, so every host judges alike and exactly one aborts.
 */
import type { Clock } from '../foundation/clock.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import type { RolloutAbort, RolloutFigures } from './install.js';
import type { RolloutFiguresRow, RolloutRepository } from './rollout-repository.js';

export const MIN_ROLLOUT_EXECUTIONS = 20;
export const FAILURE_RATE_MARGIN = 0.2;

export interface RolloutBreakerDeps {
  readonly repository: Pick<RolloutRepository, 'runningRollouts' | 'abortIfUnchanged'>;
  readonly events?: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A rollout this check aborted. */
export interface AbortedRollout {
  readonly installId: string;
  readonly abort: RolloutAbort;
}

export class RolloutBreaker {
  readonly #deps: RolloutBreakerDeps;

  constructor(deps: RolloutBreakerDeps) {
    this.#deps = deps;
  }

  /** One check; answers the rollouts THIS call aborted (none when another host won the race). */
  async checkOnce(): Promise<AbortedRollout[]> {
    const done: AbortedRollout[] = [];
    for (const row of await this.#deps.repository.runningRollouts()) {
      const abort = verdict(row, this.#deps.clock.now());
      if (abort === null) continue;
      try {
        if (await this.#deps.repository.abortIfUnchanged(row, abort, this.#deps.clock.now(), this.#deps.events)) {
          this.#deps.logger.warn({ installId: row.installId, plugin: row.plugin, failureRates: abort.failureRates }, 'rollout breaker: rollout aborted');
          done.push({ installId: row.installId, abort });
        }
      } catch (err) {
        // One install's failure must not stop the others' verdicts.
        this.#deps.logger.error({ ...errorFields(err), installId: row.installId }, 'rollout breaker: abort failed');
      }
    }
    return done;
  }
}

/** The abort a rollout's figures call for, or null. */
export function verdict(row: RolloutFiguresRow, now: Date): RolloutAbort | null {
  if (row.rollout.executions < MIN_ROLLOUT_EXECUTIONS) return null;
  const current = figures(row.version, row.current);
  const rollout = figures(row.rolloutVersion, row.rollout);
  if (rollout.failureRate < current.failureRate + FAILURE_RATE_MARGIN) return null;
  const reason =
    `circuit breaker: ${rollout.failures} of ${rollout.executions} executions of ${row.rolloutVersion} failed (${pct(rollout.failureRate)}) ` +
    `against ${current.failures} of ${current.executions} of ${row.version} (${pct(current.failureRate)}) since the rollout started`;
  return { version: row.rolloutVersion, reason, at: now.toISOString(), failureRates: { current, rollout } };
}

function figures(version: string, side: { executions: number; failures: number }): RolloutFigures {
  const failureRate = side.executions === 0 ? 0 : Math.round((side.failures / side.executions) * 10_000) / 10_000;
  return { version, executions: side.executions, failures: side.failures, failureRate };
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
