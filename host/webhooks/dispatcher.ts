/**
 * The webhook dispatcher: one per host process, all working off the same
 * outbox (webhook_deliveries). Every `pollIntervalMs` it leases a batch of due
 * deliveries (FOR UPDATE SKIP LOCKED: processes never claim the same row),
 * sends them in parallel, and records each attempt: delivered on 2xx,
 * otherwise rescheduled on the backoff of retry-schedule.ts, or `failed` after
 * the last attempt.
 *
 * At-least-once: a lease outlives one attempt's timeout by a margin, so while
 * it holds no other process sends the row; a process that dies mid-send
 * leaves the row to come due again when its lease ends. Receivers dedupe on
 * the event id header.
 *
 * Time comes from the injected Clock (due times, leases, backoff), so tests
 * drive retries by moving the clock and calling `runOnce()`.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../foundation/clock.js';
import type { WebhookConfig } from '../foundation/config.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import { PeriodicTask } from '../foundation/periodic-task.js';
import type { AttemptOutcome, ClaimedDelivery, WebhookStore } from './ports.js';
import type { DeliverySender } from './delivery-sender.js';
import { retryDelayMs } from '../foundation/retry-schedule.js';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';

export interface DispatcherDeps {
  readonly repository: Pick<WebhookStore, 'claimDue' | 'recordAttempt'>;
  readonly send: DeliverySender;
  readonly config: WebhookConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Deliveries leased per round (default 16): the bound on parallel sends of one process. */
  readonly batchSize?: number;
}

/** How much longer than one attempt's timeout a lease lasts (slow database writes after the send). */
const LEASE_MARGIN_MS = 60_000;

export class WebhookDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #batchSize: number;
  readonly #loop: PeriodicTask<number>;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.#batchSize = deps.batchSize ?? 16;
    this.#loop = new PeriodicTask({
      name: 'webhooks: dispatch round',
      intervalMs: deps.config.pollIntervalMs,
      firstDelayMs: 0,
      run: () => this.runOnce(),
      // A full batch means more may be due: go again at once.
      again: (count) => count >= this.#batchSize,
      logger: deps.logger,
    });
  }

  /** Poll until `stop()`. */
  start(): void {
    this.#loop.start();
  }

  /** Stop polling and wait for the round in progress (its attempts get recorded). */
  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /**
   * One round: lease due deliveries, send them, record the attempts. Answers
   * how many were attempted. Tests call it directly instead of `start()`.
   */
  async runOnce(): Promise<number> {
    const now = this.#deps.clock.now();
    const leaseUntil = new Date(now.getTime() + this.#deps.config.timeoutMs + LEASE_MARGIN_MS);
    const claimed = await this.#deps.repository.claimDue(now, leaseUntil, this.#batchSize, randomUUID());
    await Promise.all(claimed.map((delivery) => this.#attempt(delivery)));
    return claimed.length;
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const { clock, config } = this.#deps;
    const body = JSON.stringify({
      id: delivery.eventId,
      type: delivery.eventType,
      createdAt: delivery.eventCreatedAt.toISOString(),
      data: delivery.eventData,
    });
    const startedAt = clock.now();
    const t0 = performance.now();
    const result = await this.#deps.send({
      url: delivery.url,
      body,
      headers: {
        'user-agent': 'Bazaar-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(delivery.secret, Math.floor(startedAt.getTime() / 1000), body),
        [EVENT_ID_HEADER]: delivery.eventId,
        [EVENT_TYPE_HEADER]: delivery.eventType,
        [DELIVERY_ID_HEADER]: delivery.id,
      },
    });
    const durationMs = Math.round(performance.now() - t0);
    const attemptNo = delivery.attempts + 1;
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const now = clock.now();
    const delay = ok ? null : retryDelayMs(config, attemptNo);
    const outcome: AttemptOutcome = {
      attempt: { startedAt, durationMs, statusCode: result.statusCode, error: result.error },
      status: ok ? 'delivered' : delay === null ? 'failed' : 'pending',
      nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
    };
    try {
      const recorded = await this.#deps.repository.recordAttempt(delivery, outcome, now);
      if (!recorded) this.#deps.logger.warn({ deliveryId: delivery.id }, 'webhooks: lease lost or subscription deleted; attempt not recorded');
      if (outcome.status === 'failed') this.#deps.logger.warn({ deliveryId: delivery.id, attempts: attemptNo }, 'webhooks: delivery given up');
    } catch (err) {
      // The lease runs out and the delivery is tried again: at-least-once.
      this.#deps.logger.error({ ...errorFields(err), deliveryId: delivery.id }, 'webhooks: recording an attempt failed');
    }
  }
}
