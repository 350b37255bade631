/**
 * POST /v1/packages on every backend: the happy path, every refusal with its
 * code, concurrent publishes of one version (one process and two), and
 * nothing half-written after a refusal.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { packDirectory } from '../../../marketplace/package-archive.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { tgzOf } from '../../support/tar-builder.js';
import type { TestHost } from '../../support/test-host.js';
import { hostileArchives } from '../../marketplace/hostile-archives.js';
import { bearer, binaryParser, createCast, packageOf, pluginPath, publish, startMarketplaceHost, type Cast } from './marketplace-host.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

async function counts(db: Knex): Promise<{ versions: number; audit: number }> {
  const [v] = await db('plugin_versions').count<{ count: string }[]>('* as count');
  const [a] = await db('marketplace_audit_log').count<{ count: string }[]>('* as count');
  return { versions: Number(v?.count), audit: Number(a?.count) };
}

for (const backend of backends) {
  describe(`POST /v1/packages (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;

    before(async () => {
      host = await startMarketplaceHost(database.current);
      cast = await createCast(host);
    });
    after(() => host?.close());

    it('should publish a package as pending_review with its trust breakdown', async () => {
      const res = await publish(host, cast.acme, packageOf()).expect(201);
      assert.equal(res.body.name, '@acme/hello');
      assert.equal(res.body.version, '1.0.0');
      assert.equal(res.body.status, 'pending_review');
      assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(Object.keys(res.body.trust.factors).sort(), ['codeQuality', 'community', 'compliance', 'executionHistory', 'maintenance', 'security']);
      assert.equal(typeof res.body.trust.score, 'number');
      assert.ok(res.body.trust.evidence.length > 0);
      const tarball = await host.http().get(pluginPath('@acme/hello', 'versions', '1.0.0', 'tarball')).set(bearer(cast.acme)).buffer(true).parse(binaryParser).expect(200);
      assert.equal(tarball.headers['content-type'], 'application/gzip');
      assert.ok(packageOf().equals(tarball.body as Buffer));
    });

    it('should refuse a republished version with 409 version_exists, even with other content or build metadata', async () => {
      const res = await publish(host, cast.acme, packageOf({ description: 'Something else entirely' })).expect(409);
      assert.equal(res.body.error.code, 'version_exists');
      const build = await publish(host, cast.acme, packageOf({ version: '1.0.0+build.7' })).expect(409);
      assert.equal(build.body.error.code, 'version_exists');
    });

    it('should answer 400 invalid_manifest with the schema errors in details', async () => {
      const before = await counts(database.current.db);
      const res = await publish(host, cast.acme, packageOf({ name: '@acme/bad', version: 'one', extra: true })).expect(400);
      assert.equal(res.body.error.code, 'invalid_manifest');
      assert.ok(Array.isArray(res.body.error.details) || typeof res.body.error.details === 'object');
      assert.ok(JSON.stringify(res.body.error.details).includes('version'));
      assert.deepEqual(await counts(database.current.db), before);
    });

    it('should answer 400 invalid_package for a hostile or broken archive, writing nothing', async () => {
      const before = await counts(database.current.db);
      const traversal = tgzOf([{ path: '../evil.js', data: 'x' }, { path: 'manifest.json', data: '{}' }]);
      for (const body of [traversal, Buffer.from('not gzip at all'), packageOf().subarray(0, 40)]) {
        const res = await publish(host, cast.acme, body).expect(400);
        assert.equal(res.body.error.code, 'invalid_package');
      }
      assert.deepEqual(await counts(database.current.db), before);
      const blobs = await database.current.db('package_blobs').count<{ count: string }[]>('* as count');
      assert.equal(Number(blobs[0]?.count), 1, 'only the one published package');
    });

    it('should answer 400 invalid_package for each archive other readers would read differently, storing nothing and serving on', async () => {
      const db = database.current.db;
      const before = await counts(db);
      const blobs = async (where: Record<string, string> = {}) => Number((await db('package_blobs').where(where).count<{ count: string }[]>('* as count'))[0]?.count);
      const blobsBefore = await blobs();
      for (const { name, tgz, reason } of hostileArchives('@acme/smuggler')) {
        const res = await publish(host, cast.acme, tgz).expect(400);
        assert.equal(res.body.error.code, 'invalid_package', name);
        assert.match(res.body.error.message, reason, name);
        assert.equal(await blobs({ sha256: createHash('sha256').update(tgz).digest('hex') }), 0, `${name}: no blob`);
        // The host answers the next request as usual: the plugin does not exist.
        const next = await host.http().get(pluginPath('@acme/smuggler')).set(bearer(cast.acme)).expect(404);
        assert.equal(next.body.error.code, 'not_found', name);
      }
      assert.deepEqual(await counts(db), before);
      assert.equal(await blobs(), blobsBefore);
      // And the name is still free: a clean package under it publishes, and downloads byte for byte.
      const clean = packageOf({ name: '@acme/smuggler' });
      await publish(host, cast.acme, clean).expect(201);
      const tarball = await host.http().get(pluginPath('@acme/smuggler', 'versions', '1.0.0', 'tarball')).set(bearer(cast.acme)).buffer(true).parse(binaryParser).expect(200);
      assert.ok(clean.equals(tarball.body as Buffer));
    });

    it('should answer 403 forbidden outside the publisher scope, writing nothing', async () => {
      const before = await counts(database.current.db);
      const res = await publish(host, cast.acme, packageOf({ name: '@globex/hello' })).expect(403);
      assert.equal(res.body.error.code, 'forbidden');
      assert.deepEqual(await counts(database.current.db), before);
    });

    it('should answer 403 forbidden without plugins:publish and 401 without a key', async () => {
      const res = await publish(host, cast.acmeReader, packageOf({ version: '9.0.0' })).expect(403);
      assert.equal(res.body.error.code, 'forbidden');
      const anon = await host.http().post('/v1/packages').set('Content-Type', 'application/gzip').send(packageOf()).expect(401);
      assert.equal(anon.body.error.code, 'unauthorized');
      const badKey = await publish(host, 'bzr_ffffffffffffffffffffffffffffffff', packageOf()).expect(401);
      assert.equal(badKey.body.error.code, 'unauthorized');
    });

    it('should answer 413 payload_too_large over the package limit and 400 for a non-gzip type', async () => {
      const big = Buffer.alloc(database.current.config.packageBodyLimitBytes + 1, 1);
      const res = await publish(host, cast.acme, big).expect(413);
      assert.equal(res.body.error.code, 'payload_too_large');
      const json = await host.http().post('/v1/packages').set(bearer(cast.acme)).send({ name: 'x' }).expect(400);
      assert.equal(json.body.error.code, 'invalid_request');
    });

    it('should let exactly one of several concurrent publishes of one version win', async () => {
      const bodies = [1, 2, 3, 4].map((i) => packageOf({ name: '@acme/race', description: `Racing publisher number ${i}` }));
      const results = await Promise.all(bodies.map((b) => publish(host, cast.acme, b)));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
      assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'version_exists'));
      const rows = await database.current.db('plugin_versions').where({ plugin_name: '@acme/race' });
      assert.equal(rows.length, 1);
      const audit = await database.current.db('marketplace_audit_log').where({ plugin_name: '@acme/race' });
      assert.equal(audit.length, 1, 'one publish entry, none for the losers');
    });

    it('should let exactly one win across two host processes on one database', async () => {
      const other = await startMarketplaceHost(database.current, { db: await database.current.openAnother() });
      try {
        const a = packageOf({ name: '@acme/race2', description: 'From the first host process' });
        const b = packageOf({ name: '@acme/race2', description: 'From the second host process' });
        const results = await Promise.all([publish(host, cast.acme, a), publish(other, cast.acme, b), publish(other, cast.acme, a)]);
        assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
      } finally {
        await other.close();
      }
    });

    it('should score the real examples and explain each score by its evidence', async () => {
      const examples = await createCast2(host);
      for (const dir of ['slugify', 'sha256', 'text-stats']) {
        const res = await publish(host, examples, await packDirectory(`${EXAMPLES}${dir}`)).expect(201);
        const { trust } = res.body;
        assert.deepEqual(trust.findings, [], `${dir} has no static-analysis findings`);
        assert.equal(trust.factors.codeQuality, 100, dir);
        assert.equal(trust.factors.security, 100, dir);
        assert.equal(trust.factors.compliance, 100, dir);
        assert.equal(trust.factors.executionHistory, 70, 'the documented prior');
        for (const [factor, value] of Object.entries(trust.factors)) {
          const sum = trust.evidence.filter((e: { factor: string }) => e.factor === factor).reduce((n: number, e: { impact: number }) => n + e.impact, 0);
          assert.equal(value, Math.max(0, Math.min(100, sum)), `${dir} ${factor} is the sum of its evidence`);
        }
        assert.ok(['minimal', 'low'].includes(trust.risk), `${dir}: ${trust.score} ${trust.risk}`);
      }
    });
  });
}

/** A publisher for the `@examples/` scope of the example plugins. */
async function createCast2(host: TestHost): Promise<string> {
  const { createKey, createTenant } = await import('../../support/test-host.js');
  const tenant = await createTenant(host, { slug: 'examples' });
  return (await createKey(host, tenant.id, ['plugins:publish'])).key;
}

