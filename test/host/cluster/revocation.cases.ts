/**
 * Changes made on one host hold on the others at their very next request
 * (docs/http-api.md "Tenants and API keys": a revoked key "stops working at
 * once on every host process"; the execute path reads the install on every
 * execution):
 *
 * - a key revoked through host A is refused 401 by B and C at once;
 * - an install upgraded and reconfigured through A runs the new version with
 *   the new config on B and C, although they hold a warm isolate of the old
 *   one;
 * - an install deleted through A is 404 on B and C.
 */
import assert from 'node:assert/strict';
import { ADMIN_KEY, COUNTER, type ClusterWorld } from './cluster-world.js';

export function revocationCases(world: () => ClusterWorld): void {
  describe('revocation and install changes', () => {
    it('should refuse a key on every host as soon as one host revoked it', async () => {
      const w = world();
      const tenant = await w.createTenant('rv-tenant', 'pro');
      for (let host = 0; host < 3; host++) {
        assert.equal((await w.http(host, 'GET', '/v1/installs', { key: tenant.key })).status, 200);
      }
      assert.equal((await w.http(0, 'DELETE', `/v1/api-keys/${tenant.keyId}`, { key: ADMIN_KEY })).status, 204);
      for (const host of [1, 2, 0]) {
        const res = await w.http(host, 'GET', '/v1/installs', { key: tenant.key });
        assert.equal(res.status, 401, `host ${host}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'unauthorized');
      }
    });

    it('should run an install changed on one host with its new version and config on the others', async () => {
      const w = world();
      const tenant = await w.createTenant('up-tenant', 'pro');
      const installId = await w.install(tenant, { plugin: COUNTER, version: '1.0.0', config: { tag: 'first' } });
      // Warm every host's sandbox with the old version.
      for (let host = 0; host < 3; host++) {
        const res = await w.execute(host, tenant, installId, { n: host });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.output, { n: host, tag: 'first', version: '1.0.0' });
      }
      const patched = await w.http(0, 'PATCH', `/v1/installs/${installId}`, { key: tenant.key, body: { version: '1.1.0', config: { tag: 'second' } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      for (const host of [1, 2, 0]) {
        const res = await w.execute(host, tenant, installId, { n: host });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.output, { n: host, tag: 'second', version: '1.1.0' }, `host ${host}`);
      }
    });

    it('should answer 404 on every host for an install deleted on one', async () => {
      const w = world();
      const tenant = await w.createTenant('rm-tenant', 'pro');
      const installId = await w.install(tenant, { plugin: COUNTER });
      for (let host = 0; host < 3; host++) assert.equal((await w.execute(host, tenant, installId, {})).status, 200);
      const deleted = await w.http(0, 'DELETE', `/v1/installs/${installId}`, { key: tenant.key });
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
      for (const host of [1, 2, 0]) {
        const res = await w.execute(host, tenant, installId, {});
        assert.equal(res.status, 404, `host ${host}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'not_found');
      }
    });
  });
}
