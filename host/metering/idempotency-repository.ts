/**
 * Idempotency keys in SQL (`idempotency_keys`, migrations 004 and 009). The
 * protocol (who may claim, replay or take over a key) is IdempotencyStore's;
 * this file only reads and writes rows, each method in one statement.
 */
import type { Knex } from 'knex';
import type { IdempotencyClaimRow, IdempotencyEntry, IdempotencyKeyStore } from './ports.js';

const TABLE = 'idempotency_keys';

interface KeyRow {
  tenant_id: string;
  key: string;
  fingerprint: string;
  response_status: number | null;
  response_body: unknown;
  response_body_text: string | null;
  created_at: Date;
  lease_expires_at: Date | null;
  execution_id: string | null;
}

export class IdempotencyKeyRepository implements IdempotencyKeyStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** The conflict's WHERE is re-checked under the row lock, so of two processes racing for one expired key only one takes it. */
  async claim(tenantId: string, key: string, claim: IdempotencyClaimRow, expiredAt: Date): Promise<boolean> {
    const result = await this.#db.raw<{ rows: unknown[] }>(
      `INSERT INTO ${TABLE} (tenant_id, key, fingerprint, created_at, lease_expires_at, execution_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,
             response_status = NULL, response_body = NULL, response_body_text = NULL,
             lease_expires_at = EXCLUDED.lease_expires_at, execution_id = EXCLUDED.execution_id
         WHERE ${TABLE}.created_at <= ?
       RETURNING 1`,
      [tenantId, key, claim.fingerprint, claim.createdAt, claim.leaseExpiresAt, claim.executionId, expiredAt],
    );
    return result.rows.length === 1;
  }

  async find(tenantId: string, key: string): Promise<IdempotencyEntry | null> {
    const row = await this.#db<KeyRow>(TABLE).where({ tenant_id: tenantId, key }).first();
    if (row === undefined) return null;
    const response =
      row.response_status === null
        ? null
        : { status: row.response_status, body: row.response_body_text === null ? row.response_body : (JSON.parse(row.response_body_text) as unknown) };
    return {
      tenantId: row.tenant_id,
      key: row.key,
      fingerprint: row.fingerprint,
      response,
      createdAt: row.created_at,
      leaseExpiresAt: row.lease_expires_at,
      executionId: row.execution_id,
    };
  }

  async takeOver(tenantId: string, key: string, now: Date, leaseExpiresAt: Date, executionId: string | null): Promise<boolean> {
    const taken = await this.#db(TABLE)
      .where({ tenant_id: tenantId, key })
      .whereNull('response_status')
      .where('lease_expires_at', '<=', now)
      .update({ lease_expires_at: leaseExpiresAt, execution_id: executionId });
    return Number(taken) === 1;
  }

  async executionRecorded(executionId: string): Promise<boolean> {
    return (await this.#db('usage_records').where({ execution_id: executionId }).first('execution_id')) !== undefined;
  }

  async complete(tenantId: string, key: string, status: number, bodyJson: string): Promise<void> {
    // jsonb refuses the escape \u0000 (a plugin's output may hold U+0000): keep such bodies as JSON text.
    const stored = bodyJson.includes('\\u0000') ? { response_body_text: bodyJson } : { response_body: bodyJson };
    await this.#db(TABLE).where({ tenant_id: tenantId, key }).whereNull('response_status').update({ response_status: status, ...stored });
  }

  async abandon(tenantId: string, key: string): Promise<void> {
    await this.#db(TABLE).where({ tenant_id: tenantId, key }).whereNull('response_status').delete();
  }

  async purgeExpired(expiredAt: Date): Promise<number> {
    const result: unknown = await this.#db(TABLE).where('created_at', '<=', expiredAt).delete();
    // pg answers the row count; knex-pglite passes the raw result through (`{rowCount}`).
    return typeof result === 'number' ? result : Number((result as { rowCount?: unknown }).rowCount ?? 0);
  }
}
