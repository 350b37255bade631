/**
 * The per-tenant concurrency cap of the embedded default. Leases expire as in
 * Redis; in one process that only matters when a caller forgets to release
 * (a bug), but it keeps both implementations behaving alike.
 */
import type { Clock } from '../foundation/clock.js';
import { assertInteger, tenantDigest } from './limit-keys.js';
import { leaseTokenTenant, newLeaseToken } from './lease-token.js';
import type { ConcurrencyLimiter, LeaseResult } from './ports.js';

export class InProcessConcurrencyLimiter implements ConcurrencyLimiter {
  readonly #clock: Clock;
  /** Tenant digest → (token → expiry in ms). Empty sets are deleted. */
  readonly #leases = new Map<string, Map<string, number>>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  async acquire(tenantId: string, max: number, leaseMs: number): Promise<LeaseResult> {
    assertInteger('max', max, 0);
    assertInteger('leaseMs', leaseMs, 1);
    const digest = tenantDigest(tenantId);
    const now = this.#clock.now().getTime();
    const leases = this.#leases.get(digest) ?? new Map<string, number>();
    // Same rule as the Lua script: a lease whose expiry is now or earlier is gone.
    for (const [token, expiresAt] of leases) if (expiresAt <= now) leases.delete(token);
    if (leases.size >= max) {
      if (leases.size === 0) this.#leases.delete(digest);
      return { acquired: false, active: leases.size };
    }
    const token = newLeaseToken(tenantId);
    leases.set(token, now + leaseMs);
    this.#leases.set(digest, leases);
    return { acquired: true, token, active: leases.size };
  }

  async release(token: string): Promise<boolean> {
    const digest = leaseTokenTenant(token);
    const leases = digest === null ? undefined : this.#leases.get(digest);
    if (digest === null || leases === undefined) return false;
    const held = leases.delete(token);
    if (leases.size === 0) this.#leases.delete(digest);
    return held;
  }
}
