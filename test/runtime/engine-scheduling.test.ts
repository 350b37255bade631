/**
 * The execution engine under concurrency: executions of one install side by
 * side, deadlines that count waiting, fair shares when saturated, honest
 * memory figures, and a worker's death failing only what ran in it. Asserted
 * by counts and order, never by wall-clock figures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { BazaarError } from '../../manifests/errors.js';
import { FairScheduler } from '../../runtime/fair-scheduler.js';
import { SandboxPool } from '../../runtime/index.js';
import type { ExecutionResult, FetchResponse } from '../../runtime/types.js';
import { FakeFetch, request } from '../support/plugin-fixtures.js';

/** A fetch port that holds every call until `size` calls are waiting at once (or `giveUpMs` passes). */
function barrierFetch(size: number, giveUpMs: number): { port: FakeFetch; maxWaiting: () => number } {
  let waiting = 0;
  let maxWaiting = 0;
  const release: Array<() => void> = [];
  const openAll = (): void => {
    for (const go of release.splice(0)) go();
  };
  const timer = setTimeout(openAll, giveUpMs);
  const port = new FakeFetch(async (): Promise<FetchResponse> => {
    waiting++;
    maxWaiting = Math.max(maxWaiting, waiting);
    const answered = new Promise<void>((resolve) => release.push(resolve));
    if (waiting >= size) {
      clearTimeout(timer);
      openAll();
    }
    await answered;
    waiting--;
    return { status: 200, headers: {}, body: 'ok' };
  });
  return { port, maxWaiting: () => maxWaiting };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`never happened: ${what}`);
}

