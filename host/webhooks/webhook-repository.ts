/**
 * Webhook subscriptions and the delivery outbox in SQL (migration 007). Works
 * the same on PostgreSQL and PGlite: the claim is one statement with
 * FOR UPDATE SKIP LOCKED (PGlite is one connection, so it never has to skip,
 * but the statement is the same).
 */
import type { Knex } from 'knex';
import type { EventType } from './domain-events.js';
import { type Page, type PageRequest, parseTimeIdCursor, timeIdCursor, toPage } from '../foundation/pagination.js';
import type { Delivery, DeliveryAttempt, DeliveryStatus, Webhook } from './webhook.js';
import { pageInCreationOrder } from '../foundation/database/creation-order-page.js';
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { AttemptOutcome, ClaimedDelivery, OutboxEvent, WebhookStore } from './ports.js';

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  events: EventType[];
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: EventType;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  redelivery_of: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

const DELIVERY_COLUMNS = [
  'd.id',
  'd.webhook_id',
  'd.event_id',
  'e.type as event_type',
  'd.status',
  'd.attempts',
  'd.next_attempt_at',
  'd.last_status_code',
  'd.last_error',
  'd.redelivery_of',
  'd.created_at',
  'd.delivered_at',
];

export class WebhookRepository implements WebhookStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Insert a subscription unless the tenant already has `max`; the tenant's
   * row lock makes the count exact across processes. `null`: over the limit.
   */
  async insertWithinLimit(webhook: Webhook & { secret: string }, max: number): Promise<Webhook | null> {
    return this.#db.transaction(async (trx) => {
      await trx('tenants').where({ id: webhook.tenantId }).forUpdate().first('id');
      const [{ count }] = (await trx('webhooks').where({ tenant_id: webhook.tenantId }).count({ count: '*' })) as [{ count: string | number }];
      if (Number(count) >= max) return null;
      const [row] = await trx('webhooks')
        .insert({
          id: webhook.id,
          tenant_id: webhook.tenantId,
          url: webhook.url,
          // Stringified: pg would send a JS array as a Postgres array literal, not JSON.
          events: JSON.stringify(webhook.events),
          secret: webhook.secret,
          created_at: webhook.createdAt,
        })
        .returning(['id', 'tenant_id', 'url', 'events', 'created_at']);
      return toWebhook(row as WebhookRow);
    });
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Webhook>> {
    const query = this.#db('webhooks').where({ tenant_id: tenantId }).select('id', 'tenant_id', 'url', 'events', 'created_at');
    return pageInCreationOrder<WebhookRow, Webhook>(query, page, toWebhook);
  }

  async find(tenantId: string, id: string): Promise<Webhook | null> {
    const row = await this.#db<WebhookRow>('webhooks').where({ tenant_id: tenantId, id }).first('id', 'tenant_id', 'url', 'events', 'created_at');
    return row === undefined ? null : toWebhook(row);
  }

  /** Delete a subscription; its pending deliveries go with it (cascade), so nothing more is sent. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    // RETURNING rather than the affected-row count, which knex-pglite does not report.
    return (await this.#db('webhooks').where({ tenant_id: tenantId, id }).delete().returning('id')).length > 0;
  }

  /** Deliveries of one subscription, newest first (keyset on created_at, id), each with its attempts. */
  async listDeliveries(webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    const query = this.#db('webhook_deliveries as d')
      .join('webhook_events as e', 'e.id', 'd.event_id')
      .where('d.webhook_id', webhookId)
      .select(DELIVERY_COLUMNS)
      .orderBy([{ column: 'd.created_at', order: 'desc' }, { column: 'd.id', order: 'desc' }])
      .limit(page.limit + 1);
    if (page.after !== null) {
      const after = parseTimeIdCursor(page.after);
      query.whereRaw('(d.created_at, d.id) < (?, ?)', [after.createdAt, after.id]);
    }
    const rows = (await query) as DeliveryRow[];
    const attempts = await this.#attemptsOf(rows.slice(0, page.limit).map((r) => r.id));
    return toPage(rows, page.limit, timeIdCursor, (row) => toDelivery(row, attempts.get(row.id) ?? []));
  }

  async findDelivery(webhookId: string, id: string): Promise<Delivery | null> {
    const row = (await this.#db('webhook_deliveries as d')
      .join('webhook_events as e', 'e.id', 'd.event_id')
      .where({ 'd.webhook_id': webhookId, 'd.id': id })
      .first(DELIVERY_COLUMNS)) as DeliveryRow | undefined;
    if (row === undefined) return null;
    return toDelivery(row, (await this.#attemptsOf([row.id])).get(row.id) ?? []);
  }

  /**
   * A new delivery of the same event to the same subscription, due now. A new
   * row rather than a reset of the old one: the old one may be in flight on
   * another process, and its history stays as it was. `null`: no such delivery.
   */
  async redeliver(webhookId: string, deliveryId: string, id: string, now: Date): Promise<Delivery | null> {
    const inserted = await this.#db.raw(
      `INSERT INTO webhook_deliveries (id, webhook_id, event_id, tenant_id, status, attempts, next_attempt_at, redelivery_of, created_at, updated_at)
       SELECT ?, d.webhook_id, d.event_id, d.tenant_id, 'pending', 0, ?, d.id, ?, ?
       FROM webhook_deliveries d WHERE d.webhook_id = ? AND d.id = ?
       RETURNING id`,
      [id, now, now, now, webhookId, deliveryId],
    );
    if ((inserted as { rows: unknown[] }).rows.length === 0) return null;
    return this.findDelivery(webhookId, id);
  }

  /**
   * The outbox write: each event once (a repeated dedupe key is ignored), and
   * one pending delivery per subscription of its tenant that listens to its
   * type, due at once. An event nobody subscribes to is not stored at all,
   * unless it has a dedupe key (which must be remembered either way).
   */
  async insertEvents(events: readonly OutboxEvent[], tx?: Transaction): Promise<void> {
    const db = knexOf(tx, this.#db);
    for (const e of events) {
      await db.raw(
        `WITH ev AS (
           INSERT INTO webhook_events (id, tenant_id, type, data, dedupe_key, created_at)
           SELECT ?::uuid, ?::uuid, ?::text, ?::jsonb, ?::text, ?::timestamptz
           WHERE ?::text IS NOT NULL
              OR EXISTS (SELECT 1 FROM webhooks w WHERE w.tenant_id = ?::uuid AND w.events @> jsonb_build_array(?::text))
           ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
           RETURNING id, tenant_id, type, created_at
         )
         INSERT INTO webhook_deliveries (id, webhook_id, event_id, tenant_id, status, attempts, next_attempt_at, created_at, updated_at)
         SELECT gen_random_uuid(), w.id, ev.id, ev.tenant_id, 'pending', 0, ev.created_at, ev.created_at, ev.created_at
         FROM ev JOIN webhooks w ON w.tenant_id = ev.tenant_id AND w.events @> jsonb_build_array(ev.type)`,
        [e.id, e.tenantId, e.type, JSON.stringify(e.data), e.dedupeKey, e.createdAt, e.dedupeKey, e.tenantId, e.type],
      );
    }
  }

  /**
   * Lease up to `limit` due deliveries: one statement picks them with
   * FOR UPDATE SKIP LOCKED (rows another process is claiming are skipped, not
   * waited for), moves their due time to `leaseUntil` and stamps `token`.
   * Until the lease ends no other dispatcher can claim them; if this process
   * dies, they become due again then (at-least-once).
   */
  /** Deliveries due now and not yet sent, across every host process (for /metrics). */
  async dueCount(now: Date): Promise<number> {
    const row = await this.#db('webhook_deliveries').where('status', 'pending').andWhere('next_attempt_at', '<=', now).count<{ count: string | number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number, token: string): Promise<ClaimedDelivery[]> {
    const result = await this.#db.raw(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, id
         LIMIT ?
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET claim_token = ?, next_attempt_at = ?, updated_at = ?
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.webhook_id, d.event_id, d.attempts
       )
       SELECT c.id, c.attempts, w.url, w.secret, e.id AS event_id, e.type AS event_type, e.data AS event_data, e.created_at AS event_created_at
       FROM claimed c JOIN webhooks w ON w.id = c.webhook_id JOIN webhook_events e ON e.id = c.event_id`,
      [now, limit, token, leaseUntil, now],
    );
    const rows = (result as { rows: Record<string, unknown>[] }).rows;
    return rows.map((r) => ({
      id: r.id as string,
      claimToken: token,
      attempts: r.attempts as number,
      url: r.url as string,
      secret: r.secret as string,
      eventId: r.event_id as string,
      eventType: r.event_type as EventType,
      eventData: r.event_data as Record<string, unknown>,
      eventCreatedAt: new Date(r.event_created_at as string | Date),
    }));
  }

  /**
   * Record an attempt and the delivery's next state, only while this
   * dispatcher still holds the lease (`claim_token`). Answers false when the
   * lease was lost (it ran out and another process took the row over) or the
   * subscription was deleted meanwhile: then nothing is written.
   */
  async recordAttempt(claimed: ClaimedDelivery, outcome: AttemptOutcome, now: Date): Promise<boolean> {
    const { attempt } = outcome;
    return this.#db.transaction(async (trx) => {
      const [row] = await trx('webhook_deliveries')
        .where({ id: claimed.id, claim_token: claimed.claimToken })
        .update({
          status: outcome.status,
          attempts: trx.raw('attempts + 1'),
          next_attempt_at: outcome.nextAttemptAt,
          claim_token: null,
          last_status_code: attempt.statusCode,
          last_error: attempt.error,
          delivered_at: outcome.status === 'delivered' ? now : null,
          updated_at: now,
        })
        .returning(['attempts']);
      if (row === undefined) return false;
      await trx('webhook_delivery_attempts').insert({
        id: trx.raw('gen_random_uuid()'),
        delivery_id: claimed.id,
        attempt: (row as { attempts: number }).attempts,
        started_at: attempt.startedAt,
        duration_ms: attempt.durationMs,
        status_code: attempt.statusCode,
        error: attempt.error,
      });
      return true;
    });
  }

  async #attemptsOf(deliveryIds: readonly string[]): Promise<Map<string, DeliveryAttempt[]>> {
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows = (await this.#db('webhook_delivery_attempts')
      .whereIn('delivery_id', deliveryIds)
      .orderBy([{ column: 'delivery_id' }, { column: 'attempt' }])
      .select('delivery_id', 'attempt', 'started_at', 'duration_ms', 'status_code', 'error')) as AttemptRow[];
    for (const r of rows) {
      const list = byDelivery.get(r.delivery_id) ?? [];
      list.push({ attempt: r.attempt, startedAt: r.started_at, durationMs: r.duration_ms, statusCode: r.status_code, error: r.error });
      byDelivery.set(r.delivery_id, list);
    }
    return byDelivery;
  }
}

function toWebhook(row: WebhookRow): Webhook {
  return { id: row.id, tenantId: row.tenant_id, url: row.url, events: row.events, createdAt: row.created_at };
}

function toDelivery(row: DeliveryRow, attempts: DeliveryAttempt[]): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attemptCount: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    redeliveryOf: row.redelivery_of,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    attempts,
  };
}
