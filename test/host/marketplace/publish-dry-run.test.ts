/**
 * POST /v1/packages?dryRun=true on every backend: the answer a publish would
 * give (status, sha256, trust) with 200 and `dryRun: true`, the same refusals
 * with the same codes, and nothing stored, whatever the outcome.
 */
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { buildOpenApiDocument } from '../../../host/wiring/openapi-document.js';
import { ContractChecker } from '../../openapi/contract-checker.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { tgzOf } from '../../support/tar-builder.js';
import type { TestHost } from '../../support/test-host.js';
import { bearer, createCast, packageOf, pluginPath, startMarketplaceHost, type Cast } from './marketplace-host.js';

/** Every table a publish (or its idempotent answer, or its webhook) writes to. */
const WRITTEN_BY_PUBLISH = ['plugins', 'plugin_versions', 'package_blobs', 'marketplace_audit_log', 'idempotency_keys', 'webhook_events'] as const;

async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of WRITTEN_BY_PUBLISH) counts[table] = Number((await db(table).count<{ count: string }[]>('* as count'))[0]?.count);
  return counts;
}

function dryRun(host: TestHost, key: string, body: Buffer, query = 'dryRun=true') {
  return host.http().post(`/v1/packages?${query}`).set(bearer(key)).set('Content-Type', 'application/gzip').send(body);
}

function publish(host: TestHost, key: string, body: Buffer) {
  return host.http().post('/v1/packages').set(bearer(key)).set('Content-Type', 'application/gzip').send(body);
}

for (const backend of backends) {
  describe(`POST /v1/packages?dryRun=true (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;

    before(async () => {
      host = await startMarketplaceHost(database.current);
      cast = await createCast(host);
    });
    after(() => host?.close());

    it('should answer 200 with what a publish would answer, store nothing, and match the real publish after it', async () => {
      const body = packageOf({ name: '@acme/dry' });
      const before = await rowCounts(database.current.db);
      const res = await dryRun(host, cast.acme, body).set('Idempotency-Key', 'dry-then-real').expect(200);
      assert.equal(res.body.dryRun, true);
      assert.deepEqual([res.body.name, res.body.version, res.body.status], ['@acme/dry', '1.0.0', 'pending_review']);
      assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(Object.keys(res.body.trust.factors).sort(), ['codeQuality', 'community', 'compliance', 'executionHistory', 'maintenance', 'security']);
      assert.deepEqual(await rowCounts(database.current.db), before);
      new ContractChecker(buildOpenApiDocument() as Record<string, unknown>).check('post', '/v1/packages?dryRun=true', res);
      // The publisher's own view: no such plugin, no versions.
      const listed = await host.http().get(pluginPath('@acme/dry')).set(bearer(cast.acme)).expect(404);
      assert.equal(listed.body.error.code, 'not_found');
      // A dry run twice is still nothing; the same Idempotency-Key then publishes for real (no stored answer to replay).
      await dryRun(host, cast.acme, body).expect(200);
      const real = await publish(host, cast.acme, body).set('Idempotency-Key', 'dry-then-real').expect(201);
      assert.equal(real.headers['idempotent-replayed'], undefined);
      assert.equal(real.body.sha256, res.body.sha256);
      assert.equal(real.body.status, res.body.status);
      assert.equal(real.body.trust.score, res.body.trust.score);
      assert.deepEqual(real.body.trust.factors, res.body.trust.factors);
      assert.equal(real.body.dryRun, undefined);
    });

    it('should refuse an existing version with 409 version_exists, as a publish does', async () => {
      await publish(host, cast.acme, packageOf({ name: '@acme/taken' })).expect(201);
      const before = await rowCounts(database.current.db);
      const res = await dryRun(host, cast.acme, packageOf({ name: '@acme/taken', description: 'Other content, same version' })).expect(409);
      assert.equal(res.body.error.code, 'version_exists');
      assert.deepEqual(await rowCounts(database.current.db), before);
      // The next version is fine, and still not stored.
      await dryRun(host, cast.acme, packageOf({ name: '@acme/taken', version: '1.1.0' })).expect(200);
      const plugin = await host.http().get(pluginPath('@acme/taken')).set(bearer(cast.acme)).expect(200);
      assert.deepEqual(plugin.body.versions.map((v: { version: string }) => v.version), ['1.0.0']);
    });

    it('should refuse hostile input with the codes of a publish, storing nothing', async () => {
      const before = await rowCounts(database.current.db);
      const refusals: [Buffer, string, number, string][] = [
        [Buffer.from('not gzip at all'), cast.acme, 400, 'invalid_package'],
        [packageOf({ name: '@acme/cut' }).subarray(0, 40), cast.acme, 400, 'invalid_package'],
        [tgzOf([{ path: '../evil.js', data: 'x' }, { path: 'manifest.json', data: '{}' }]), cast.acme, 400, 'invalid_package'],
        [Buffer.alloc(0), cast.acme, 400, 'invalid_package'],
        [packageOf({ name: '@acme/bad', version: 'one', extra: true }), cast.acme, 400, 'invalid_manifest'],
        [packageOf({ name: '@globex/hello' }), cast.acme, 403, 'forbidden'],
        [packageOf({ name: '@acme/reader' }), cast.acmeReader, 403, 'forbidden'],
      ];
      for (const [body, key, status, code] of refusals) {
        const dry = await dryRun(host, key, body);
        const real = await publish(host, key, body);
        assert.deepEqual([dry.status, dry.body.error?.code], [status, code], `dry run: ${code}`);
        assert.deepEqual([real.status, real.body.error?.code], [status, code], `publish: ${code}`);
        assert.deepEqual(dry.body.error.details, real.body.error.details, `${code}: same details`);
      }
      assert.deepEqual(await rowCounts(database.current.db), before);
    });

    it('should refuse a dryRun that is neither true nor false (400 invalid_request), and publish with dryRun=false', async () => {
      const res = await dryRun(host, cast.acme, packageOf({ name: '@acme/maybe' }), 'dryRun=yes').expect(400);
      assert.equal(res.body.error.code, 'invalid_request');
      await host.http().get(pluginPath('@acme/maybe')).set(bearer(cast.acme)).expect(404);
      const real = await dryRun(host, cast.acme, packageOf({ name: '@acme/maybe' }), 'dryRun=false').expect(201);
      assert.equal(real.body.dryRun, undefined);
    });
  });

  describe(`POST /v1/packages?dryRun=true with auto-approval (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;

    before(async () => {
      host = await startMarketplaceHost(database.current, { env: { BAZAAR_AUTO_APPROVE_MIN_SCORE: '60' } });
      cast = await createCast(host);
    });
    after(() => host?.close());

    it('should answer the status the version would get (approved), with no auto_approve entry written', async () => {
      const before = await rowCounts(database.current.db);
      const res = await dryRun(host, cast.acme, packageOf({ name: '@acme/auto' })).expect(200);
      assert.equal(res.body.status, 'approved');
      assert.ok(res.body.trust.score >= 60);
      assert.deepEqual(await rowCounts(database.current.db), before);
      const real = await publish(host, cast.acme, packageOf({ name: '@acme/auto' })).expect(201);
      assert.equal(real.body.status, 'approved');
    });
  });
}
