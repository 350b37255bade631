/**
 * Host C loses PostgreSQL (its proxy is cut: open connections dropped, new
 * ones refused, as when the server restarts or its machine goes away):
 *
 * - C refuses executions with 503 `dependency_unavailable`, and its
 *   `/readyz` answers 503 naming the database, while `/healthz` says the
 *   process lives on (no crash, no hang); nothing is recorded for them;
 * - A and B, whose database is fine, carry on;
 * - when the database is back, C executes again by itself (no restart);
 * - a request whose query is in flight when the connection drops is 503 too
 *   (a dependency failure the client may retry), not a 500;
 * - an execution already running when the database goes is answered 503,
 *   never 200: its usage record could not be written, so it is not
 *   acknowledged (docs/product.md "The execution path": usage recorded durably before the answer);
 *   but it did run, so C keeps the record and writes it, exactly once, when
 *   the database is back.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { COUNTER, GATE, type ClusterWorld } from './cluster-world.js';
import { type Reply, outcome } from './cluster-http.js';
import { eventually } from './eventually.js';

const C = 2;

export function postgresOutageCases(world: () => ClusterWorld): void {
  describe('PostgreSQL unreachable from one host', () => {
    afterEach(async () => {
      await world().pgProxy.restore(); // whatever happened, the next case starts connected
    });

    it('should refuse executions with 503 while it is away, then recover by itself', async () => {
      const w = world();
      const tenant = await w.createTenant('pg-tenant', 'pro', { requestsPerMinute: 100_000 });
      const installId = await w.install(tenant, { plugin: COUNTER });
      assert.equal((await w.execute(C, tenant, installId, { n: 0 })).status, 200);
      const before = (await w.recordedIds(tenant.id)).size;

      await w.pgProxy.cut();
      for (let n = 1; n <= 3; n++) {
        const refused = await w.execute(C, tenant, installId, { n });
        assert.equal(outcome(refused), '503 dependency_unavailable', JSON.stringify(refused.body));
      }
      const ready = await w.http(C, 'GET', '/readyz');
      assert.equal(outcome(ready), '503 dependency_unavailable');
      assert.deepEqual(ready.body.error.details?.checks, { database: 'unavailable', redis: 'ok' });
      assert.equal((await w.http(C, 'GET', '/healthz')).status, 200);
      for (const other of [0, 1]) assert.equal((await w.execute(other, tenant, installId, { n: 10 + other })).status, 200);
      assert.equal((await w.recordedIds(tenant.id)).size, before + 2, 'only the executions of A and B were recorded');

      await w.pgProxy.restore();
      const recovered = await eventually(async () => (await w.execute(C, tenant, installId, { n: 20 })).status === 200);
      assert.ok(recovered, 'host C did not execute again after the database came back');
      assert.equal((await w.http(C, 'GET', '/readyz')).status, 200);
    });

    it('should answer 503, not 500, for a request whose query was in flight when the connection dropped', async () => {
      const w = world();
      const tenant = await w.createTenant('pg-midquery', 'pro', { requestsPerMinute: 100_000 });
      const installId = await w.install(tenant, { plugin: COUNTER });
      w.pgProxy.stall();
      const pending = w.execute(C, tenant, installId, { n: 1 });
      for (let i = 0; i < 300 && w.pgProxy.sentWhileStalled === 0; i++) await sleep(50);
      assert.ok(w.pgProxy.sentWhileStalled > 0, 'a query was sent and is waiting');
      await w.pgProxy.cut();
      const answer = await pending;
      assert.equal(outcome(answer), '503 dependency_unavailable', JSON.stringify(answer.body));
      await w.pgProxy.restore();
      assert.ok(await eventually(async () => (await w.execute(C, tenant, installId, { n: 2 })).status === 200), 'host C recovered');
    });

    it('should answer 503, never 200, for an execution in flight when the database goes', async () => {
      const w = world();
      const tenant = await w.createTenant('pg-inflight', 'pro', { requestsPerMinute: 100_000 });
      const installId = await w.install(tenant, { plugin: GATE, grantPermissions: { network: { hosts: [w.gate.hostPort] } } });
      w.gate.close();
      let answer: Reply | undefined;
      try {
        const running = w.execute(C, tenant, installId, { url: w.gate.url });
        for (let i = 0; i < 300 && w.gate.held === 0; i++) await sleep(100);
        assert.equal(w.gate.held, 1, 'the execution reached the sandbox');
        await w.pgProxy.cut();
        w.gate.open();
        answer = await running;
      } finally {
        w.gate.open();
      }
      assert.equal(outcome(answer ?? null), '503 dependency_unavailable', JSON.stringify(answer?.body));
      await w.pgProxy.restore();
      assert.ok(await eventually(async () => (await w.http(C, 'GET', '/readyz')).status === 200), 'host C recovered');
      // No 200, but the execution ran: its kept record lands once the database is back, once.
      assert.ok(await eventually(async () => (await w.recordedIds(tenant.id)).size === 1), 'the ran execution was recorded after the outage');
      assert.equal((await w.recordedIds(tenant.id)).size, 1);
    });
  });
}
