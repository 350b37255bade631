/**
 * Host C loses Redis (its proxy is cut). The documented behaviour
 * (host/limits/index.ts, "WHEN REDIS IS UNREACHABLE"):
 *
 * - executions on C are refused 503 `dependency_unavailable`: quota and
 *   concurrency are exact or refuse, nothing runs unmetered or uncapped;
 * - every other request still works, rate limited PER PROCESS: a tenant whose
 *   shared limit is used up gets its limit again on C alone (and no more);
 * - `/readyz` on C answers 503 naming Redis; A and B carry on;
 * - when Redis is back, C executes again by itself and rate-limits through
 *   the shared limiter again.
 */
import assert from 'node:assert/strict';
import { COUNTER, type ClusterWorld } from './cluster-world.js';
import { outcome } from './cluster-http.js';
import { eventually } from './eventually.js';

const C = 2;

export function redisOutageCases(world: () => ClusterWorld): void {
  describe('Redis unreachable from one host', () => {
    afterEach(async () => {
      await world().redisProxy.restore();
    });

    it('should refuse executions with 503, rate-limit per process, and recover by itself', async () => {
      const w = world();
      const runner = await w.createTenant('rd-runner', 'pro', { requestsPerMinute: 100_000 });
      const installId = await w.install(runner, { plugin: COUNTER });
      // One request a minute, used up on A through the shared limiter before the outage.
      const limited = await w.createTenant('rd-limited', 'pro', { requestsPerMinute: 1 });
      assert.equal((await w.http(0, 'GET', '/v1/installs', { key: limited.key })).status, 200);
      assert.equal(outcome(await w.http(1, 'GET', '/v1/installs', { key: limited.key })), '429 rate_limited');
      assert.equal((await w.execute(C, runner, installId, { n: 0 })).status, 200);
      const before = (await w.recordedIds(runner.id)).size;

      await w.redisProxy.cut();
      const refused = await w.execute(C, runner, installId, { n: 1 });
      assert.equal(outcome(refused), '503 dependency_unavailable', JSON.stringify(refused.body));
      assert.equal((await w.http(C, 'GET', '/v1/installs', { key: runner.key })).status, 200, 'other requests still work');
      // Per process: C's own bucket allows the one request the shared one would refuse, then refuses.
      assert.equal((await w.http(C, 'GET', '/v1/installs', { key: limited.key })).status, 200);
      assert.equal(outcome(await w.http(C, 'GET', '/v1/installs', { key: limited.key })), '429 rate_limited');
      const ready = await w.http(C, 'GET', '/readyz');
      assert.equal(outcome(ready), '503 dependency_unavailable');
      assert.deepEqual(ready.body.error.details?.checks, { database: 'ok', redis: 'unavailable' });
      for (const other of [0, 1]) assert.equal((await w.execute(other, runner, installId, { n: 10 + other })).status, 200);
      assert.equal((await w.recordedIds(runner.id)).size, before + 2, 'nothing ran on C');

      await w.redisProxy.restore();
      const recovered = await eventually(async () => (await w.execute(C, runner, installId, { n: 20 })).status === 200);
      assert.ok(recovered, 'host C did not execute again after Redis came back');
      assert.equal((await w.http(C, 'GET', '/readyz')).status, 200);
      // Shared again: a fresh one-a-minute tenant's request on C uses up its limit on A.
      const fresh = await w.createTenant('rd-fresh', 'pro', { requestsPerMinute: 1 });
      assert.equal((await w.http(C, 'GET', '/v1/installs', { key: fresh.key })).status, 200);
      assert.equal(outcome(await w.http(0, 'GET', '/v1/installs', { key: fresh.key })), '429 rate_limited');
    });
  });
}
