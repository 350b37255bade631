/**
 * Shadow runs with several host processes (docs/http-api.md "Installs"):
 * shadow runs started through host A run in whichever host answered the
 * execution, each writing its comparisons to the shared database, so one
 * report (read from any host) counts them all, and none of them is metered.
 *
 * The runs are off the answer's path, in the other processes: the report is
 * polled (bounded) until it counts every execution, then asserted exactly.
 */
import assert from 'node:assert/strict';
import { COUNTER, type ClusterWorld } from './cluster-world.js';
import { eventually } from './eventually.js';

export function shadowCases(world: () => ClusterWorld): void {
  describe('shadow runs', () => {
    it('should count the shadow runs of executions answered by every host in one report, unmetered', async () => {
      const w = world();
      const tenant = await w.createTenant('sh-tenant', 'pro');
      const installId = await w.install(tenant, { plugin: COUNTER, version: '1.0.0', config: { tag: 'shadowed' } });
      const patched = await w.http(0, 'PATCH', `/v1/installs/${installId}`, { key: tenant.key, body: { shadow: { version: '1.1.0', sampleRate: 1 } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      for (const host of [0, 1, 2, 0, 1, 2]) {
        const res = await w.execute(host, tenant, installId, { n: host });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.output.version, '1.0.0', 'the answer is the installed version\'s');
      }
      const path = `/v1/installs/${installId}/shadow`;
      const counted = await eventually(async () => (await w.http(2, 'GET', path, { key: tenant.key })).body.compared === 6);
      assert.ok(counted, JSON.stringify((await w.http(2, 'GET', path, { key: tenant.key })).body));
      for (const host of [0, 1, 2]) {
        const report = (await w.http(host, 'GET', path, { key: tenant.key })).body;
        // 1.1.0 answers its own version: every compared run differs.
        assert.deepEqual([report.compared, report.identical, report.different, report.candidateFailed], [6, 0, 6, 0], `host ${host}`);
      }
      assert.equal((await w.recordedIds(tenant.id)).size, 6, 'only the answered executions are in the ledger');
    });
  });
}
