/**
 * Hostile tenant ids: separators, glob characters, newlines, hash tags and
 * huge strings must neither break a counter nor make two tenants share one.
 */
import assert from 'node:assert/strict';
import { limitsBackends, useLimits } from '../../support/redis-backends.js';

const HOSTILE = ['a:b', 'a', 'b', 'a:b:', ':', '*', 'a*', '?', '[ab]', '{tag}', 'line\nbreak', 'line', '', ' ', 'é🙂', 'x'.repeat(100_000)];

for (const backend of limitsBackends) {
  describe(`hostile tenant ids (${backend.name})`, () => {
    const h = useLimits(backend);

    it('should give every id its own rate limit', async () => {
      const limiter = h.current.limits.rateLimiter;
      const first = await Promise.all(HOSTILE.map((id) => limiter.check(`rate/${id}`, { limit: 1 })));
      assert.deepEqual(first.map((r) => r.allowed), HOSTILE.map(() => true));
      const second = await Promise.all(HOSTILE.map((id) => limiter.check(`rate/${id}`, { limit: 1 })));
      assert.deepEqual(second.map((r) => r.allowed), HOSTILE.map(() => false));
    });

    it('should give every id its own quota counter and lease set', async () => {
      const { quota, concurrency } = h.current.limits;
      const reserved = await Promise.all(HOSTILE.map((id) => quota.reserve(id, '2030-01', { included: 1, hardLimit: true })));
      assert.deepEqual(reserved.map((r) => r.used), HOSTILE.map(() => 1));
      const leases = await Promise.all(HOSTILE.map((id) => concurrency.acquire(id, 1, 60_000)));
      assert.deepEqual(leases.map((l) => l.acquired), HOSTILE.map(() => true));
      for (const lease of leases) if (lease.acquired) assert.ok(lease.token.length < 100);
    });

    it('should only ever write short, pattern-safe keys', async () => {
      const prefix = h.current.keyPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const shape = new RegExp(`^${prefix}(rate|quota:\\d{4}-\\d{2}|leases):[A-Za-z0-9_-]{43}$`);
      for (const key of await h.current.keys()) assert.match(key, shape);
    });
  });
}
