/**
 * The limiter backends tests run against
 * (docs/product.md "Storage and deployment": one test suite runs against every
 * backend that is configured):
 *
 * - `in-process`: always; time is a manual clock the test moves forward.
 * - `redis`: when `REDIS_URL` is set; each suite gets its own key prefix and
 *   deletes its keys afterwards, so parallel or repeated runs never collide.
 *   Time is the Redis server's, so `pass(ms)` really waits.
 *
 * Use it as `for (const backend of limitsBackends) describe(..., () => { const h = useLimits(backend); ... })`.
 * A configured Redis that cannot be reached skips its suites locally but
 * FAILS them under `CI=true`: CI must never go green by not testing.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type Limits, type LimitsOptions, createLimits } from '../../host/limits/index.js';
import { silentLogger } from '../../host/foundation/logger.js';
import { ManualClock } from './manual-clock.js';
import { useSuiteBackend } from './suite-backend.js';

/** The limits of one suite, plus what tests need to drive them. */
export interface TestLimits {
  readonly backend: string;
  /** `true` when time stands still between calls (in-process): exact time-derived values may be asserted. */
  readonly frozenTime: boolean;
  readonly limits: Limits;
  readonly keyPrefix: string;
  /**
   * Another host process on the same counters: for Redis its own connection;
   * in-process (one process by definition) the same instance. Closed with the suite.
   */
  openAnother(): Promise<Limits>;
  /** A new instance on the same keys/clock with options (in-process: empty memory, as after a restart). */
  openWith(options: Pick<LimitsOptions, 'usage'>): Promise<Limits>;
  /** Let `ms` of the backend's time pass. */
  pass(ms: number): Promise<void>;
  /** The Redis keys under this suite's prefix (none in process). */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

export interface LimitsBackend {
  readonly name: string;
  open(): Promise<TestLimits>;
}


/** Middle of a month, so period arithmetic has room either side. */
export const TEST_START = new Date('2030-01-15T00:00:00.000Z');

const inProcess: LimitsBackend = {
  name: 'in-process',
  async open() {
    const clock = new ManualClock(TEST_START);
    const make = (options: Pick<LimitsOptions, 'usage'> = {}) => createLimits({ keyPrefix: '', logger: silentLogger, clock, ...options });
    const limits = make();
    return {
      backend: 'in-process',
      frozenTime: true,
      limits,
      keyPrefix: '',
      openAnother: async () => limits,
      openWith: async (options) => make(options),
      pass: async (ms) => clock.advance(ms),
      keys: async () => [],
      close: async () => undefined,
    };
  },
};

function redis(url: string): LimitsBackend {
  return {
    name: 'redis',
    async open() {
      const keyPrefix = `bzr-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
      const opened: Limits[] = [];
      const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000, retryStrategy: () => null });
      admin.on('error', () => undefined); // reported by connect() below
      const closeAll = async (): Promise<void> => {
        await Promise.allSettled(opened.map((l) => l.close()));
        admin.disconnect();
      };
      const open = async (options: Pick<LimitsOptions, 'usage'> = {}): Promise<Limits> => {
        const limits = createLimits({ redisUrl: url, keyPrefix, logger: silentLogger, ...options });
        opened.push(limits);
        // Wait for the connection: without an offline queue, a command sent earlier would fail.
        await limits.ping();
        return limits;
      };
      const keys = async (): Promise<string[]> => {
        const found: string[] = [];
        for await (const batch of admin.scanStream({ match: `${keyPrefix}*`, count: 1000 })) found.push(...(batch as string[]));
        return found;
      };
      try {
        await admin.connect();
        const limits = await open();
        return {
          backend: 'redis',
          frozenTime: false,
          limits,
          keyPrefix,
          openAnother: () => open(),
          openWith: (options) => open(options),
          pass: (ms) => sleep(ms),
          keys,
          async close() {
            const leftover = await keys();
            if (leftover.length > 0) await admin.unlink(...leftover);
            await closeAll();
          },
        };
      } catch (err) {
        await closeAll();
        throw new Error(`Redis at ${url} is unreachable: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

/** Every configured backend, in-process first. */
export const limitsBackends: readonly LimitsBackend[] = [
  inProcess,
  ...(process.env.REDIS_URL ? [redis(process.env.REDIS_URL)] : []),
];

/**
 * Open `backend` for the enclosing `describe` (before/after hooks) and answer
 * a handle whose `current` is the open backend inside tests.
 */
export function useLimits(backend: LimitsBackend): { readonly current: TestLimits } {
  return useSuiteBackend({ name: backend.name, embedded: backend.name === 'in-process', open: () => backend.open() });
}

/** Call `attempt` after letting `stepMs` pass, up to `maxSteps` times, until it answers true. Bounded: no wall-clock assertion. */
export async function eventually(h: TestLimits, stepMs: number, maxSteps: number, attempt: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < maxSteps; i++) {
    await h.pass(stepMs);
    if (await attempt()) return true;
  }
  return false;
}
