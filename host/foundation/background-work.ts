/**
 * Background work keyed by what it refreshes (e.g. a plugin's trust score):
 * at most one run per key at a time, and a request arriving while one runs
 * schedules exactly one more, so the latest change is always reflected and a
 * burst of requests costs at most two runs. Failures are logged, never thrown:
 * the request that asked for the work has already been answered.
 */
import { errorFields, type Logger } from './logger.js';

export class BackgroundWork {
  readonly #logger: Logger;
  readonly #label: string;
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Map<string, () => Promise<unknown>>();

  constructor(options: { logger: Logger; label: string }) {
    this.#logger = options.logger;
    this.#label = options.label;
  }

  /** Runs `work` for `key` in the background; returns at once. */
  request(key: string, work: () => Promise<unknown>): void {
    if (this.#running.has(key)) {
      this.#again.set(key, work);
      return;
    }
    const run = work()
      .then(
        () => undefined,
        (err: unknown) => this.#logger.warn({ ...errorFields(err), key }, `${this.#label} failed`),
      )
      .finally(() => {
        this.#running.delete(key);
        const next = this.#again.get(key);
        if (next !== undefined) {
          this.#again.delete(key);
          this.request(key, next);
        }
      });
    this.#running.set(key, run);
  }

  /** Waits until nothing runs or is scheduled (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }
}
