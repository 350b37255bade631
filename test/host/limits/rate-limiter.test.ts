/**
 * Rate limiter contract: the same assertions on every configured backend.
 * Values derived from time are asserted exactly in process (frozen clock) and
 * as bounds on Redis (its clock runs between calls).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, limitsBackends, useLimits } from '../../support/redis-backends.js';

for (const backend of limitsBackends) {
  describe(`rate limiter contract (${backend.name})`, () => {
    const h = useLimits(backend);
    const check = (tenantId: string, limit: number, windowMs?: number) =>
      h.current.limits.rateLimiter.check(tenantId, windowMs === undefined ? { limit } : { limit, windowMs });

    it('should allow exactly the limit, counting remaining down to 0', async () => {
      const tenant = randomUUID();
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await check(tenant, 5));
      assert.deepEqual(results.map((r) => [r.allowed, r.limit, r.remaining, r.retryAfterSeconds]), [
        [true, 5, 4, 0],
        [true, 5, 3, 0],
        [true, 5, 2, 0],
        [true, 5, 1, 0],
        [true, 5, 0, 0],
      ]);
      const refused = await check(tenant, 5);
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 0);
      assert.equal(refused.limit, 5);
      // One request is worth 60 s / 5 = 12 s; the bucket is full again a minute after the burst.
      if (h.current.frozenTime) {
        assert.equal(results[0]?.resetSeconds, 12);
        assert.equal(refused.retryAfterSeconds, 12);
        assert.equal(refused.resetSeconds, 60);
      } else {
        assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 12, `retry ${refused.retryAfterSeconds}`);
        assert.ok(refused.resetSeconds >= 1 && refused.resetSeconds <= 60, `reset ${refused.resetSeconds}`);
      }
    });

    it('should keep refusing without consuming while over the limit', async () => {
      const tenant = randomUUID();
      await check(tenant, 1);
      const first = await check(tenant, 1);
      const second = await check(tenant, 1);
      assert.equal(first.allowed, false);
      assert.equal(second.allowed, false);
      // A refusal does not push the reset further out.
      assert.ok(second.resetSeconds <= first.resetSeconds);
    });

    it('should refill one request per interval, then the whole limit after reset', async function () {
      this.timeout(20_000);
      const tenant = randomUUID();
      assert.equal((await check(tenant, 2, 1_000)).allowed, true);
      const last = await check(tenant, 2, 1_000);
      assert.equal(last.allowed, true);
      assert.equal((await check(tenant, 2, 1_000)).allowed, false);
      // Half a window buys one request back; poll in bounded steps instead of timing it.
      assert.ok(await eventually(h.current, 100, 50, async () => (await check(tenant, 2, 1_000)).allowed));
      const exhausted = await check(tenant, 2, 1_000);
      assert.equal(exhausted.allowed, false);
      await h.current.pass(exhausted.resetSeconds * 1_000);
      const refilled = [await check(tenant, 2, 1_000), await check(tenant, 2, 1_000)];
      assert.deepEqual(refilled.map((r) => r.allowed), [true, true]);
    });

    it('should keep tenants independent, each with its own (overridden) limit', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      for (let i = 0; i < 2; i++) await check(a, 2);
      assert.equal((await check(a, 2)).allowed, false);
      assert.equal((await check(b, 2)).allowed, true);
      // A per-tenant override is just another policy: 4 instead of the tier's 2.
      const overridden = [];
      for (let i = 0; i < 4; i++) overridden.push((await check(c, 4)).allowed);
      assert.deepEqual(overridden, [true, true, true, true]);
      assert.equal((await check(c, 4)).allowed, false);
    });

    it('should share the limit between host processes', async () => {
      const tenant = randomUUID();
      const others = [await h.current.openAnother(), await h.current.openAnother()];
      const all = [h.current.limits, ...others];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => all[i % all.length]!.rateLimiter.check(tenant, { limit: 10 })),
      );
      assert.equal(results.filter((r) => r.allowed).length, 10);
    });

    it('should refuse invalid policies as programming errors', async () => {
      await assert.rejects(check('t', 0), RangeError);
      await assert.rejects(check('t', 1.5), RangeError);
      await assert.rejects(check('t', 1, 0), RangeError);
    });
  });
}
