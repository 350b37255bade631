/**
 * A gradual rollout is one split across hosts (docs/http-api.md "Installs":
 * each execution picks its side from its execution id), whichever host the
 * rollout was started, promoted or aborted on:
 *
 * - started through host A, every host runs both versions, each execution the
 *   version its id names, and the ledger records that version;
 * - aborted through host B, every host runs only the installed version;
 * - started again through C and promoted through B, every host runs only the
 *   new version, although each held warm isolates of both.
 */
import assert from 'node:assert/strict';
import { rolloutBucket } from '../../../host/executions/rollout-split.js';
import { COUNTER, type ClusterWorld, type Tenant } from './cluster-world.js';

export function rolloutCases(world: () => ClusterWorld): void {
  describe('gradual rollout', () => {
    /** Executions spread over the three hosts in turn: execution id → the version that answered. */
    const runAcrossHosts = async (w: ClusterWorld, tenant: Tenant, installId: string, count: number): Promise<Map<string, string>> => {
      const ran = new Map<string, string>();
      for (let i = 0; i < count; i++) {
        const res = await w.execute(i % 3, tenant, installId, { n: i });
        assert.equal(res.status, 200, `host ${i % 3}: ${JSON.stringify(res.body)}`);
        ran.set(res.body.executionId as string, res.body.output.version as string);
      }
      return ran;
    };
    const versionsOf = (ran: Map<string, string>): string[] => [...new Set(ran.values())].sort();

    it('should split executions on every host by execution id, and abort and promote from any host', async () => {
      const w = world();
      const tenant = await w.createTenant('ro-tenant', 'pro');
      const installId = await w.install(tenant, { plugin: COUNTER, version: '1.0.0', config: { tag: 'ro' } });
      const patch = (host: number, body: unknown) => w.http(host, 'PATCH', `/v1/installs/${installId}`, { key: tenant.key, body });
      const post = (host: number, what: 'promote' | 'abort') => w.http(host, 'POST', `/v1/installs/${installId}/rollout/${what}`, { key: tenant.key });
      // Every host warm on the installed version first: the rollout must reach warm hosts too.
      assert.deepEqual(versionsOf(await runAcrossHosts(w, tenant, installId, 3)), ['1.0.0']);

      const started = await patch(0, { version: '1.1.0', rollout: { percent: 50 } });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      for (const host of [1, 2]) {
        const shown = await w.http(host, 'GET', `/v1/installs/${installId}`, { key: tenant.key });
        assert.deepEqual([shown.body.version, shown.body.rollout?.version, shown.body.rollout?.percent], ['1.0.0', '1.1.0', 50], `host ${host}`);
      }
      const split = await runAcrossHosts(w, tenant, installId, 60);
      for (const [executionId, version] of split) {
        assert.equal(version, rolloutBucket(executionId) < 50 ? '1.1.0' : '1.0.0', `execution ${executionId} ran the version its id names`);
      }
      assert.deepEqual(versionsOf(split), ['1.0.0', '1.1.0']);
      const rows: { execution_id: string; plugin_version: string }[] = await w.servers
        .db('usage_records')
        .where({ install_id: installId })
        .whereIn('execution_id', [...split.keys()])
        .select('execution_id', 'plugin_version');
      assert.equal(rows.length, split.size, 'every execution recorded once');
      for (const row of rows) assert.equal(row.plugin_version, split.get(row.execution_id), 'the ledger names the version that ran');

      const aborted = await post(1, 'abort');
      assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
      assert.deepEqual([aborted.body.version, aborted.body.rollout, aborted.body.lastRolloutAbort?.version], ['1.0.0', null, '1.1.0']);
      assert.deepEqual(versionsOf(await runAcrossHosts(w, tenant, installId, 30)), ['1.0.0'], 'after the abort every host runs the installed version');

      assert.equal((await patch(2, { version: '1.1.0', rollout: { percent: 10 } })).status, 200);
      const promoted = await post(1, 'promote');
      assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
      assert.deepEqual([promoted.body.version, promoted.body.rollout], ['1.1.0', null]);
      assert.deepEqual(versionsOf(await runAcrossHosts(w, tenant, installId, 30)), ['1.1.0'], 'after the promotion every host runs the new version');
    });
  });
}
