/**
 * Feeds execution history into the trust score (PRODUCT.md: "recomputed as
 * execution history ... arrive"), cheaply: every `every`-th execution of a
 * version seen by this process triggers one recompute in the background, and
 * never more than one at a time per version. The score reads the durable
 * usage records, so what other processes executed counts too.
 */
import { errorFields, type Logger } from '../logger.js';

export interface TrustFeedOptions {
  readonly recompute: (name: string, version: string) => Promise<unknown>;
  readonly logger: Logger;
  /** Default 100. */
  readonly every?: number;
}

export class TrustFeed {
  readonly #options: TrustFeedOptions;
  readonly #every: number;
  readonly #counts = new Map<string, number>();
  readonly #running = new Map<string, Promise<void>>();

  constructor(options: TrustFeedOptions) {
    this.#options = options;
    this.#every = options.every ?? 100;
  }

  /** Note one recorded execution of name@version. */
  executed(name: string, version: string): void {
    const key = `${name}@${version}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    // Bounded: a long-lived process sees many versions; forgetting a count only delays a refresh.
    if (!this.#counts.has(key) && this.#counts.size >= 10_000) this.#counts.clear();
    this.#counts.set(key, count % this.#every);
    if (count % this.#every !== 0 || this.#running.has(key)) return;
    const run = this.#options
      .recompute(name, version)
      .then(
        () => undefined,
        (err: unknown) => this.#options.logger.warn(errorFields(err), 'executions: trust recompute failed'),
      )
      .finally(() => this.#running.delete(key));
    this.#running.set(key, run);
  }

  /** Wait for background recomputes (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all(this.#running.values());
  }
}
