/**
 * The monthly execution counter of the embedded default (one host process).
 * JavaScript runs one callback at a time and every decision below is made
 * without an `await` in between, so reservations are as atomic as the Lua
 * script's. A restarted process starts empty: configure a `UsageSource` so
 * counters are seeded from the usage records, as with Redis.
 */
import type { Clock } from '../foundation/clock.js';
import { assertInteger, periodExpiresAtMs } from './limit-keys.js';
import type { QuotaCounter, QuotaPolicy, QuotaReservation, UsageSource } from './ports.js';
import { type ReserveReply, reservation, seedThenRetry } from './quota-reservation.js';

interface Counter {
  used: number;
  readonly expiresAtMs: number;
}

export class InProcessQuotaCounter implements QuotaCounter {
  readonly #clock: Clock;
  readonly #usage: UsageSource | undefined;
  /** `period\ntenantId` → counter; a period never holds a newline, so keys cannot collide. */
  readonly #counters = new Map<string, Counter>();
  #created = 0;

  constructor(options: { clock: Clock; usage?: UsageSource }) {
    this.#clock = options.clock;
    this.#usage = options.usage;
  }

  async reserve(tenantId: string, period: string, policy: QuotaPolicy): Promise<QuotaReservation> {
    if (policy.included !== null) assertInteger('included', policy.included, 0);
    const key = this.#key(tenantId, period);
    const attempt = async (mustSeed: boolean): Promise<ReserveReply> => {
      let counter = this.#live(key);
      if (counter === undefined) {
        if (mustSeed) return [-1, 0];
        counter = this.#create(key, period, 0);
      }
      const { included } = policy;
      if (policy.hardLimit && included !== null && counter.used >= included) return [0, counter.used];
      counter.used += 1;
      return [1, counter.used];
    };
    const [status, used] = await seedThenRetry({
      attempt,
      usage: this.#usage,
      tenantId,
      period,
      seed: (n) => this.seed(tenantId, period, n),
    });
    return reservation(status === 1, used, policy.included);
  }

  async release(tenantId: string, period: string): Promise<boolean> {
    const counter = this.#live(this.#key(tenantId, period));
    if (counter === undefined || counter.used <= 0) return false;
    counter.used -= 1;
    return true;
  }

  async seed(tenantId: string, period: string, used: number): Promise<boolean> {
    assertInteger('used', used, 0);
    const key = this.#key(tenantId, period);
    if (this.#live(key) !== undefined) return false;
    this.#create(key, period, used);
    return true;
  }

  async used(tenantId: string, period: string): Promise<number> {
    return this.#live(this.#key(tenantId, period))?.used ?? 0;
  }

  #key(tenantId: string, period: string): string {
    periodExpiresAtMs(period); // validates the period
    return `${period}\n${tenantId}`;
  }

  /** The counter unless it expired (as its Redis key would have). */
  #live(key: string): Counter | undefined {
    const counter = this.#counters.get(key);
    if (counter !== undefined && counter.expiresAtMs <= this.#clock.now().getTime()) {
      this.#counters.delete(key);
      return undefined;
    }
    return counter;
  }

  #create(key: string, period: string, used: number): Counter {
    const counter = { used, expiresAtMs: periodExpiresAtMs(period) };
    // Drop expired counters now and then (amortised: one sweep per 1,000 new counters).
    if (++this.#created % 1_000 === 0) {
      const now = this.#clock.now().getTime();
      for (const [k, c] of this.#counters) if (c.expiresAtMs <= now) this.#counters.delete(k);
    }
    this.#counters.set(key, counter);
    return counter;
  }
}
