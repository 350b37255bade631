/**
 * Concurrency cap contract: the same assertions on every configured backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, limitsBackends, useLimits } from '../../support/redis-backends.js';

for (const backend of limitsBackends) {
  describe(`concurrency limiter contract (${backend.name})`, () => {
    const h = useLimits(backend);
    const concurrency = () => h.current.limits.concurrency;

    it('should grant up to max leases, refuse the next, and grant again after a release', async () => {
      const tenant = randomUUID();
      const first = await concurrency().acquire(tenant, 2, 60_000);
      const second = await concurrency().acquire(tenant, 2, 60_000);
      assert.ok(first.acquired && second.acquired);
      assert.equal(second.active, 2);
      assert.notEqual(first.token, second.token);
      assert.deepEqual(await concurrency().acquire(tenant, 2, 60_000), { acquired: false, active: 2 });
      assert.equal(await concurrency().release(first.token), true);
      const third = await concurrency().acquire(tenant, 2, 60_000);
      assert.equal(third.acquired, true);
    });

    it('should release a token once, and ignore tokens it never issued', async () => {
      const lease = await concurrency().acquire(randomUUID(), 1, 60_000);
      assert.ok(lease.acquired);
      assert.equal(await concurrency().release(lease.token), true);
      assert.equal(await concurrency().release(lease.token), false);
      assert.equal(await concurrency().release('not-a-token'), false);
      assert.equal(await concurrency().release(`${'A'.repeat(43)}.${randomUUID()}`), false);
    });

    it('should free the slot of a crashed holder when its lease expires', async function () {
      this.timeout(20_000);
      const tenant = randomUUID();
      // The "crashed" process: acquires, then never releases.
      const crashed = await h.current.openAnother();
      assert.equal((await crashed.concurrency.acquire(tenant, 1, 300)).acquired, true);
      assert.equal((await concurrency().acquire(tenant, 1, 60_000)).acquired, false);
      const freed = await eventually(h.current, 100, 50, async () => (await concurrency().acquire(tenant, 1, 60_000)).acquired);
      assert.equal(freed, true);
    });

    it('should refuse everything with max 0', async () => {
      assert.deepEqual(await concurrency().acquire(randomUUID(), 0, 1_000), { acquired: false, active: 0 });
    });

    it('should cap exactly across host processes and keep tenants independent', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const clients = [h.current.limits, await h.current.openAnother(), await h.current.openAnother()];
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => clients[i % 3]!.concurrency.acquire(a, 5, 60_000)));
      assert.equal(answers.filter((x) => x.acquired).length, 5);
      assert.equal((await concurrency().acquire(b, 5, 60_000)).acquired, true);
    });

    it('should refuse invalid arguments as programming errors', async () => {
      await assert.rejects(concurrency().acquire('t', -1, 1_000), RangeError);
      await assert.rejects(concurrency().acquire('t', 1, 0), RangeError);
    });
  });
}
