/**
 * Idempotency keys (docs/http-api.md "Idempotency": a replay within 24 h
 * returns the first response and does no second execution, charge or record).
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
import { BazaarError } from '../../manifests/errors.js';
import type { Clock } from '../foundation/clock.js';
import type { IdempotencyEntry, IdempotencyKeyStore } from './ports.js';

export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'executed'; executionId: string }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in_progress' }
  | { state: 'mismatch' };

export interface IdempotencyStoreOptions {
  readonly keys: IdempotencyKeyStore;
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

export class IdempotencyStore {
  readonly #keys: IdempotencyKeyStore;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #leaseMs: number;

  constructor(opts: IdempotencyStoreOptions) {
    this.#keys = opts.keys;
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
        const row = { fingerprint, createdAt: now, leaseExpiresAt: this.#leaseEnd(now), executionId: claim.executionId ?? null };
        if (await this.#keys.claim(tenantId, key, row, this.#expiredAt(now))) return { state: 'new' };
        const entry = await this.#keys.find(tenantId, key);
        if (entry === null || this.#isExpired(entry, now)) continue;
        if (entry.fingerprint !== fingerprint) return { state: 'mismatch' };
        if (entry.response === null) return this.#inProgress(entry, now, claim);
        return { state: 'replay', status: entry.response.status, body: entry.response.body };
      }
      // Still racing after three rounds: the safe answer is "someone else has it".
      return { state: 'in_progress' };
    });
  }

  /** A claim still open: its owner's while the lease runs; after, taken over unless its execution ran. */
  async #inProgress(entry: IdempotencyEntry, now: Date, claim: IdempotencyClaim): Promise<IdempotencyBegin> {
    if (entry.leaseExpiresAt === null || entry.leaseExpiresAt.getTime() > now.getTime()) return { state: 'in_progress' };
    if (entry.executionId !== null && (await this.#keys.executionRecorded(entry.executionId))) {
      return { state: 'executed', executionId: entry.executionId };
    }
    // Compare-and-set on the expired lease: of several takers, one moves it and the others see it held.
    const taken = await this.#keys.takeOver(entry.tenantId, entry.key, now, this.#leaseEnd(now), claim.executionId ?? null);
    return taken ? { state: 'new' } : { state: 'in_progress' };
  }

  /** Store the answer of a claimed request, for replays. A claim that is gone (expired, abandoned) is left alone. */
  async complete(tenantId: string, key: string, status: number, body: unknown): Promise<void> {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError(`bad HTTP status ${status}`);
    const text = JSON.stringify(body ?? null);
    await unavailableOnFailure(() => this.#keys.complete(tenantId, key, status, text));
  }

  /** Drop a claim whose request was refused before doing anything, so a retry can run. Completed keys stay. */
  async abandon(tenantId: string, key: string): Promise<void> {
    await unavailableOnFailure(() => this.#keys.abandon(tenantId, key));
  }

  /** Delete expired keys (housekeeping; correctness never depends on it). Answers how many went. */
  async purgeExpired(): Promise<number> {
    return unavailableOnFailure(() => this.#keys.purgeExpired(this.#expiredAt(this.#clock.now())));
  }

  #leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.#leaseMs);
  }

  #expiredAt(now: Date): Date {
    return new Date(now.getTime() - this.#ttlMs);
  }

  #isExpired(entry: IdempotencyEntry, now: Date): boolean {
    return entry.createdAt.getTime() <= this.#expiredAt(now).getTime();
  }
}

async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw new BazaarError('dependency_unavailable', 'The idempotency store is unavailable.', undefined, { cause });
  }
}
