/**
 * A background loop: run a task, wait `intervalMs`, run it again, until
 * stopped. Runs never overlap (the next wait starts when a run ends), failures
 * are logged and the loop carries on, and the timer is unref'd so the loop
 * never keeps a process alive. `stop()` waits for a run in progress, so
 * `closeDeps` can destroy the database afterwards.
 *
 * Every background loop of the host is one of these: the analytics rollup,
 * the circuit breaker, the billing scheduler and the webhook dispatcher.
 */
import { errorFields, type Logger } from './logger.js';

export interface PeriodicTaskOptions<T> {
  readonly name: string;
  readonly intervalMs: number;
  readonly run: () => Promise<T>;
  readonly logger: Logger;
  /** Delay before the first run (default: one interval; start-up is busy enough). */
  readonly firstDelayMs?: number;
  /** Run again at once instead of waiting, e.g. when a batch came back full. */
  readonly again?: (result: T) => boolean;
}

export class PeriodicTask<T = unknown> {
  readonly #options: PeriodicTaskOptions<T>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: PeriodicTaskOptions<T>) {
    this.#options = options;
  }

  get started(): boolean {
    return !this.#stopped;
  }

  /** Start the loop. Idempotent. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(this.#options.firstDelayMs ?? this.#options.intervalMs);
  }

  /** Stop the loop and wait for a run in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#once().then((again) => {
        this.#running = undefined;
        this.#schedule(again ? 0 : this.#options.intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  /** One run; answers whether to go again at once. */
  async #once(): Promise<boolean> {
    const { name, run, again, logger } = this.#options;
    try {
      const result = await run();
      return again?.(result) ?? false;
    } catch (err) {
      logger.warn({ ...errorFields(err), task: name }, `${name} failed`);
      return false;
    }
  }
}
