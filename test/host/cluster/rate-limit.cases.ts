/**
 * One rate limit across hosts (docs/http-api.md "Limits on every request": per
 * tenant, not per process). A tenant allowed N requests per minute sends 3N at
 * once, spread round-robin over three hosts: exactly N are allowed, whichever
 * hosts they reached; the rest are 429 `rate_limited` with Retry-After.
 *
 * GCRA with N per minute lets N through at once and then one every 60/N s;
 * the burst is sent in parallel, far inside that interval.
 */
import assert from 'node:assert/strict';
import { tally } from './cluster-http.js';
import type { ClusterWorld } from './cluster-world.js';

const LIMIT = 4;

export function rateLimitCases(world: () => ClusterWorld): void {
  describe('rate limits', () => {
    it(`should allow exactly ${LIMIT} of ${3 * LIMIT} requests spread over three hosts`, async () => {
      const w = world();
      const tenant = await w.createTenant('rl-tenant', 'pro', { requestsPerMinute: LIMIT });
      const replies = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => w.http(i % 3, 'GET', '/v1/installs', { key: tenant.key })));
      assert.deepEqual(tally(replies), { '200': LIMIT, '429 rate_limited': 2 * LIMIT });
      for (const reply of replies) {
        assert.equal(reply.headers.get('x-ratelimit-limit'), String(LIMIT));
        if (reply.status === 429) assert.ok(Number(reply.headers.get('retry-after')) >= 1, 'Retry-After on a 429');
      }
    });
  });
}
