/**
 * The marketplace read side and yank on every backend: listing, full-text
 * search, sorting and pagination, one plugin, one version, tarballs, and the
 * visibility rule (unapproved versions are 404 to everyone but their
 * publisher, reviewers and the operator).
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import { bearer, createCast, packageOf, pluginPath, publish, startMarketplaceHost, type Cast } from './marketplace-host.js';

for (const backend of backends) {
  describe(`plugins (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;
    const get = (key: string, path: string) => host.http().get(path).set(bearer(key));
    const review = (name: string, version: string) =>
      host.http().post(pluginPath(name, 'versions', version, 'review')).set(bearer(cast.reviewer)).send({ decision: 'approve', notes: 'ok' }).expect(200);

    before(async () => {
      host = await startMarketplaceHost(database.current);
      cast = await createCast(host);
      const slugify = { name: '@acme/slugify', description: 'Turns titles into URL slugs', keywords: ['text', 'url'] };
      await publish(host, cast.acme, packageOf({ ...slugify, version: '1.0.0' })).expect(201);
      await publish(host, cast.acme, packageOf({ ...slugify, version: '1.1.0-beta.1' })).expect(201);
      await publish(host, cast.acme, packageOf({ ...slugify, version: '1.2.0' })).expect(201);
      await publish(host, cast.acme, packageOf({ name: '@acme/secret', description: 'Not reviewed yet, so unlisted' })).expect(201);
      await publish(
        host,
        cast.globex,
        packageOf({ name: '@globex/weather', description: 'Weather forecasts for cities', keywords: ['forecast'], permissions: { network: { hosts: ['api.weather.example'] } } }),
      ).expect(201);
      await review('@acme/slugify', '1.0.0');
      await review('@acme/slugify', '1.1.0-beta.1');
      await review('@globex/weather', '1.0.0');
    });
    after(() => host?.close());

    it('should list only plugins with an approved version, by trust score', async () => {
      const res = await get(cast.globex, '/v1/plugins').expect(200);
      assert.deepEqual(res.body.items.map((p: { name: string }) => p.name), ['@acme/slugify', '@globex/weather']);
      assert.equal(res.body.nextCursor, null);
      const slugify = res.body.items[0];
      assert.equal(slugify.latestVersion, '1.0.0');
      assert.ok(slugify.trustScore > res.body.items[1].trustScore, 'network access and no privacy policy cost weather trust');
    });

    it('should find plugins by full-text search over name, description and keywords', async () => {
      const names = async (q: string) => (await get(cast.globex, `/v1/plugins?q=${encodeURIComponent(q)}`).expect(200)).body.items.map((p: { name: string }) => p.name);
      assert.deepEqual(await names('slug'), ['@acme/slugify'], 'stemmed: "slugs" matches "slug"');
      assert.deepEqual(await names('forecast'), ['@globex/weather']);
      assert.deepEqual(await names('cities weather'), ['@globex/weather']);
      assert.deepEqual(await names('url OR forecast'), ['@acme/slugify', '@globex/weather']);
      assert.deepEqual(await names('secret'), [], 'unapproved plugins are not searchable');
      assert.deepEqual(await names('zebra'), []);
    });

    it('should paginate with limit and cursor, and sort by recent or installs', async () => {
      const first = await get(cast.globex, '/v1/plugins?limit=1').expect(200);
      assert.equal(first.body.items.length, 1);
      assert.ok(first.body.nextCursor);
      const second = await get(cast.globex, `/v1/plugins?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      assert.equal(second.body.items.length, 1);
      assert.notEqual(second.body.items[0].name, first.body.items[0].name);
      assert.equal(second.body.nextCursor, null);
      for (const sort of ['recent', 'installs']) {
        const page1 = await get(cast.globex, `/v1/plugins?sort=${sort}&limit=1`).expect(200);
        const page2 = await get(cast.globex, `/v1/plugins?sort=${sort}&limit=1&cursor=${page1.body.nextCursor}`).expect(200);
        assert.equal(new Set([...page1.body.items, ...page2.body.items].map((p: { name: string }) => p.name)).size, 2, sort);
      }
      assert.equal((await get(cast.globex, '/v1/plugins?sort=popular').expect(400)).body.error.code, 'invalid_request');
      assert.equal((await get(cast.globex, '/v1/plugins?cursor=bm9wZQ').expect(400)).body.error.code, 'invalid_request');
      assert.equal((await host.http().get('/v1/plugins').expect(401)).body.error.code, 'unauthorized');
    });

    it('should show a plugin with its visible versions in semver order and the latest approved release', async () => {
      const other = await get(cast.globex, pluginPath('@acme/slugify')).expect(200);
      assert.equal(other.body.name, '@acme/slugify');
      assert.equal(other.body.description, 'Turns titles into URL slugs');
      assert.equal(other.body.latestVersion, '1.0.0', 'a prerelease is never latest while a release is approved');
      assert.deepEqual(other.body.versions.map((v: { version: string }) => v.version), ['1.1.0-beta.1', '1.0.0']);
      assert.equal(typeof other.body.versions[0].trust.score, 'number');
      const own = await get(cast.acme, pluginPath('@acme/slugify')).expect(200);
      assert.deepEqual(own.body.versions.map((v: { version: string; status: string }) => `${v.version}:${v.status}`), ['1.2.0:pending_review', '1.1.0-beta.1:approved', '1.0.0:approved']);
    });

    it('should answer 404 for unapproved versions to other tenants, and show them to publisher and reviewers', async () => {
      assert.equal((await get(cast.globex, pluginPath('@acme/secret')).expect(404)).body.error.code, 'not_found');
      assert.equal((await get(cast.globex, pluginPath('@acme/secret', 'versions', '1.0.0')).expect(404)).body.error.code, 'not_found');
      assert.equal((await get(cast.globex, pluginPath('@acme/slugify', 'versions', '1.2.0', 'tarball')).expect(404)).body.error.code, 'not_found');
      assert.equal((await get(cast.globex, pluginPath('@acme/nothing')).expect(404)).body.error.code, 'not_found');
      await get(cast.acme, pluginPath('@acme/secret')).expect(200);
      await get(cast.reviewer, pluginPath('@acme/secret', 'versions', '1.0.0')).expect(200);
      await get(host.adminKey, pluginPath('@acme/slugify', 'versions', '1.2.0', 'tarball')).expect(200);
    });

    it('should show one version with its manifest, sha256 and full trust breakdown', async () => {
      const res = await get(cast.globex, pluginPath('@acme/slugify', 'versions', '1.0.0')).expect(200);
      assert.equal(res.body.status, 'approved');
      assert.equal(res.body.manifest.name, '@acme/slugify');
      assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
      const { trust } = res.body;
      assert.deepEqual(Object.keys(trust.factors).sort(), ['codeQuality', 'community', 'compliance', 'executionHistory', 'maintenance', 'security']);
      assert.ok(trust.evidence.every((e: Record<string, unknown>) => ['factor', 'signal', 'detail', 'impact'].every((k) => k in e)));
      assert.ok(['minimal', 'low', 'medium', 'high', 'critical'].includes(trust.risk));
      assert.equal((await get(cast.globex, pluginPath('@acme/slugify', 'versions', '9.9.9')).expect(404)).body.error.code, 'not_found');
      assert.equal((await get(cast.globex, pluginPath('@acme/slugify', 'versions', 'latest')).expect(404)).body.error.code, 'not_found');
    });

    it('should let the publisher yank with a reason, and refuse others', async () => {
      const yank = (key: string, version: string, body: unknown) => host.http().post(pluginPath('@acme/slugify', 'versions', version, 'yank')).set(bearer(key)).send(body as object);
      assert.equal((await yank(cast.globex, '1.0.0', { reason: 'mine now' }).expect(403)).body.error.code, 'forbidden');
      assert.equal((await yank(cast.globex, '1.2.0', { reason: 'hidden' }).expect(404)).body.error.code, 'not_found');
      assert.equal((await yank(cast.acmeReader, '1.0.0', { reason: 'no scope' }).expect(403)).body.error.code, 'forbidden');
      assert.equal((await yank(cast.acme, '1.0.0', {}).expect(400)).body.error.code, 'invalid_request');
      const res = await yank(cast.acme, '1.0.0', { reason: 'leaks memory' }).expect(200);
      assert.equal(res.body.status, 'yanked');
      assert.equal(res.body.statusReason, 'leaks memory');
      assert.equal((await yank(cast.acme, '1.0.0', { reason: 'again' }).expect(409)).body.error.code, 'conflict');
      // Yanked is not approved: hidden from others, and the listing falls back to the approved prerelease.
      await get(cast.globex, pluginPath('@acme/slugify', 'versions', '1.0.0')).expect(404);
      assert.equal((await get(cast.globex, pluginPath('@acme/slugify')).expect(200)).body.latestVersion, '1.1.0-beta.1');
      // A yank is a maintenance signal for every version of the plugin.
      const sibling = await get(cast.acme, pluginPath('@acme/slugify', 'versions', '1.2.0')).expect(200);
      assert.ok(sibling.body.trust.evidence.some((e: { signal: string }) => e.signal === 'yanked-versions'));
      // A reviewer may yank anyone's version.
      await host.http().post(pluginPath('@globex/weather', 'versions', '1.0.0', 'yank')).set(bearer(cast.reviewer)).send({ reason: 'abuse report' }).expect(200);
      // name@version stays taken forever.
      assert.equal((await publish(host, cast.acme, packageOf({ name: '@acme/slugify', version: '1.0.0' })).expect(409)).body.error.code, 'version_exists');
    });
  });
}
