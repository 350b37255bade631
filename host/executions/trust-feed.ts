/**
 * Feeds execution history into the trust score (docs/product.md "Trust score":
 * recomputed as executions arrive), cheaply: every `every`-th execution of a
 * version seen by this process triggers one recompute in the background, and
 * never more than one at a time per version, nor more often than
 * `minIntervalMs` per version: under load a recompute (a dozen queries) every
 * 100 executions would be most of the database's work, and the history score
 * does not need to be fresher than that. A new score does not invalidate the
 * per-process caches: cached installs see it within their maximum age
 * (foundation/cache-generation.ts). The score reads the durable usage records,
 * so what other processes executed counts too.
 */
import { BackgroundWork } from '../foundation/background-work.js';
import type { Clock } from '../foundation/clock.js';
import type { Logger } from '../foundation/logger.js';

export interface TrustFeedOptions {
  readonly recompute: (name: string, version: string) => Promise<unknown>;
  readonly logger: Logger;
  /** Default 100. */
  readonly every?: number;
  /** At most one recompute per version this often (default 10 s; needs `clock`). */
  readonly minIntervalMs?: number;
  readonly clock?: Clock;
}

export class TrustFeed {
  readonly #options: TrustFeedOptions;
  readonly #every: number;
  readonly #counts = new Map<string, number>();
  /** When each version's last recompute was asked for (ms). */
  readonly #lastAsked = new Map<string, number>();
  readonly #work: BackgroundWork;

  constructor(options: TrustFeedOptions) {
    this.#options = options;
    this.#every = options.every ?? 100;
    this.#work = new BackgroundWork({ logger: options.logger, label: 'executions: trust recompute' });
  }

  /** Note one recorded execution of name@version. */
  executed(name: string, version: string): void {
    const key = `${name}@${version}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    // Bounded: a long-lived process sees many versions; forgetting a count only delays a refresh.
    if (!this.#counts.has(key) && this.#counts.size >= 10_000) this.#counts.clear();
    this.#counts.set(key, count % this.#every);
    if (count % this.#every !== 0) return;
    const clock = this.#options.clock;
    if (clock !== undefined) {
      const now = clock.now().getTime();
      const last = this.#lastAsked.get(key);
      if (last !== undefined && now - last < (this.#options.minIntervalMs ?? 10_000)) return;
      if (!this.#lastAsked.has(key) && this.#lastAsked.size >= 10_000) this.#lastAsked.clear();
      this.#lastAsked.set(key, now);
    }
    this.#work.request(key, () => this.#options.recompute(name, version));
  }

  /** Wait for background recomputes (shutdown, tests). */
  idle(): Promise<void> {
    return this.#work.idle();
  }
}
