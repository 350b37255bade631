/**
 * The in-host scheduler: every `intervalMs` it closes due periods, like
 * POST /v1/billing/close-period. Every host process runs one; the closer's
 * row locks make their runs safe to overlap. Runs never overlap within a
 * process, failures are logged (the next tick retries), and `stop()` waits
 * for a run in progress so the database can be closed after it.
 */
import { errorFields, type Logger } from '../logger.js';
import type { CloseReport } from './period-closer.js';

export class BillingScheduler {
  readonly #run: () => Promise<CloseReport>;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: { run: () => Promise<CloseReport>; logger: Logger; intervalMs: number }) {
    this.#run = options.run;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.tick(), this.#intervalMs);
    this.#timer.unref(); // never keeps a process alive on its own
  }

  /** One run now, unless one is in progress. */
  tick(): Promise<void> {
    this.#running ??= this.#run()
      .then(
        (report) => {
          if (report.closed.length > 0 || report.pastDue.length > 0) {
            this.#logger.info({ closed: report.closed.length, pastDue: report.pastDue.length }, 'billing periods closed');
          }
        },
        (err: unknown) => this.#logger.warn(errorFields(err), 'closing billing periods failed'),
      )
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
