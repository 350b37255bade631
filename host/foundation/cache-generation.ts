/**
 * Per-process caches of what every request reads (the API key with its
 * tenant, the executable install with its version), kept honest by ONE
 * generation counter shared by all host processes.
 *
 * THE RULE: every write to a table whose rows these caches hold must call
 * `generation.bump()` after it commits. The bumps live in the repositories'
 * write methods (ApiKeyRepository, TenantRepository, InstallRepository,
 * KnexMarketplaceRepository), which take the generation in their
 * constructor, so new code that writes through them invalidates by itself.
 * New code that writes `api_keys`, `tenants`, `installs` or the status of
 * `plugin_versions` some other way (raw SQL, a new repository) MUST bump
 * too, or revocations, suspensions, tier and settings changes, upgrades,
 * yanks and quarantines would wait for the caches' maximum age.
 *
 * The one deliberate exception: trust SCORE updates do not bump. Scores are
 * recomputed in the background (at most every 10 s per version per process
 * under load), and a bump per moved score made every process reload every
 * cached key and install several times a second. A new score reaches cached
 * installs within the caches' maximum age (`DEFAULT_MAX_AGE_MS`, 30 s,
 * generation-cache.ts): that is the staleness bound of the trust-score gate.
 *
 * How the generation is read:
 * - Redis (several processes): the counter is a Redis key, INCRed by every
 *   bump; the rate-limit script that runs on every authenticated request
 *   returns it, so reading it costs no extra round trip. A value different
 *   from the last one seen empties this process's caches. A credential read
 *   from the cache before the rate limit is re-checked after it (see
 *   tenants/auth.ts `credentialCheck`), so a write finished before a request
 *   began holds for that request on every process.
 * - Redis unreachable: the generation is unknown and the caches are off
 *   (every request reads PostgreSQL), so a revocation stays immediate.
 * - Embedded PGlite (one process): an in-process counter.
 * - PostgreSQL without Redis: processes cannot share a counter; caches off.
 */

/** The counter the caches are validated by. */
export interface CacheGeneration {
  /** The generation entries must carry to be used now; `null`: unknown, caches off. */
  current(): number | null;
  /** The shared value read along with this request's rate limit; `null`: could not be read. */
  observe(shared: string | null | undefined): void;
  /** A cached table changed (after commit): invalidate here at once and on every process. Never throws. */
  bump(): Promise<void>;
}

/** One process owns the data (embedded PGlite): a plain counter is exact. */
export class InProcessCacheGeneration implements CacheGeneration {
  #value = 0;

  current(): number {
    return this.#value;
  }

  observe(): void {
    // Nothing is shared: the counter is always current.
  }

  async bump(): Promise<void> {
    this.#value++;
  }
}

/** Several processes and no shared counter: never cache. */
export class DisabledCacheGeneration implements CacheGeneration {
  current(): null {
    return null;
  }

  observe(): void {}

  async bump(): Promise<void> {}
}
