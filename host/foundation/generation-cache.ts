/**
 * A bounded map whose entries are valid only under the generation they were
 * read in (cache-generation.ts) and for at most `maxAgeMs`.
 *
 * The maximum age bounds two things:
 * - a bump that could not reach Redis (retried in the background) is seen
 *   by other processes at the latest this long after their entries were read;
 * - values whose writes deliberately do NOT bump are at most this stale. The
 *   one such value today is a version's trust score (a recomputed aggregate,
 *   KnexMarketplaceRepository.updateTrust): a moved score reaches the trust
 *   gate of every process within `DEFAULT_MAX_AGE_MS` (30 s) of its commit,
 *   while a status change (yank, quarantine, review) bumps and holds at once.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.js';
import type { CacheGeneration } from './cache-generation.js';

export interface GenerationCacheOptions {
  readonly generation: CacheGeneration;
  readonly clock: Clock;
  /** Entries kept at most (the least recently used go first); default 10,000. */
  readonly maxEntries?: number;
  /** Default `DEFAULT_MAX_AGE_MS`. */
  readonly maxAgeMs?: number;
}

/** How long an entry is used at most: the staleness bound of unbumped values (trust scores). */
export const DEFAULT_MAX_AGE_MS = 30_000;

interface Entry<V> {
  readonly value: V;
  readonly generation: number;
  readonly storedAt: number;
}

/** A hit: the value and the generation it is valid under. */
export interface CacheHit<V> {
  readonly value: V;
  readonly generation: number;
}

/**
 * The bound is lru-cache's; the age is checked here, against the host's
 * `Clock` (which tests move by hand), rather than by lru-cache's own timer.
 */
export class GenerationCache<K extends {}, V> {
  readonly #generation: CacheGeneration;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #entries: LRUCache<K, Entry<V>>;

  constructor(options: GenerationCacheOptions) {
    this.#generation = options.generation;
    this.#clock = options.clock;
    this.#entries = new LRUCache({ max: options.maxEntries ?? 10_000 });
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  get(key: K): CacheHit<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#generation.current();
    if (now === null || entry.generation !== now || this.#clock.now().getTime() - entry.storedAt > this.#maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: entry.value, generation: entry.generation };
  }

  /**
   * Read through: a hit, or `load()` stored under the generation read BEFORE
   * it ran (a write that commits meanwhile bumps past it, so the entry is
   * never used). `null` results are not cached.
   */
  async getOrLoad(key: K, load: () => Promise<V | null>): Promise<V | null> {
    const hit = this.get(key);
    if (hit !== undefined) return hit.value;
    const generation = this.#generation.current();
    const value = await load();
    if (value !== null && generation !== null) this.set(key, value, generation);
    return value;
  }

  set(key: K, value: V, generation: number): void {
    this.#entries.set(key, { value, generation, storedAt: this.#clock.now().getTime() });
  }

  get size(): number {
    return this.#entries.size;
  }
}
