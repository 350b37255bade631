/**
 * What every answer carries (issue "Harden the edge", item 4):
 * `X-Content-Type-Options: nosniff` on all of them (successes, errors,
 * executions, tarballs, the console, 404s), `Cache-Control: no-store` on JSON
 * answered to a request with a key, and tarball downloads as attachments.
 */
import assert from 'node:assert/strict';
import type supertest from 'supertest';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import {
  bearer,
  createInstaller,
  examplePackage,
  execute,
  installOk,
  pluginPath,
  publishApproved,
  startExecutionHost,
} from '../executions/execution-host.js';

const LIMIT = 4096;

for (const backend of backends.slice(0, 1)) {
  describe(`edge: response headers (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend, { BAZAAR_JSON_BODY_LIMIT_BYTES: String(LIMIT) });
    let host: TestHost;
    let tenantKey: string;
    let installId: string;

    before(async () => {
      let publisher;
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('slugify'));
      tenantKey = (await createInstaller(host, 'headers-tenant')).key;
      installId = await installOk(host, tenantKey, { plugin: '@examples/slugify' });
    });
    after(() => host.close());

    const tarball = () => host.http().get(pluginPath('@examples/slugify', 'versions', '1.0.0', 'tarball')).set(bearer(tenantKey));

    it('should put nosniff on every kind of answer', async () => {
      const answers: [string, supertest.Test, number][] = [
        ['health', host.http().get('/healthz'), 200],
        ['openapi', host.http().get('/openapi.json'), 200],
        ['console page', host.http().get('/console'), 200],
        ['console asset', host.http().get('/console/assets/app.js'), 200],
        ['unknown route', host.http().get('/v1/nowhere'), 404],
        ['unknown route, with a key', host.http().get('/v1/nowhere').set(bearer(tenantKey)), 404],
        ['no key', host.http().get('/v1/tenants'), 401],
        ['bad key', host.http().get('/v1/tenants').set(bearer('bzr_ffffffffffffffffffffffffffffffff')), 401],
        ['wrong scope', host.http().get('/v1/tenants').set(bearer(tenantKey)), 403],
        ['malformed JSON', host.http().post('/v1/installs').set(bearer(tenantKey)).type('json').send('{'), 400],
        ['too large', host.http().post('/v1/installs').set(bearer(tenantKey)).type('json').send(JSON.stringify({ plugin: 'x'.repeat(LIMIT) })), 413],
        ['execution', execute(host, tenantKey, installId, { input: { title: 'Hello' } }), 200],
        ['failed execution', execute(host, tenantKey, installId, { input: { title: 42 } }), 422],
        ['tarball', tarball(), 200],
        ['metrics', host.http().get('/metrics').set(bearer(host.adminKey)), 200],
      ];
      for (const [what, test, status] of answers) {
        const res = await test;
        assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
      }
    });

    it('should put Cache-Control: no-store on JSON answered to a request with a key, success or error', async () => {
      const keyed: [string, supertest.Test][] = [
        ['list', host.http().get('/v1/installs').set(bearer(tenantKey))],
        ['execution', execute(host, tenantKey, installId, { input: { title: 'Hello' } })],
        ['failed execution', execute(host, tenantKey, installId, { input: { title: 42 } })],
        ['not found', host.http().get('/v1/installs/00000000-0000-4000-8000-000000000000').set(bearer(tenantKey))],
        ['forbidden', host.http().get('/v1/tenants').set(bearer(tenantKey))],
        ['bad key', host.http().get('/v1/installs').set(bearer('bzr_ffffffffffffffffffffffffffffffff'))],
      ];
      for (const [what, test] of keyed) {
        const res = await test;
        assert.match(String(res.headers['content-type']), /^application\/json/, what);
        assert.equal(res.headers['cache-control'], 'no-store', what);
      }
      // Public answers keep their own caching.
      assert.equal((await host.http().get('/openapi.json')).headers['cache-control'], 'no-cache');
      assert.equal((await host.http().get('/healthz')).headers['cache-control'], undefined);
    });

    it('should send a tarball as an attachment named after the package', async () => {
      const res = await tarball();
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/gzip/);
      assert.equal(res.headers['content-disposition'], 'attachment; filename="examples-slugify-1.0.0.tgz"');
    });
  });
}