describe('execution engine', function () {
  this.timeout(60_000);
  let pool: SandboxPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  describe('side by side', () => {
    it('should have 20 executions of one install awaiting a host call in flight at once', async () => {
      pool = new SandboxPool({ workers: 2, spareIsolates: 1, defaultMemoryMb: 16 });
      const { port, maxWaiting } = barrierFetch(20, 10_000);
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          pool!.execute(request('valid', 'fetchIt', { installId: 'one-install', input: { url: 'https://example.test/' }, bridge: { fetch: port }, limits: { timeoutMs: 20_000 } })),
        ),
      );
      assert.equal(maxWaiting(), 20, 'all 20 host calls were waiting at the same time');
      assert.deepEqual(results.map((r) => r.status), Array(20).fill('succeeded'));
    });

    it('should grow an install pool with demand and shrink it back when idle', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16, idleInstanceMs: 200 });
      const { port } = barrierFetch(6, 10_000);
      await Promise.all(
        Array.from({ length: 6 }, () =>
          pool!.execute(request('valid', 'fetchIt', { installId: 'elastic', input: { url: 'https://example.test/' }, bridge: { fetch: port }, limits: { timeoutMs: 20_000 } })),
        ),
      );
      assert.equal((await pool.stats()).warmInstances, 6);
      await until(async () => (await pool!.stats()).warmInstances === 1, 'the idle pool shrinks to its latest instance');
      // The one kept is warm: its module state is still there.
      const next = await pool.execute(request('valid', 'counter', { installId: 'elastic' }));
      assert.equal(next.status, 'succeeded');
    });

    it('should never hand an instance of one install to another', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 2, defaultMemoryMb: 16 });
      await Promise.all(['a', 'b', 'a', 'b'].map((id) => pool!.execute(request('valid', 'setGlobal', { installId: `iso-${id}`, input: { value: id } }))));
      const reads = await Promise.all(['a', 'b', 'a', 'b'].map((id) => pool!.execute(request('valid', 'getGlobal', { installId: `iso-${id}` }))));
      assert.deepEqual(reads.map((r) => r.output), [{ shared: 'a' }, { shared: 'b' }, { shared: 'a' }, { shared: 'b' }]);
    });
  });

  describe('deadlines from admission', () => {
    it('should end ten never-settling executions of one install together, not one after another', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 2, defaultMemoryMb: 16 });
      const order: string[] = [];
      const never = Array.from({ length: 10 }, (_, i) =>
        pool!.execute(request('infinite-loop', 'neverResolves', { installId: 'never', limits: { timeoutMs: 1000 } })).then((r) => {
          order.push(`never-${i}`);
          return r;
        }),
      );
      // Submitted after all ten, with a longer limit: it must end after every one of them.
      const witness = pool.execute(request('infinite-loop', 'neverResolves', { installId: 'witness', limits: { timeoutMs: 1500 } })).then((r) => {
        order.push('witness');
        return r;
      });
      const results = await Promise.all([...never, witness]);
      assert.deepEqual(results.map((r) => r.error?.code), Array(11).fill('execution_timeout'));
      assert.equal(order.at(-1), 'witness');
    });

    it('should count the time before the sandbox against the deadline', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 2, defaultMemoryMb: 16 });
      const order: string[] = [];
      // Admitted long ago: 200 ms of its 5 s are left.
      const late = pool.execute(request('infinite-loop', 'neverResolves', { installId: 'late', deadline: Date.now() + 200, limits: { timeoutMs: 5000 } }));
      const fresh = pool.execute(request('infinite-loop', 'neverResolves', { installId: 'fresh', limits: { timeoutMs: 1000 } }));
      void late.then(() => order.push('late'));
      void fresh.then(() => order.push('fresh'));
      const [lateResult] = await Promise.all([late, fresh]);
      assert.equal(lateResult.error?.code, 'execution_timeout', lateResult.error?.message);
      assert.deepEqual(order, ['late', 'fresh']);
    });

    it('should refuse fast what cannot start in time instead of answering after the deadline', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 2, defaultMemoryMb: 16, maxRunning: 2 });
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () =>
          pool!.execute(request('infinite-loop', 'neverResolves', { installId: 'saturated', limits: { timeoutMs: 600 } })).then(
            (r: ExecutionResult) => r.error?.code ?? r.status,
            (err: unknown) => (err instanceof BazaarError ? `refused:${err.code}:${err.headers['Retry-After']}` : String(err)),
          ),
        ),
      );
      assert.deepEqual(outcomes.sort(), [
        'execution_timeout',
        'execution_timeout',
        'refused:concurrency_limited:1',
        'refused:concurrency_limited:1',
        'refused:concurrency_limited:1',
        'refused:concurrency_limited:1',
      ]);
      const stats = await pool.stats();
      assert.equal(stats.refused, 4);
      assert.equal(stats.waiting, 0);
    });
  });

  describe('fair shares when saturated', () => {
    it('should give freed slots to tenants in proportion to their weight, starving none', async () => {
      const scheduler = new FairScheduler({ capacity: 1, maxWaitMs: 60_000 });
      const deadline = Date.now() + 600_000;
      await scheduler.acquire({ tenantId: 'blocker', weight: 1, deadline, timeoutMs: 1000 });
      const started: string[] = [];
      const waits = [
        ...Array.from({ length: 8 }, () => ['free', 1] as const),
        ...Array.from({ length: 8 }, () => ['enterprise', 4] as const),
      ].map(([tenantId, weight]) => scheduler.acquire({ tenantId, weight, deadline, timeoutMs: 1000 }).then(() => started.push(tenantId)));
      for (let i = 0; i < 16; i++) {
        scheduler.release();
        await Promise.resolve();
        await Promise.resolve();
      }
      await Promise.all(waits);
      const firstFive = started.slice(0, 5);
      assert.equal(firstFive.filter((t) => t === 'enterprise').length, 4, started.join(','));
      assert.ok(firstFive.includes('free'), 'the light tenant is not starved');
      assert.equal(started.length, 16);
    });

    it('should not let a tenant that floods the queue delay a newcomer behind its backlog', async () => {
      const scheduler = new FairScheduler({ capacity: 1, maxWaitMs: 60_000 });
      const deadline = Date.now() + 600_000;
      await scheduler.acquire({ tenantId: 'flood', weight: 1, deadline, timeoutMs: 1000 });
      const started: string[] = [];
      const flood = Array.from({ length: 20 }, () => scheduler.acquire({ tenantId: 'flood', weight: 1, deadline, timeoutMs: 1000 }).then(() => started.push('flood')));
      scheduler.release(); // two of the flood run...
      await Promise.resolve();
      scheduler.release();
      await Promise.resolve();
      const quiet = scheduler.acquire({ tenantId: 'quiet', weight: 1, deadline, timeoutMs: 1000 }).then(() => started.push('quiet'));
      for (let i = 0; i < 19; i++) {
        scheduler.release();
        await Promise.resolve();
        await Promise.resolve();
      }
      await Promise.all([...flood, quiet]);
      assert.ok(started.indexOf('quiet') <= 3, `quiet started at ${started.indexOf('quiet')}: ${started.join(',')}`);
    });

    it('should move a tenant spinning loops to the lower-priority lane and keep its neighbour correct', async () => {
      pool = new SandboxPool({ workers: 2, spareIsolates: 2, defaultMemoryMb: 16 });
      const spin = (i: number) =>
        pool!.execute(request('infinite-loop', 'syncLoop', { installId: 'spinner', tenant: { id: 'spinner', weight: 1 }, input: { i }, limits: { cpuMs: 300, timeoutMs: 5000 } }));
      assert.equal((await spin(0)).error?.code, 'execution_timeout'); // one run shows what the install costs
      const spinning = Array.from({ length: 6 }, (_, i) => spin(i + 1));
      const stats = await pool.stats();
      const heavy = stats.perWorker.filter((w) => w.heavy);
      assert.equal(heavy.length, 1);
      assert.equal(heavy[0]?.inFlight, 6, 'every spinning execution runs in the heavy lane');
      assert.equal(getPriority(heavy[0]!.pid), 10);
      const neighbour = [];
      for (let n = 0; n < 10; n++) {
        neighbour.push(await pool.execute(request('valid', 'ping', { installId: 'neighbour', tenant: { id: 'neighbour', weight: 4 }, input: { n } })));
      }
      assert.deepEqual(neighbour.map((r) => r.output), Array.from({ length: 10 }, (_, n) => ({ pong: n })));
      assert.deepEqual((await Promise.all(spinning)).map((r) => r.error?.code), Array(6).fill('execution_timeout'));
    });
  });

  describe('background work', () => {
    it('should run background work (a shadow run) in the lower-priority lane from its first execution', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      const background = await pool.execute(request('valid', 'ping', { installId: 'candidate', input: { n: 1 }, background: true }));
      const foreground = await pool.execute(request('valid', 'ping', { installId: 'answered', input: { n: 2 } }));
      assert.deepEqual([background.output, foreground.output], [{ pong: 1 }, { pong: 2 }]);
      const warm = (await pool.stats()).perWorker.map((w) => [w.heavy, w.warmInstances]);
      assert.deepEqual(warm, [[false, 1], [true, 1]], 'one warm instance in each lane: the background one in the heavy lane');
    });
  });

  describe('memory, reported honestly', () => {
    it('should answer memory_limit_exceeded for a heap bomb even under a generous CPU limit', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 0, defaultMemoryMb: 32 });
      const result = await pool.execute(request('oom', 'arrayBomb', { limits: { memoryMb: 32, cpuMs: 5000, timeoutMs: 5000 } }));
      assert.equal(result.error?.code, 'memory_limit_exceeded');
      assert.ok(result.usage.memoryBytes > 16 * 1024 * 1024, `peak ${result.usage.memoryBytes}`);
    });

    it('should answer memory_limit_exceeded when an ArrayBuffer is refused at the limit', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 0, defaultMemoryMb: 16 });
      const result = await pool.execute(request('oom', 'arrayBuffers', { limits: { memoryMb: 16, cpuMs: 5000, timeoutMs: 5000 } }));
      assert.equal(result.error?.code, 'memory_limit_exceeded');
    });

    it('should report a non-zero peak for code that was stopped before any sample', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      const result = await pool.execute(request('infinite-loop', 'syncLoop', { limits: { cpuMs: 30, timeoutMs: 1000 } }));
      assert.equal(result.error?.code, 'execution_timeout');
      assert.ok(result.usage.memoryBytes > 0);
    });
  });

  describe('a dying worker', () => {
    it('should run the executions still waiting for a slot on a fresh worker', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16, maxRunning: 1, maxQueueWaitMs: 20_000 });
      const pid = pool.workerPidOf('install-oom');
      const killer = pool.execute(request('oom', 'processKiller', { limits: { cpuMs: 10_000, timeoutMs: 10_000 } }));
      const queued = Array.from({ length: 3 }, (_, n) =>
        pool!.execute(request('valid', 'ping', { input: { n }, limits: { timeoutMs: 10_000 } })),
      );
      assert.ok(['sandbox_crashed', 'memory_limit_exceeded'].includes((await killer).error?.code ?? ''));
      assert.deepEqual((await Promise.all(queued)).map((r) => r.output), [{ pong: 0 }, { pong: 1 }, { pong: 2 }]);
      assert.notEqual(pool.workerPidOf('install-oom'), pid);
    });
  });

  describe('worker environment', () => {
    it('should hold none of the host secrets in a worker process', async () => {
      const saved = { ...process.env };
      process.env.DATABASE_URL = 'postgres://secret-user:secret-pass@db.internal/bazaar';
      process.env.REDIS_URL = 'redis://secret-redis.internal:6379';
      process.env.BAZAAR_ADMIN_KEY = 'bzr_admin_secret_for_the_test';
      try {
        pool = new SandboxPool({ workers: 1, spareIsolates: 0 });
        await pool.ready();
        const pid = pool.workerPidOf('any');
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        const names = environ.map((entry) => entry.slice(0, entry.indexOf('=')));
        for (const secret of ['DATABASE_URL', 'REDIS_URL', 'BAZAAR_ADMIN_KEY']) assert.ok(!names.includes(secret), `${secret} reached the worker`);
        assert.ok(!environ.join('\n').includes('secret'), 'no secret value reached the worker');
        assert.equal((await pool.execute(request('valid', 'ping', { input: { n: 1 } }))).status, 'succeeded');
      } finally {
        process.env = saved;
      }
    });
  });
});
