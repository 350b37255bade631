/**
 * Batches API keys' last-use times in memory and writes them periodically, so
 * an authenticated request costs one indexed read and no write. `lastUsedAt`
 * is therefore eventually consistent (at most `flushIntervalMs` behind, plus
 * the one-minute resolution the authenticator records at); it is flushed on
 * shutdown so a clean stop loses nothing.
 */
import { errorFields, type Logger } from '../foundation/logger.js';

export interface LastUsedTrackerOptions {
  /** Persists a batch: id → time. Must never move a time backwards. */
  readonly write: (entries: ReadonlyMap<string, Date>) => Promise<void>;
  readonly logger: Logger;
  readonly flushIntervalMs?: number;
}

export class LastUsedTracker {
  readonly #write: LastUsedTrackerOptions['write'];
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #pending = new Map<string, Date>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: LastUsedTrackerOptions) {
    this.#write = options.write;
    this.#logger = options.logger;
    this.#intervalMs = options.flushIntervalMs ?? 60_000;
  }

  /** Start periodic flushing. The timer is unref'd: it never keeps the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Note a use; the latest time per key wins. */
  record(keyId: string, at: Date): void {
    const seen = this.#pending.get(keyId);
    if (seen === undefined || seen < at) this.#pending.set(keyId, at);
  }

  /** A use not written yet, so lists can show it before the next flush. */
  pending(keyId: string): Date | undefined {
    return this.#pending.get(keyId);
  }

  /** Write what is pending. Flushes run one at a time; a failed batch is merged back for the next try. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.size === 0) return;
      const batch = this.#pending;
      this.#pending = new Map();
      try {
        await this.#write(batch);
      } catch (err) {
        for (const [id, at] of batch) this.record(id, at);
        this.#logger.warn(errorFields(err), 'could not record API key last use; will retry');
      }
    });
    return this.#flushing;
  }

  /** Stop the timer and write what is left (on shutdown, before the database closes). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
