/**
 * Idempotency keys (API.md "Conventions": a replay within 24 h returns the
 * first response and does no second execution, charge or record).
 *
 * Protocol for a route (the route maps the states to HTTP):
 * 1. `begin()` claims (tenant, key) with one atomic upsert, so of two
 *    concurrent requests with the same key exactly one gets `new`, on one
 *    process or many. The others get `in_progress` (409 `conflict`), `replay`
 *    (the stored answer) or `mismatch` (same key, another request: 409/400).
 * 2. `new` → do the work, then `complete()` with the answer to replay.
 * 3. Refused before doing anything (401/403/429/402 ...)? `abandon()`, so the
 *    client's retry with the same key can run.
 *
 * An entry older than the TTL is treated as absent and taken over by the
 * next `begin()`; `purgeExpired()` deletes the rest in the background.
 * Database failures are 503 `dependency_unavailable`.
 *
 * A crashed owner (migration 009): a claim holds a lease (`leaseMs`, longer
 * than any execution) and the id of the execution it will run. A claim still
 * in progress after its lease expired is taken over by the next request with
 * the key, unless the usage ledger has a record of that execution id: then it
 * ran and only its answer was lost, and `begin()` says `executed` (the route
 * answers 409 naming the execution) rather than running it a second time.
 * The remaining gap: an owner so late that its record lands after the
 * takeover looked (a lease is the wall-time ceiling plus a minute).
 */
import type { Knex } from 'knex';
import { BazaarError } from '../../manifests/errors.js';
import type { Clock } from '../foundation/clock.js';

export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'executed'; executionId: string }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in_progress' }
  | { state: 'mismatch' };

export interface IdempotencyStoreOptions {
  readonly db: Knex;
  readonly clock: Clock;
  /** How long a key is remembered (default 24 h, the contract's replay window). */
  readonly ttlMs?: number;
  /** How long a claim is its owner's before another request may take it over (default 5 min). */
  readonly leaseMs?: number;
}

/** What a claim stands for: the execution it will run, if it is an execution. */
export interface IdempotencyClaim {
  readonly executionId?: string;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

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

export class IdempotencyStore {
  readonly #db: Knex;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #leaseMs: number;

  constructor(opts: IdempotencyStoreOptions) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    if (!Number.isSafeInteger(this.#ttlMs) || this.#ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer, got ${this.#ttlMs}`);
    this.#leaseMs = opts.leaseMs ?? 5 * 60_000;
    if (!Number.isSafeInteger(this.#leaseMs) || this.#leaseMs < 1) throw new RangeError(`leaseMs must be a positive integer, got ${this.#leaseMs}`);
  }

  /**
   * Claim (tenantId, key) for a request with `fingerprint`, or say why not.
   * `key` must have passed `validateIdempotencyKey`.
   */
  async begin(tenantId: string, key: string, fingerprint: string, claim: IdempotencyClaim = {}): Promise<IdempotencyBegin> {
    return unavailableOnFailure(async () => {
      // A row can vanish between the claim and the read (abandoned meanwhile): claim again, a few times.
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = this.#clock.now();
        if (await this.#claim(tenantId, key, fingerprint, now, claim)) return { state: 'new' };
        const row = await this.#db<KeyRow>(TABLE).where({ tenant_id: tenantId, key }).first();
        if (row === undefined || this.#isExpired(row, now)) continue;
        if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
        if (row.response_status === null) return this.#inProgress(row, now, claim);
        const body = row.response_body_text === null ? row.response_body : (JSON.parse(row.response_body_text) as unknown);
        return { state: 'replay', status: row.response_status, body };
      }
      // Still racing after three rounds: the safe answer is "someone else has it".
      return { state: 'in_progress' };
    });
  }

  /** A claim still open: its owner's while the lease runs; after, taken over unless its execution ran. */
  async #inProgress(row: KeyRow, now: Date, claim: IdempotencyClaim): Promise<IdempotencyBegin> {
    if (row.lease_expires_at === null || row.lease_expires_at.getTime() > now.getTime()) return { state: 'in_progress' };
    if (row.execution_id !== null) {
      const ran = await this.#db('usage_records').where({ execution_id: row.execution_id }).first('execution_id');
      if (ran !== undefined) return { state: 'executed', executionId: row.execution_id };
    }
    // Compare-and-set on the expired lease: of several takers, one moves it and the others see it held.
    const taken = await this.#db(TABLE)
      .where({ tenant_id: row.tenant_id, key: row.key })
      .whereNull('response_status')
      .where('lease_expires_at', '<=', now)
      .update({ lease_expires_at: this.#leaseEnd(now), execution_id: claim.executionId ?? null });
    return Number(taken) === 1 ? { state: 'new' } : { state: 'in_progress' };
  }

  /** Store the answer of a claimed request, for replays. A claim that is gone (expired, abandoned) is left alone. */
  async complete(tenantId: string, key: string, status: number, body: unknown): Promise<void> {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError(`bad HTTP status ${status}`);
    const text = JSON.stringify(body ?? null);
    // jsonb refuses the escape \u0000 (a plugin's output may hold U+0000): keep such bodies as JSON text.
    const stored = text.includes('\\u0000') ? { response_body_text: text } : { response_body: text };
    await unavailableOnFailure(() =>
      this.#db(TABLE).where({ tenant_id: tenantId, key }).whereNull('response_status').update({ response_status: status, ...stored }),
    );
  }

  /** Drop a claim whose request was refused before doing anything, so a retry can run. Completed keys stay. */
  async abandon(tenantId: string, key: string): Promise<void> {
    await unavailableOnFailure(() => this.#db(TABLE).where({ tenant_id: tenantId, key }).whereNull('response_status').delete());
  }

  /** Delete expired keys (housekeeping; correctness never depends on it). Answers how many went. */
  async purgeExpired(): Promise<number> {
    const result: unknown = await unavailableOnFailure(() =>
      this.#db(TABLE).where('created_at', '<=', this.#expiredAt(this.#clock.now())).delete(),
    );
    // pg answers the row count; knex-pglite passes the raw result through (`{rowCount}`).
    return typeof result === 'number' ? result : Number((result as { rowCount?: unknown }).rowCount ?? 0);
  }

  /**
   * Insert the claim, or take over an expired row, in one statement. The
   * conflict's WHERE is re-checked under the row lock, so of two processes
   * racing for one expired key only one takes it.
   */
  async #claim(tenantId: string, key: string, fingerprint: string, now: Date, claim: IdempotencyClaim): Promise<boolean> {
    const result = await this.#db.raw<{ rows: unknown[] }>(
      `INSERT INTO ${TABLE} (tenant_id, key, fingerprint, created_at, lease_expires_at, execution_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,
             response_status = NULL, response_body = NULL, response_body_text = NULL,
             lease_expires_at = EXCLUDED.lease_expires_at, execution_id = EXCLUDED.execution_id
         WHERE ${TABLE}.created_at <= ?
       RETURNING 1`,
      [tenantId, key, fingerprint, now, this.#leaseEnd(now), claim.executionId ?? null, this.#expiredAt(now)],
    );
    return result.rows.length === 1;
  }

  #leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.#leaseMs);
  }

  #expiredAt(now: Date): Date {
    return new Date(now.getTime() - this.#ttlMs);
  }

  #isExpired(row: KeyRow, now: Date): boolean {
    return row.created_at.getTime() <= this.#expiredAt(now).getTime();
  }
}

async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw new BazaarError('dependency_unavailable', 'The idempotency store is unavailable.', undefined, { cause });
  }
}
