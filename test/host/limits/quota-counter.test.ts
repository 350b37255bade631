/**
 * Quota counter contract: the same assertions on every configured backend,
 * including exactness under concurrent reservations from several clients.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { QuotaPolicy, UsageSource } from '../../../host/limits/index.js';
import { limitsBackends, useLimits } from '../../support/redis-backends.js';

const PERIOD = '2030-01';
const FREE: QuotaPolicy = { included: 3, hardLimit: true };
const PRO: QuotaPolicy = { included: 2, hardLimit: false };
const UNLIMITED: QuotaPolicy = { included: null, hardLimit: false };

for (const backend of limitsBackends) {
  describe(`quota counter contract (${backend.name})`, () => {
    const h = useLimits(backend);
    const quota = () => h.current.limits.quota;

    it('should refuse a hard-limited tier once the quota is used, without counting the refusals', async () => {
      const tenant = randomUUID();
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await quota().reserve(tenant, PERIOD, FREE));
      assert.deepEqual(answers, [
        { allowed: true, used: 1, included: 3, overage: 0 },
        { allowed: true, used: 2, included: 3, overage: 0 },
        { allowed: true, used: 3, included: 3, overage: 0 },
        { allowed: false, used: 3, included: 3, overage: 0 },
        { allowed: false, used: 3, included: 3, overage: 0 },
      ]);
      assert.equal(await quota().used(tenant, PERIOD), 3);
    });

    it('should allow and count overage on paid tiers', async () => {
      const tenant = randomUUID();
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await quota().reserve(tenant, PERIOD, PRO));
      assert.deepEqual(answers.map((a) => [a.allowed, a.used, a.overage]), [
        [true, 1, 0],
        [true, 2, 0],
        [true, 3, 1],
        [true, 4, 2],
      ]);
    });

    it('should count but never refuse an unlimited tier, even if marked hard', async () => {
      const tenant = randomUUID();
      await quota().reserve(tenant, PERIOD, UNLIMITED);
      const second = await quota().reserve(tenant, PERIOD, { included: null, hardLimit: true });
      assert.deepEqual(second, { allowed: true, used: 2, included: null, overage: 0 });
    });

    it('should allow exactly N of 200 concurrent reservations from 3 clients against a hard quota of N', async () => {
      const tenant = randomUUID();
      const clients = [h.current.limits, await h.current.openAnother(), await h.current.openAnother()];
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => clients[i % 3]!.quota.reserve(tenant, PERIOD, { included: 57, hardLimit: true })),
      );
      const allowed = answers.filter((a) => a.allowed);
      assert.equal(allowed.length, 57);
      // Each allowed reservation got its own count: 1..57, no duplicates, no gaps.
      assert.deepEqual(allowed.map((a) => a.used).sort((x, y) => x - y), Array.from({ length: 57 }, (_, i) => i + 1));
      assert.ok(answers.filter((a) => !a.allowed).every((a) => a.used === 57));
      assert.equal(await quota().used(tenant, PERIOD), 57);
    });

    it('should count every one of 200 concurrent overage reservations exactly once', async () => {
      const tenant = randomUUID();
      const clients = [h.current.limits, await h.current.openAnother(), await h.current.openAnother()];
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => clients[i % 3]!.quota.reserve(tenant, PERIOD, { included: 50, hardLimit: false })),
      );
      assert.ok(answers.every((a) => a.allowed));
      assert.equal(new Set(answers.map((a) => a.used)).size, 200);
      assert.equal(answers.filter((a) => a.overage > 0).length, 150);
      assert.equal(await quota().used(tenant, PERIOD), 200);
    });

    it('should give back a reservation on release, never below zero', async () => {
      const tenant = randomUUID();
      for (let i = 0; i < 3; i++) await quota().reserve(tenant, PERIOD, FREE);
      assert.equal((await quota().reserve(tenant, PERIOD, FREE)).allowed, false);
      assert.equal(await quota().release(tenant, PERIOD), true);
      assert.deepEqual(await quota().reserve(tenant, PERIOD, FREE), { allowed: true, used: 3, included: 3, overage: 0 });
      const fresh = randomUUID();
      assert.equal(await quota().release(fresh, PERIOD), false);
      assert.equal(await quota().used(fresh, PERIOD), 0);
    });

    it('should seed an absent counter only once, never overwriting a live one', async () => {
      const tenant = randomUUID();
      assert.equal(await quota().seed(tenant, PERIOD, 1_000), true);
      assert.equal(await quota().seed(tenant, PERIOD, 5), false);
      assert.equal(await quota().used(tenant, PERIOD), 1_000);
      assert.deepEqual(await quota().reserve(tenant, PERIOD, { included: 1_000, hardLimit: true }), {
        allowed: false,
        used: 1_000,
        included: 1_000,
        overage: 0,
      });
      const counted = randomUUID();
      await quota().reserve(counted, PERIOD, PRO);
      assert.equal(await quota().seed(counted, PERIOD, 40), false);
      assert.equal(await quota().used(counted, PERIOD), 1);
    });

    it('should rebuild a missing counter from the usage source before reserving', async () => {
      const tenant = randomUUID();
      const calls: string[] = [];
      const usage: UsageSource = {
        async executionsIn(tenantId, period) {
          calls.push(`${tenantId}/${period}`);
          return 41;
        },
      };
      const restarted = await h.current.openWith({ usage });
      const answers = await Promise.all([1, 2, 3].map(() => restarted.quota.reserve(tenant, PERIOD, PRO)));
      assert.deepEqual(answers.map((a) => a.used).sort((x, y) => x - y), [42, 43, 44]);
      assert.ok(calls.length >= 1 && calls.every((c) => c === `${tenant}/${PERIOD}`));
      const before = calls.length;
      await restarted.quota.reserve(tenant, PERIOD, PRO);
      assert.equal(calls.length, before, 'a live counter is not reseeded');
    });

    it('should keep tenants and periods independent', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      for (let i = 0; i < 4; i++) await quota().reserve(a, PERIOD, FREE);
      assert.equal((await quota().reserve(a, PERIOD, FREE)).allowed, false);
      assert.equal((await quota().reserve(b, PERIOD, FREE)).used, 1);
      assert.equal((await quota().reserve(a, '2030-02', FREE)).used, 1);
      assert.equal((await quota().reserve(a, '2029-12', FREE)).used, 1);
    });

    it('should refuse malformed periods and quotas as programming errors', async () => {
      await assert.rejects(quota().reserve('t', '2030-1', FREE), RangeError);
      await assert.rejects(quota().reserve('t', '2030-13', FREE), RangeError);
      await assert.rejects(quota().reserve('t', `${PERIOD}:x`, FREE), RangeError);
      await assert.rejects(quota().reserve('t', PERIOD, { included: -1, hardLimit: true }), RangeError);
      await assert.rejects(quota().seed('t', PERIOD, 1.5), RangeError);
    });
  });
}
