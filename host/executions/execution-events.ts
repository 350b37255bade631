/**
 * Events of the execution path, published after the usage record is durable:
 *
 * - `execution.failed`, to the install's tenant, for every failed execution;
 * - `quota.threshold`, when the tenant's executions of the period reach 80%
 *   and 100% of the included quota: once per tenant, period and threshold.
 *   "Once" is the outbox's unique dedupe key (across processes and restarts);
 *   this class also remembers what it already published this period, so past a
 *   threshold an execution does no database work for it again.
 *
 * A successful execution under the thresholds does no work here at all.
 * Publishing never fails the execution: it has already happened and been
 * recorded, so an outbox failure is logged and the answer goes out as usual.
 */
import type { ExecutionResult } from '../../runtime/types.js';
import type { Install } from '../installs/install.js';
import type { QuotaReservation } from '../limits/ports.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { DomainEvent, EventPublisher } from '../webhooks/domain-events.js';

/** Percentages of the included executions that raise `quota.threshold`. */
export const QUOTA_THRESHOLDS = [80, 100] as const;

/** Bound of the remembered thresholds (two per tenant and period). */
const MAX_REMEMBERED = 100_000;

function publishedKey(period: string, tenantId: string, threshold: number): string {
  return `${period}:${tenantId}:${threshold}`;
}

export interface ExecutedEvent {
  readonly install: Pick<Install, 'id' | 'tenantId' | 'plugin' | 'version'>;
  readonly executionId: string;
  readonly action: string;
  readonly result: ExecutionResult;
  readonly reservation: QuotaReservation;
  /** The quota period the execution was counted in (the tenant's billing period, or `YYYY-MM`). */
  readonly period: string;
}

export class ExecutionEvents {
  readonly #events: EventPublisher;
  readonly #logger: Logger;
  /**
   * `period:tenant:threshold` already published by this process. Periods are
   * per tenant (each subscription has its own anchor), so the period is part
   * of the key; the set is dropped when it grows past a bound, which only
   * costs a deduplicated insert per tenant and threshold.
   */
  readonly #published = new Set<string>();

  constructor(deps: { events: EventPublisher; logger: Logger }) {
    this.#events = deps.events;
    this.#logger = deps.logger;
  }

  /** After an execution's usage record is committed. Never throws. */
  async executed(e: ExecutedEvent): Promise<void> {
    const events: DomainEvent[] = [];
    const { install, result } = e;
    if (result.status === 'failed') {
      events.push({
        type: 'execution.failed',
        tenantId: install.tenantId,
        data: {
          executionId: e.executionId,
          installId: install.id,
          plugin: install.plugin,
          version: install.version,
          action: e.action,
          error: { code: result.error?.code ?? 'plugin_error', message: result.error?.message ?? '' },
        },
      });
    }
    const crossed = this.#crossedThresholds(install.tenantId, e.period, e.reservation);
    for (const threshold of crossed) {
      events.push({
        type: 'quota.threshold',
        tenantId: install.tenantId,
        dedupeKey: `quota.threshold:${e.period}:${threshold}`,
        data: { threshold, period: e.period, included: e.reservation.included, used: e.reservation.used },
      });
    }
    if (events.length === 0) return;
    try {
      await this.#events.publish(events);
    } catch (err) {
      // Try the thresholds again on the next execution; the dedupe key keeps them single.
      for (const threshold of crossed) this.#published.delete(publishedKey(e.period, install.tenantId, threshold));
      this.#logger.error({ ...errorFields(err), executionId: e.executionId }, 'webhooks: publishing execution events failed');
    }
  }

  /** Thresholds reached by this reservation and not yet published by this process this period. */
  #crossedThresholds(tenantId: string, period: string, reservation: QuotaReservation): number[] {
    const { included, used } = reservation;
    if (included === null || included <= 0) return [];
    if (this.#published.size >= MAX_REMEMBERED) this.#published.clear();
    const crossed: number[] = [];
    for (const threshold of QUOTA_THRESHOLDS) {
      const key = publishedKey(period, tenantId, threshold);
      // Integer arithmetic: used/included >= threshold% without floating point.
      if (used * 100 >= included * threshold && !this.#published.has(key)) {
        this.#published.add(key);
        crossed.push(threshold);
      }
    }
    return crossed;
  }
}
