/**
 * Where the wall time of one execution goes, for `npm run bench`: wraps the
 * methods of a bench host's dependencies that each execution awaits (API key,
 * rate limit, quota + concurrency admission, sandbox, usage commit, lease release) and
 * reports the mean and p50 of each. Timings overlap nothing within one
 * request: the stages run one after the other, so their sum plus "the rest"
 * (HTTP, Koa, JSON, validation, event-loop queueing) is the request's time
 * in the host.
 */
import type { AppDeps } from '../../host/wiring/deps.js';

type AnyMethod = (...args: never[]) => Promise<unknown>;

export class StageTimer {
  readonly #samples = new Map<string, number[]>();
  readonly #restore: (() => void)[] = [];
  #on = false;

  /** Wrap `target[method]` so each call's wall time counts towards `stage`. */
  wrap<T extends object>(stage: string, target: T, method: keyof T & string): void {
    const original = target[method] as unknown as AnyMethod;
    const samples = this.#samples.get(stage) ?? [];
    this.#samples.set(stage, samples);
    const wrapped = async (...args: never[]): Promise<unknown> => {
      if (!this.#on) return original.apply(target, args);
      const started = performance.now();
      try {
        return await original.apply(target, args);
      } finally {
        samples.push(performance.now() - started);
      }
    };
    (target as Record<string, unknown>)[method] = wrapped;
    this.#restore.push(() => {
      (target as Record<string, unknown>)[method] = original;
    });
  }

  /** The stages of the execute path on `deps`. */
  wrapExecutePath(deps: AppDeps): void {
    this.wrap('authenticate (cached key)', deps.apiKeys, 'authenticate');
    this.wrap('rate-limit script (Redis) / in-process', deps.limits.rateLimiter, 'check');
    this.wrap('CPU budget + quota + concurrency lease (one script)', deps.limits.admission, 'admit');
    this.wrap('sandbox (IPC to a worker and back)', deps.runtime, 'execute');
    this.wrap('usage record (group commit)', deps.usage, 'record');
    this.wrap('lease release + CPU charge (after the answer)', deps.limits.admission, 'finish');
  }

  start(): void {
    this.#on = true;
  }

  stop(): void {
    this.#on = false;
    for (const restore of this.#restore.splice(0)) restore();
  }

  /** `stage: mean / p50 ms (calls)` for every stage called. */
  summary(): string[] {
    const lines: string[] = [];
    for (const [stage, samples] of this.#samples) {
      if (samples.length === 0) continue;
      const sorted = [...samples].sort((a, b) => a - b);
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      const p50 = sorted[Math.floor(sorted.length / 2)]!;
      lines.push(`${stage}: mean ${mean.toFixed(2)} ms, p50 ${p50.toFixed(2)} ms (${samples.length} calls)`);
    }
    return lines;
  }
}
