/**
 * Deep JSON is refused before any work (issue "Harden the edge", item 5): a
 * request body nested deeper than MAX_JSON_DEPTH (64) arrays/objects is 400
 * `invalid_request`, never a 500 from code that recurses over it later; the
 * bound itself is accepted, and brackets inside strings do not count.
 */
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../../manifests/json-depth.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import { bearer, createInstaller, examplePackage, execute, installOk, publishApproved, startExecutionHost, usageRows } from '../executions/execution-host.js';

/** `{"a":{"a":…{"a":1}…}}` with `levels` objects. */
function nestedObject(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

describe('nestedDeeperThan', () => {
  it('should count arrays and objects, skip strings and escapes, and never recurse', () => {
    assert.equal(nestedDeeperThan(nestedObject(64), 64), false);
    assert.equal(nestedDeeperThan(nestedObject(65), 64), true);
    assert.equal(nestedDeeperThan(`[${'[]'.repeat(1000)}]`, 2), false);
    assert.equal(nestedDeeperThan(JSON.stringify({ s: '[[[[[[{{{{{{', t: 'a\\"[[[[' }), 1), false);
    assert.equal(nestedDeeperThan('['.repeat(10_000_000), 64), true);
  });
});

for (const backend of backends.slice(0, 1)) {
  describe(`edge: deep JSON bodies (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend);
    let host: TestHost;
    let tenant: { id: string; key: string };
    let installId: string;

    before(async () => {
      let publisher;
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('slugify'));
      tenant = await createInstaller(host, 'deep-tenant');
      installId = await installOk(host, tenant.key, { plugin: '@examples/slugify' });
    });
    after(() => host.close());

    it('should refuse an execution input nested 5,000 deep with 400 invalid_request, before any execution', async () => {
      const before = (await usageRows(host, tenant.id)).length;
      const body = `{"input":{"title":"x","deep":${nestedObject(5_000)}}}`;
      const res = await host.http().post(`/v1/installs/${installId}/executions`).set(bearer(tenant.key)).type('json').send(body);
      assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 500));
      assert.equal(res.body.error.code, 'invalid_request');
      assert.deepEqual(res.body.error.details, { maxDepth: MAX_JSON_DEPTH });
      assert.equal((await usageRows(host, tenant.id)).length, before, 'nothing was executed or metered');
      // The host carries on.
      assert.equal((await execute(host, tenant.key, installId, { input: { title: 'Still here' } })).status, 200);
    });

    it('should accept a body nested exactly to the bound, and refuse one level more on any JSON route', async () => {
      // {"input": {"title", "deep": <62 levels>}}: 64 levels in all.
      const atBound = `{"input":{"title":"x","deep":${nestedObject(MAX_JSON_DEPTH - 2)}}}`;
      const ok = await host.http().post(`/v1/installs/${installId}/executions`).set(bearer(tenant.key)).type('json').send(atBound);
      assert.notEqual(ok.status, 400, JSON.stringify(ok.body));
      assert.notEqual(ok.status, 500, JSON.stringify(ok.body));

      const oneMore = `{"input":{"title":"x","deep":${nestedObject(MAX_JSON_DEPTH - 1)}}}`;
      const refused = await host.http().post(`/v1/installs/${installId}/executions`).set(bearer(tenant.key)).type('json').send(oneMore);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'invalid_request');
      for (const [path, key] of [['/v1/tenants', host.adminKey], ['/v1/installs', tenant.key], ['/v1/webhooks', tenant.key]] as const) {
        const res = await host.http().post(path).set(bearer(key)).type('json').send(`[${nestedObject(10_000)}]`);
        assert.equal(res.status, 400, path);
        assert.equal(res.body.error.code, 'invalid_request', path);
      }
    });
  });
}
