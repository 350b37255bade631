/**
 * A background loop: run a task, wait `intervalMs`, run it again, until
 * stopped. Runs never overlap (the next wait starts when a run ends), failures
 * are logged and the loop carries on, and the timer is unref'd so the loop
 * never keeps a process alive. `stop()` waits for a run in progress, so
 * `closeDeps` can destroy the database afterwards.
 */
import { errorFields, type Logger } from '../logger.js';

export class PeriodicTask {
  readonly #name: string;
  readonly #intervalMs: number;
  readonly #run: () => Promise<unknown>;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: { name: string; intervalMs: number; run: () => Promise<unknown>; logger: Logger }) {
    this.#name = options.name;
    this.#intervalMs = options.intervalMs;
    this.#run = options.run;
    this.#logger = options.logger;
  }

  get started(): boolean {
    return !this.#stopped;
  }

  /** Start the loop; the first run comes after one interval (start-up is busy enough). Idempotent. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stop the loop and wait for a run in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#once().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #once(): Promise<void> {
    try {
      await this.#run();
    } catch (err) {
      this.#logger.warn({ ...errorFields(err), task: this.#name }, `${this.#name} failed`);
    }
  }
}
