import assert from 'node:assert/strict';
import { SandboxPool } from '../../runtime/index.js';
import type { ExecutionResult } from '../../runtime/types.js';
import { loadFixture, request } from '../support/plugin-fixtures.js';

/** Waiting for a restarted worker counts against the deadline: give the first execution after a restart room. */
const AFTER_RESTART = { limits: { timeoutMs: 10_000 } };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sandbox-pool', function () {
  let pool: SandboxPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  describe('starting on demand', () => {
    it('should fork no worker before the first execution, then serve it', async () => {
      pool = new SandboxPool({ workers: 1, heavyWorkers: 1, spareIsolates: 1, startOnDemand: true });
      const before = await pool.stats();
      assert.deepEqual(before.perWorker.map((w) => w.pid), [0, 0], 'nothing forked yet');
      await pool.evict('install-valid'); // nothing warm: no fork either
      assert.deepEqual((await pool.stats()).perWorker.map((w) => w.pid), [0, 0]);
      const result = await pool.execute(request('valid', 'ping', { input: { n: 3 } }));
      assert.equal(result.status, 'succeeded');
      const pid = pool.workerPidOf('install-valid');
      assert.ok(pid > 0 && isAlive(pid), 'the home worker was forked for it');
      await pool.close();
      assert.equal(isAlive(pid), false);
      pool = undefined;
    });

    it('should close cleanly when it never ran anything', async () => {
      pool = new SandboxPool({ workers: 2, startOnDemand: true });
      await pool.close();
      await assert.rejects(pool.execute(request('valid', 'ping', { input: { n: 1 } })), /closed/);
      pool = undefined;
    });
  });

  describe('supervision', () => {
    it('should answer sandbox_crashed when a worker is killed, restart it and serve the next execution', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      assert.equal((await pool.execute(request('valid', 'ping'))).status, 'succeeded');
      const pid = pool.workerPidOf('install-infinite-loop');
      const stuck = pool.execute(request('infinite-loop', 'awaitForever', { limits: { timeoutMs: 10_000 } }));
      await pool.stats(); // ordered after the exec message: the execution is in flight now
      process.kill(pid, 'SIGKILL');
      const crashed = await stuck;
      assert.equal(crashed.error?.code, 'sandbox_crashed');
      const next = await pool.execute(request('valid', 'ping', { input: { n: 7 }, ...AFTER_RESTART }));
      assert.deepEqual(next.output, { pong: 7 });
      assert.notEqual(pool.workerPidOf('install-valid'), pid);
      assert.equal((await pool.stats()).restarts, 1);
    });

    it('should survive an allocation bomb that aborts the sandbox process', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      const pid = pool.workerPidOf('install-oom');
      const result = await pool.execute(request('oom', 'processKiller', { limits: { cpuMs: 10_000, timeoutMs: 10_000 } }));
      assert.equal(result.status, 'failed');
      assert.ok(['sandbox_crashed', 'memory_limit_exceeded'].includes(result.error?.code ?? ''), result.error?.code);
      assert.equal(isAlive(pid), false);
      assert.deepEqual((await pool.execute(request('oom', 'small', AFTER_RESTART))).output, { ok: true });
      assert.equal((await pool.stats()).restarts, 1);
    });

    it('should restart a worker whose resident memory passes its limit', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 0, workerRssLimitMb: 160 });
      const result = await pool.execute(
        request('oom', 'bigButAllowed', { input: { mb: 150, holdMs: 3000 }, limits: { memoryMb: 256, cpuMs: 10_000, timeoutMs: 10_000 } }),
      );
      assert.equal(result.error?.code, 'sandbox_crashed');
      assert.deepEqual((await pool.execute(request('oom', 'small', AFTER_RESTART))).output, { ok: true });
    });

    it('should kill a worker that stops answering past the deadline and restart it', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16, testHooks: true, watchdogGraceMs: 300 });
      assert.equal((await pool.execute(request('valid', 'ping'))).status, 'succeeded');
      const bystander = pool.execute(request('infinite-loop', 'awaitForever', { limits: { timeoutMs: 10_000 } }));
      await pool.stats();
      // Long enough for the worker to pass on the bystander's log line (it does after 100 ms of running).
      await new Promise((resolve) => setTimeout(resolve, 500));
      pool.blockWorkerOf('install-valid', 30_000);
      const late = await pool.execute(request('valid', 'ping', { limits: { timeoutMs: 200 } }));
      assert.equal(late.error?.code, 'execution_timeout');
      const crashed = await bystander;
      assert.equal(crashed.error?.code, 'sandbox_crashed');
      // It had logged before its worker stopped answering: the worker had passed the line on.
      assert.deepEqual(crashed.logs, ['waiting forever']);
      assert.equal((await pool.execute(request('valid', 'ping', AFTER_RESTART))).status, 'succeeded');
    });
  });

  describe('scheduling', () => {
    it('should keep serving a neighbour while another install loops forever', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 2, defaultMemoryMb: 16 });
      await pool.execute(request('valid', 'ping', { installId: 'neighbour' }));
      let loopDone = false;
      const loop = pool
        .execute(request('infinite-loop', 'syncLoop', { limits: { cpuMs: 1500, timeoutMs: 1500 } }))
        .then((result) => {
          loopDone = true;
          return result;
        });
      await pool.stats();
      const outputs = [];
      for (let n = 0; n < 20; n++) {
        const result = await pool.execute(request('valid', 'ping', { installId: 'neighbour', input: { n } }));
        outputs.push(result.output);
      }
      assert.equal(loopDone, false, 'the looping plugin answered before the neighbour finished 20 executions');
      assert.deepEqual(outputs.at(-1), { pong: 19 });
      assert.equal((await loop).error?.code, 'execution_timeout');
    });

    it('should run executions of one install side by side, each on its own instance', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      const results = await Promise.all(Array.from({ length: 5 }, () => pool!.execute(request('valid', 'counter', { installId: 'parallel' }))));
      // Five instances of one install, each starting its own count: none waited for another's isolate.
      assert.deepEqual(results.map((r) => (r.output as { executions: number }).executions), [1, 1, 1, 1, 1]);
      assert.equal((await pool.stats()).warmInstances, 5);
    });

    it('should spread installs over workers and keep each install on its worker', async () => {
      pool = new SandboxPool({ workers: 2, spareIsolates: 0 });
      await pool.ready();
      const a = pool.workerPidOf('a');
      const b = pool.workerPidOf('b');
      assert.notEqual(a, b);
      await pool.execute(request('valid', 'ping', { installId: 'a' }));
      assert.equal(pool.workerPidOf('a'), a);
      assert.equal((await pool.stats()).workers, 3, 'two workers and the heavy lane');
    });
  });

  describe('isolation and recycling', () => {
    it('should never share globals between installs', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      await pool.execute(request('valid', 'setGlobal', { installId: 'one', input: { value: 'secret' } }));
      const same = await pool.execute(request('valid', 'getGlobal', { installId: 'one' }));
      const other = await pool.execute(request('valid', 'getGlobal', { installId: 'two' }));
      assert.deepEqual(same.output, { shared: 'secret' });
      assert.deepEqual(other.output, { shared: null });
    });

    it('should recycle an install on evict() and after maxExecutionsPerInstance', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16, maxExecutionsPerInstance: 3 });
      const count = async (): Promise<number> =>
        ((await pool!.execute(request('valid', 'counter', { installId: 'recycled' }))).output as { executions: number }).executions;
      assert.deepEqual([await count(), await count(), await count(), await count()], [1, 2, 3, 1]);
      await pool.evict('recycled');
      assert.equal(await count(), 1);
      assert.equal((await pool.stats()).evictions, 1);
    });

    it("should keep an install's two versions warm side by side, as a rollout alternates them", async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
      const current = loadFixture('valid');
      const next = { ...current, sha256: `${current.sha256}-next` }; // another version of the same package
      const count = async (code: typeof current): Promise<number> =>
        ((await pool!.execute(request('valid', 'counter', { installId: 'rolling', code }))).output as { executions: number }).executions;
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push([await count(current), await count(next)]);
      assert.deepEqual(counts, [[1, 1], [2, 2], [3, 3]], 'each version reused its own warm instance');
      assert.equal((await pool.stats()).warmInstances, 2);
    });

    it('should evict the least recently used installs over the warm limit', async () => {
      pool = new SandboxPool({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16, maxWarmInstances: 2 });
      const count = async (installId: string): Promise<number> =>
        ((await pool!.execute(request('valid', 'counter', { installId }))).output as { executions: number }).executions;
      await count('lru-a');
      await count('lru-b');
      await count('lru-a');
      await count('lru-c'); // evicts lru-b, the least recently used
      const stats = await pool.stats();
      assert.equal(stats.warmInstances, 2);
      assert.equal(stats.evictions, 1);
      assert.equal(await count('lru-a'), 3);
      assert.equal(await count('lru-b'), 1);
    });
  });

  describe('close', () => {
    it('should drain in-flight executions, stop every worker and be idempotent', async () => {
      pool = new SandboxPool({ workers: 2, spareIsolates: 0 });
      await pool.ready();
      const pids = [pool.workerPidOf('x'), pool.workerPidOf('y')];
      const inFlight: Promise<ExecutionResult> = pool.execute(request('valid', 'slugifyAsync', { installId: 'x', input: { title: 'Draining' } }));
      await Promise.all([pool.close(), pool.close()]);
      assert.equal((await inFlight).status, 'succeeded');
      await pool.close();
      for (const pid of pids) assert.equal(isAlive(pid), false);
    });
  });
});
