/**
 * The shared cache generation (host/foundation/cache-generation.ts): read by the
 * rate-limit script at no extra round trip, bumped by one process and seen
 * by the others; unknown (caches off) while Redis is unreachable. And the
 * generation cache itself: entries of another generation or too old are misses.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DisabledCacheGeneration, InProcessCacheGeneration } from '../../../host/foundation/cache-generation.js';
import { GenerationCache } from '../../../host/foundation/generation-cache.js';
import { createLimits } from '../../../host/limits/index.js';
import { silentLogger } from '../../../host/foundation/logger.js';
import { limitsBackends, useLimits } from '../../support/redis-backends.js';
import { FakeClock } from '../../support/test-host.js';

describe('GenerationCache', () => {
  it('should answer an entry only under the generation it was read in, and within its maximum age', async () => {
    const generation = new InProcessCacheGeneration();
    const clock = new FakeClock();
    const cache = new GenerationCache<string, string>({ generation, clock, maxAgeMs: 1_000 });
    let loads = 0;
    const load = async () => `v${++loads}`;
    assert.equal(await cache.getOrLoad('k', load), 'v1');
    assert.equal(await cache.getOrLoad('k', load), 'v1', 'a hit');
    await generation.bump();
    assert.equal(await cache.getOrLoad('k', load), 'v2', 'a bump outdates it');
    clock.advance(1_001);
    assert.equal(await cache.getOrLoad('k', load), 'v3', 'too old');
  });

  it('should not keep a value loaded while a write committed (bumped during the load)', async () => {
    const generation = new InProcessCacheGeneration();
    const cache = new GenerationCache<string, string>({ generation, clock: new FakeClock() });
    assert.equal(await cache.getOrLoad('k', async () => {
      await generation.bump();
      return 'old';
    }), 'old');
    assert.equal(cache.get('k'), undefined);
  });

  it('should cache nothing without a known generation', async () => {
    const cache = new GenerationCache<string, string>({ generation: new DisabledCacheGeneration(), clock: new FakeClock() });
    let loads = 0;
    await cache.getOrLoad('k', async () => `v${++loads}`);
    await cache.getOrLoad('k', async () => `v${++loads}`);
    assert.equal(loads, 2);
  });

  it('should keep at most maxEntries', async () => {
    const cache = new GenerationCache<number, number>({ generation: new InProcessCacheGeneration(), clock: new FakeClock(), maxEntries: 3 });
    for (let i = 0; i < 10; i++) cache.set(i, i, 0);
    assert.equal(cache.size, 3);
    assert.equal(cache.get(9)?.value, 9);
    assert.equal(cache.get(0), undefined);
  });
});

for (const backend of limitsBackends.filter((b) => b.name === 'redis')) {
  describe('cache generation shared through Redis', () => {
    const h = useLimits(backend);

    it('should be read by the rate limit and moved by a bump from another process', async () => {
      const a = h.current.limits;
      const b = await h.current.openAnother();
      assert.ok(a.generation !== undefined && b.generation !== undefined);
      assert.equal(a.generation.current(), null, 'unknown before the first read');
      const tenant = randomUUID();
      a.generation.observe((await a.rateLimiter.check(tenant, { limit: 1000 })).generation);
      const first = a.generation.current();
      assert.notEqual(first, null);
      a.generation.observe((await a.rateLimiter.check(tenant, { limit: 1000 })).generation);
      assert.equal(a.generation.current(), first, 'no write, no change');
      await b.generation.bump();
      a.generation.observe((await a.rateLimiter.check(tenant, { limit: 1000 })).generation);
      assert.notEqual(a.generation.current(), first, 'the other process wrote');
    });

    it('should be unknown (caches off) while Redis is unreachable', async () => {
      const down = createLimits({ redisUrl: 'redis://127.0.0.1:1', keyPrefix: h.current.keyPrefix, logger: silentLogger });
      try {
        const decision = await down.rateLimiter.check(randomUUID(), { limit: 10 }); // the in-process fallback
        down.generation?.observe(decision.generation);
        assert.equal(down.generation?.current(), null);
        await down.generation?.bump(); // never throws: retried in the background
      } finally {
        await down.close();
      }
    });
  });
}
