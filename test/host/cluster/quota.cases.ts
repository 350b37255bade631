/**
 * The quota edge (the issue: "under 200 concurrent requests spread over three
 * host processes, the number of executions that run never exceeds the quota
 * by even one"). A free-tier tenant (hard limit) with Q executions a month
 * fires 200 executions at once over three hosts: exactly Q are executions
 * (200/422), every other one is 402 `quota_exceeded`, and the usage ledger
 * holds exactly Q rows, the answered ones.
 *
 * The rate limit and the concurrency cap are raised for this tenant, so the
 * quota is the only limit in play and every refusal must be a 402.
 */
import assert from 'node:assert/strict';
import { COUNTER, type ClusterWorld } from './cluster-world.js';
import { tally } from './cluster-http.js';

const QUOTA = 25;
const REQUESTS = 200;

export function quotaCases(world: () => ClusterWorld): void {
  describe('quota', () => {
    it(`should run exactly ${QUOTA} of ${REQUESTS} concurrent executions over three hosts, and record exactly those`, async () => {
      const w = world();
      const tenant = await w.createTenant('quota-tenant', 'free', {
        executionsPerMonth: QUOTA,
        requestsPerMinute: 100_000,
        maxConcurrentExecutions: 1_000,
      });
      const installId = await w.install(tenant, { plugin: COUNTER });

      const replies = await Promise.all(Array.from({ length: REQUESTS }, (_, n) => w.execute(n % 3, tenant, installId, { n })));

      assert.deepEqual(tally(replies), { '200': QUOTA, '402 quota_exceeded': REQUESTS - QUOTA });
      const answered = replies.filter((r) => r.status === 200).map((r) => r.body.executionId as string);
      const recorded = await w.recordedIds(tenant.id);
      assert.equal(recorded.size, QUOTA);
      assert.deepEqual([...recorded].sort(), [...answered].sort());
    });
  });
}
