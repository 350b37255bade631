/**
 * Ratings on every backend, through the HTTP API: rate and re-rate (upsert:
 * 201 then 200), every refusal code (400 body, 401, 403, 404 without an
 * existence oracle), tenant isolation, the public aggregate on
 * GET /v1/plugins/:name, and ratings reaching the community trust factor.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { type TestHost, createKey } from '../../support/test-host.js';
import {
  type Installer,
  type Publisher,
  bearer,
  createInstaller,
  examplePackage,
  installOk,
  pluginPath,
  publishApproved,
  startExecutionHost,
} from '../executions/execution-host.js';

const SLUGIFY = '@examples/slugify';
const FLAGS = '@examples/feature-flags';

interface Evidence {
  readonly factor: string;
  readonly signal: string;
  readonly detail: string;
}

for (const backend of backends) {
  describe(`ratings (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let publisher: Publisher;
    let alpha: Installer;
    let beta: Installer;
    let gamma: Installer;

    const rate = (key: string, body: unknown, plugin = SLUGIFY) =>
      host.http().post(pluginPath(plugin, 'ratings')).set(bearer(key)).send(body as object);

    /** The community factor's `ratings` evidence of SLUGIFY@1.0.0, once it satisfies `done` (bounded poll). */
    async function ratingsEvidence(done: (detail: string) => boolean): Promise<string> {
      let detail = '';
      for (let attempt = 0; attempt < 50; attempt++) {
        await host.deps.ratings.idle();
        const res = await host.http().get(pluginPath(SLUGIFY, 'versions', '1.0.0')).set(bearer(alpha.key)).expect(200);
        const evidence = res.body.trust.evidence as Evidence[];
        detail = evidence.find((e) => e.factor === 'community' && e.signal === 'ratings')?.detail ?? '';
        if (done(detail)) return detail;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.fail(`community ratings evidence never matched; last: ${detail}`);
    }

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('slugify'));
      await publishApproved(host, publisher, await examplePackage('feature-flags'));
      alpha = await createInstaller(host, 'alpha');
      beta = await createInstaller(host, 'beta');
      gamma = await createInstaller(host, 'gamma');
      for (const tenant of [alpha, beta, gamma]) await installOk(host, tenant.key, { plugin: SLUGIFY });
    });

    after(async () => {
      await host?.close();
    });

    it('should answer 201 with the rating on the first rating', async () => {
      const res = await rate(alpha.key, { stars: 4, comment: 'handy' }).expect(201);
      assert.equal(res.body.plugin, SLUGIFY);
      assert.equal(res.body.stars, 4);
      assert.equal(res.body.comment, 'handy');
      assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
      assert.equal(res.body.updatedAt, res.body.createdAt);
    });

    it('should replace the rating on a second POST and answer 200', async () => {
      const first = await rate(beta.key, { stars: 2, comment: 'meh' }).expect(201);
      const second = await rate(beta.key, { stars: 5 }).expect(200);
      assert.equal(second.body.stars, 5);
      assert.equal(second.body.comment, null);
      assert.equal(second.body.createdAt, first.body.createdAt);
      const rows = await host.deps.db('plugin_ratings').where({ tenant_id: beta.id, plugin_name: SLUGIFY });
      assert.equal(rows.length, 1);
      assert.equal(rows[0].stars, 5);
    });

    it('should refuse invalid bodies with 400 invalid_request', async () => {
      const bodies: unknown[] = [
        { stars: 0 },
        { stars: 6 },
        { stars: 2.5 },
        { stars: '5' },
        {},
        { comment: 'no stars' },
        { stars: 3, comment: 'x'.repeat(1001) },
        { stars: 3, comment: 7 },
        { stars: 3, tenantId: alpha.id },
      ];
      for (const body of bodies) {
        const res = await rate(gamma.key, body).expect(400);
        assert.equal(res.body.error.code, 'invalid_request', JSON.stringify(body));
      }
      assert.equal((await rate(gamma.key, { stars: 3, comment: 'x'.repeat(1000) }).expect(201)).body.stars, 3);
    });

    it('should refuse without a key (401) and without plugins:install (403 forbidden)', async () => {
      const anonymous = await host.http().post(pluginPath(SLUGIFY, 'ratings')).send({ stars: 5 }).expect(401);
      assert.equal(anonymous.body.error.code, 'unauthorized');
      const executeOnly = await createKey(host, alpha.id, ['plugins:execute']);
      assert.equal((await rate(executeOnly.key, { stars: 5 }).expect(403)).body.error.code, 'forbidden');
      assert.equal((await rate(publisher.key, { stars: 5 }).expect(403)).body.error.code, 'forbidden');
    });

    it('should answer the same 404 for a plugin not installed by this tenant and for an unknown plugin', async () => {
      const notInstalled = await rate(alpha.key, { stars: 5 }, FLAGS).expect(404);
      const unknown = await rate(alpha.key, { stars: 5 }, '@examples/nothing').expect(404);
      assert.equal(notInstalled.body.error.code, 'not_found');
      assert.equal(unknown.body.error.code, 'not_found');
      assert.equal(notInstalled.body.error.message, unknown.body.error.message);
      assert.equal((await rate(alpha.key, { stars: 5 }, 'not-a-plugin').expect(404)).body.error.code, 'not_found');
      assert.equal((await host.deps.db('plugin_ratings').where({ plugin_name: FLAGS })).length, 0);
    });

    it("should keep another tenant's rating from changing mine", async () => {
      await rate(alpha.key, { stars: 4, comment: 'handy' }).expect(200);
      await rate(gamma.key, { stars: 1, comment: 'broke my build' }).expect(200);
      const mine = await host.deps.db('plugin_ratings').where({ tenant_id: alpha.id, plugin_name: SLUGIFY }).first();
      assert.equal(mine.stars, 4);
      assert.equal(mine.comment, 'handy');
    });

    it('should expose the aggregate on GET /v1/plugins/:name', async () => {
      const res = await host.http().get(pluginPath(SLUGIFY)).set(bearer(alpha.key)).expect(200);
      // alpha 4, beta 5, gamma 1.
      assert.deepEqual(res.body.rating, { average: 10 / 3, count: 3 });
      const unrated = await host.http().get(pluginPath(FLAGS)).set(bearer(alpha.key)).expect(200);
      assert.deepEqual(unrated.body.rating, { average: null, count: 0 });
    });

    it('should feed ratings into the community trust factor', async () => {
      // Three ratings (4, 5, 1) are enough to count: the evidence names their count and average.
      const counted = await ratingsEvidence((d) => d.startsWith('3 ratings averaging'));
      assert.equal(counted, '3 ratings averaging 3.3 stars');
      await rate(gamma.key, { stars: 5 }).expect(200);
      assert.equal(await ratingsEvidence((d) => d.includes('4.7')), '3 ratings averaging 4.7 stars');
    });
  });
}
