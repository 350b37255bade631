/**
 * Deprecation notices and dist-tags over real HTTP, on every backend: who may
 * deprecate and tag, a deprecated version that still installs (with warnings)
 * and runs, tags set / listed / removed, installs by tag that record the
 * resolved version and stay put when the tag moves, and hostile input
 * refused with stable codes and nothing half-written.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';
import { bearer, createCast, packageOf, pluginPath, publish, type Cast } from './marketplace-host.js';

const NAME = '@acme/hello';

interface PluginJson {
  latestVersion: string | null;
  distTags: Record<string, string>;
  versions: { version: string; status: string; deprecated: { message: string; at: string } | null }[];
}

for (const backend of backends) {
  describe(`deprecations and dist-tags (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;
    let installer: string;
    let other: string;

    const approve = (version: string) =>
      host.http().post(pluginPath(NAME, 'versions', version, 'review')).set(bearer(cast.reviewer)).send({ decision: 'approve' }).expect(200);
    const deprecate = (key: string, version: string, body: unknown) =>
      host.http().post(pluginPath(NAME, 'versions', version, 'deprecate')).set(bearer(key)).send(body as object);
    const undeprecate = (key: string, version: string) => host.http().delete(pluginPath(NAME, 'versions', version, 'deprecate')).set(bearer(key));
    const setTag = (key: string, tag: string, body: unknown, name = NAME) =>
      host.http().put(pluginPath(name, 'dist-tags', encodeURIComponent(tag))).set(bearer(key)).send(body as object);
    const removeTag = (key: string, tag: string) => host.http().delete(pluginPath(NAME, 'dist-tags', encodeURIComponent(tag))).set(bearer(key));
    const plugin = async (key = installer): Promise<PluginJson> => (await host.http().get(pluginPath(NAME)).set(bearer(key)).expect(200)).body;
    const install = (key: string, body: object) => host.http().post('/v1/installs').set(bearer(key)).send(body);
    const uninstall = (key: string, id: string) => host.http().delete(`/v1/installs/${id}`).set(bearer(key)).expect(204);

    before(async () => {
      host = await startTestHost(database.current);
      cast = await createCast(host);
      // The publisher makes more than a free tier's 60 requests a minute here.
      await host.http().put(`/v1/tenants/${cast.acmeTenantId}/settings`).set(bearer(host.adminKey)).send({ limits: { requestsPerMinute: 1000 } }).expect(200);
      const initech = await createTenant(host, { slug: 'initech', tier: 'pro' });
      installer = (await createKey(host, initech.id, ['plugins:install', 'plugins:execute'])).key;
      const umbrella = await createTenant(host, { slug: 'umbrella', tier: 'pro' });
      other = (await createKey(host, umbrella.id, ['plugins:install'])).key;
      for (const version of ['1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0']) {
        await publish(host, cast.acme, packageOf({ name: NAME, version })).expect(201);
      }
      await approve('1.0.0');
      await approve('1.1.0');
      await approve('2.0.0-beta.1');
      // 2.0.0 stays pending_review; 1.0.1 is published then yanked.
      await publish(host, cast.acme, packageOf({ name: NAME, version: '1.0.1' })).expect(201);
      await approve('1.0.1');
      await host.http().post(pluginPath(NAME, 'versions', '1.0.1', 'yank')).set(bearer(cast.acme)).send({ reason: 'broken' }).expect(200);
    });
    after(() => host?.close());

    describe('deprecation', () => {
      afterEach(async () => {
        await undeprecate(cast.acme, '1.0.0').expect(200);
      });

      it('should let the publisher and a reviewer deprecate and undo it, and refuse everyone else', async () => {
        // Another scope's publisher: 403 on a public version, 404 on one it cannot see.
        assert.equal((await deprecate(cast.globex, '1.0.0', { message: 'nope' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await deprecate(cast.globex, '2.0.0', { message: 'nope' }).expect(404)).body.error.code, 'not_found');
        // Install-only keys (another tenant's, and the publisher tenant's own reader): 403 by scope.
        assert.equal((await deprecate(installer, '1.0.0', { message: 'nope' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await deprecate(cast.acmeReader, '1.0.0', { message: 'nope' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await undeprecate(installer, '1.0.0').expect(403)).body.error.code, 'forbidden');
        assert.equal((await plugin()).versions.find((v) => v.version === '1.0.0')?.deprecated, null, 'nothing was written');

        const done = await deprecate(cast.acme, '1.0.0', { message: 'Use 1.1.0: fixes unicode' }).expect(200);
        assert.equal(done.body.deprecated.message, 'Use 1.1.0: fixes unicode');
        assert.equal(done.body.version, '1.0.0');
        assert.equal(done.body.status, 'approved', 'a deprecation is not a status');
        // Every view carries it: the version, the plugin's versions list, the publisher's own page.
        const detail = await host.http().get(pluginPath(NAME, 'versions', '1.0.0')).set(bearer(other)).expect(200);
        assert.deepEqual(detail.body.deprecated, done.body.deprecated);
        assert.deepEqual((await plugin(other)).versions.find((v) => v.version === '1.0.0')?.deprecated, done.body.deprecated);
        const mine = await host.http().get('/v1/me/plugins').set(bearer(cast.acme)).expect(200);
        const own = JSON.stringify(mine.body);
        assert.ok(own.includes('Use 1.1.0: fixes unicode'), own.slice(0, 300));

        // A reviewer replaces the message, then undoes it.
        assert.equal((await deprecate(cast.reviewer, '1.0.0', { message: 'again' }).expect(200)).body.deprecated.message, 'again');
        assert.equal((await undeprecate(cast.reviewer, '1.0.0').expect(200)).body.deprecated, null);
        assert.equal((await plugin()).versions.find((v) => v.version === '1.0.0')?.deprecated, null);
      });

      it('should still install and run a deprecated version, with the message in warnings', async () => {
        await deprecate(cast.acme, '1.0.0', { message: 'please upgrade' }).expect(200);
        const installed = await install(installer, { plugin: NAME, version: '1.0.0' }).expect(201);
        assert.equal(installed.body.version, '1.0.0');
        assert.deepEqual(installed.body.warnings, [`${NAME}@1.0.0 is deprecated: please upgrade`]);
        const ran = await host.http().post(`/v1/installs/${installed.body.id}/executions`).set(bearer(installer)).send({ action: 'hello', input: { name: 'Ada' } });
        assert.equal(ran.status, 200, JSON.stringify(ran.body));
        assert.deepEqual(ran.body.output, { greeting: 'hello Ada' });
        // Upgrading away: no warning; back to it: the warning again; a config-only PATCH: none.
        const up = await host.http().patch(`/v1/installs/${installed.body.id}`).set(bearer(installer)).send({ version: '1.1.0' }).expect(200);
        assert.deepEqual(up.body.warnings, []);
        const down = await host.http().patch(`/v1/installs/${installed.body.id}`).set(bearer(installer)).send({ version: '1.0.0' }).expect(200);
        assert.deepEqual(down.body.warnings, [`${NAME}@1.0.0 is deprecated: please upgrade`]);
        const config = await host.http().patch(`/v1/installs/${installed.body.id}`).set(bearer(installer)).send({ config: {} }).expect(200);
        assert.deepEqual(config.body.warnings, []);
        await uninstall(installer, installed.body.id);
      });

      it('should refuse hostile input with stable codes and write nothing', async () => {
        for (const body of [{}, { message: '' }, { message: '   ' }, { message: 'x'.repeat(1025) }, { message: 42 }, { message: 'ok', extra: 1 }]) {
          const res = await deprecate(cast.acme, '1.0.0', body).expect(400);
          assert.equal(res.body.error.code, 'invalid_request', JSON.stringify(body));
        }
        assert.equal((await deprecate(cast.acme, '1.0.0', { message: 'x'.repeat(1024) }).expect(200)).body.deprecated.message.length, 1024);
        assert.equal((await deprecate(cast.acme, '9.9.9', { message: 'gone' }).expect(404)).body.error.code, 'not_found');
        assert.equal((await deprecate(cast.acme, 'not-a-version', { message: 'gone' }).expect(404)).body.error.code, 'not_found');
        const versions = (await plugin()).versions;
        assert.deepEqual(versions.filter((v) => v.deprecated !== null).map((v) => v.version), ['1.0.0']);
      });
    });

    describe('dist-tags', () => {
      it('should set, show, move and remove tags; latest is the newest approved unless set', async () => {
        assert.deepEqual((await plugin()).distTags, { latest: '1.1.0' });
        const set = await setTag(cast.acme, 'beta', { version: '2.0.0-beta.1' }).expect(200);
        assert.deepEqual(set.body, { distTags: { latest: '1.1.0', beta: '2.0.0-beta.1' } });
        assert.deepEqual((await plugin(other)).distTags, { latest: '1.1.0', beta: '2.0.0-beta.1' });

        // An explicit latest: default installs and latestVersion follow it.
        assert.deepEqual((await setTag(cast.acme, 'latest', { version: '1.0.0' }).expect(200)).body.distTags, { latest: '1.0.0', beta: '2.0.0-beta.1' });
        assert.equal((await plugin()).latestVersion, '1.0.0');
        const byDefault = await install(installer, { plugin: NAME }).expect(201);
        assert.equal(byDefault.body.version, '1.0.0');
        await uninstall(installer, byDefault.body.id);
        await setTag(cast.acme, 'latest', { version: '1.1.0' }).expect(200);

        assert.equal((await removeTag(cast.acme, 'latest').expect(400)).body.error.code, 'invalid_request');
        assert.deepEqual((await removeTag(cast.acme, 'beta').expect(200)).body.distTags, { latest: '1.1.0' });
        assert.equal((await removeTag(cast.acme, 'beta').expect(404)).body.error.code, 'not_found');
      });

      it('should let only the publisher of the scope change tags', async () => {
        assert.equal((await setTag(cast.globex, 'beta', { version: '1.1.0' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await setTag(cast.reviewer, 'beta', { version: '1.1.0' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await setTag(installer, 'beta', { version: '1.1.0' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await setTag(cast.acmeReader, 'beta', { version: '1.1.0' }).expect(403)).body.error.code, 'forbidden');
        assert.equal((await setTag(cast.globex, 'beta', { version: '1.1.0' }, '@acme/nothing').expect(404)).body.error.code, 'not_found');
        await setTag(cast.acme, 'stable', { version: '1.1.0' }).expect(200);
        assert.equal((await removeTag(cast.globex, 'stable').expect(403)).body.error.code, 'forbidden');
        assert.equal((await removeTag(installer, 'stable').expect(403)).body.error.code, 'forbidden');
        assert.equal((await plugin()).distTags.stable, '1.1.0', 'still there');
        await removeTag(cast.acme, 'stable').expect(200);
      });

      it('should install by tag the version the tag names then, and not follow the tag when it moves', async () => {
        await setTag(cast.acme, 'stable', { version: '1.0.0' }).expect(200);
        const installed = await install(installer, { plugin: NAME, version: 'stable' }).expect(201);
        assert.equal(installed.body.version, '1.0.0');
        await setTag(cast.acme, 'stable', { version: '1.1.0' }).expect(200);
        const after = await host.http().get(`/v1/installs/${installed.body.id}`).set(bearer(installer)).expect(200);
        assert.equal(after.body.version, '1.0.0', 'the install recorded the version, not the tag');
        // An upgrade by tag resolves it again, now.
        const up = await host.http().patch(`/v1/installs/${installed.body.id}`).set(bearer(installer)).send({ version: 'stable' }).expect(200);
        assert.equal(up.body.version, '1.1.0');
        const unknown = await host.http().patch(`/v1/installs/${installed.body.id}`).set(bearer(installer)).send({ version: 'nightly' }).expect(404);
        assert.equal(unknown.body.error.code, 'not_found');
        await uninstall(installer, installed.body.id);
        assert.equal((await install(installer, { plugin: NAME, version: 'latest' }).expect(201)).body.version, '1.1.0');
        const [mine] = (await host.http().get('/v1/installs').set(bearer(installer)).expect(200)).body.items;
        await uninstall(installer, mine.id);
        await removeTag(cast.acme, 'stable').expect(200);
      });

      it('should refuse bad tag names and versions that are not approved, writing nothing', async () => {
        const before = (await plugin(cast.acme)).distTags;
        for (const tag of ['Beta', '1beta', 'v1', 'x', '-beta', 'a'.repeat(33), 'beta_1', 'bêta', '1.0.0', '^1.0.0']) {
          const res = await setTag(cast.acme, tag, { version: '1.1.0' });
          assert.equal(res.status, 400, `${tag}: ${res.status}`);
          assert.equal(res.body.error.code, 'invalid_request', tag);
        }
        for (const body of [{}, { version: '^1.0.0' }, { version: 'latest' }, { version: 7 }, { version: '1.1.0', extra: true }]) {
          assert.equal((await setTag(cast.acme, 'beta', body).expect(400)).body.error.code, 'invalid_request', JSON.stringify(body));
        }
        const pending = await setTag(cast.acme, 'beta', { version: '2.0.0' }).expect(409);
        assert.equal(pending.body.error.code, 'version_not_installable');
        assert.equal(pending.body.error.details.status, 'pending_review');
        const yanked = await setTag(cast.acme, 'beta', { version: '1.0.1' }).expect(409);
        assert.equal(yanked.body.error.code, 'version_not_installable');
        assert.equal(yanked.body.error.details.status, 'yanked');
        assert.equal((await setTag(cast.acme, 'beta', { version: '3.0.0' }).expect(404)).body.error.code, 'not_found');
        assert.equal((await removeTag(cast.acme, 'Not-A-Tag').expect(400)).body.error.code, 'invalid_request');
        assert.deepEqual((await plugin(cast.acme)).distTags, before, 'nothing was written');
        // An install naming something that is neither a version, a range nor a tag is still 400.
        assert.equal((await install(installer, { plugin: NAME, version: 'Not A Tag!' }).expect(400)).body.error.code, 'invalid_request');
      });

      it('should keep a tag on a version yanked later, refusing installs by it, and fall latest back', async () => {
        await publish(host, cast.acme, packageOf({ name: NAME, version: '1.2.0' })).expect(201);
        await approve('1.2.0');
        await setTag(cast.acme, 'latest', { version: '1.2.0' }).expect(200);
        await setTag(cast.acme, 'edge', { version: '1.2.0' }).expect(200);
        await host.http().post(pluginPath(NAME, 'versions', '1.2.0', 'yank')).set(bearer(cast.acme)).send({ reason: 'bad' }).expect(200);
        const refused = await install(installer, { plugin: NAME, version: 'edge' }).expect(409);
        assert.equal(refused.body.error.code, 'version_not_installable');
        assert.equal((await plugin()).distTags.latest, '1.1.0', 'an explicit latest no longer approved falls back');
        assert.equal((await plugin()).distTags.edge, undefined, 'a tag to a version the viewer cannot see is not shown');
        const byDefault = await install(installer, { plugin: NAME }).expect(201);
        assert.equal(byDefault.body.version, '1.1.0');
        await uninstall(installer, byDefault.body.id);
      });
    });

    describe('audit log', () => {
      interface Entry { id: string; action: string; actor: { type: string; keyId: string | null }; version: string; notes: string | null; data: { tag?: string } }
      const entries = async (): Promise<Entry[]> =>
        (await host.http().get(`/v1/audit-log?plugin=${encodeURIComponent(NAME)}&limit=100`).set(bearer(cast.reviewer)).expect(200)).body.items;

      it('should record who deprecated, undid, set and removed what, and nothing for what was refused', async () => {
        const seen = new Set((await entries()).map((e) => e.id));
        await deprecate(cast.acme, '1.1.0', { message: 'Use 2.x' }).expect(200);
        await undeprecate(cast.reviewer, '1.1.0').expect(200);
        await setTag(cast.acme, 'next', { version: '1.1.0' }).expect(200);
        await removeTag(cast.acme, 'next').expect(200);
        // Refused: none of these is recorded.
        await deprecate(cast.globex, '1.1.0', { message: 'not yours' }).expect(403);
        await setTag(cast.acme, 'next', { version: '2.0.0' }).expect(409);
        await removeTag(cast.acme, 'next').expect(404);

        const added = (await entries()).filter((e) => !seen.has(e.id)).reverse();
        assert.deepEqual(
          added.map((e) => [e.action, e.version, e.notes, e.data.tag ?? null, e.actor.type]),
          [
            ['deprecate', '1.1.0', 'Use 2.x', null, 'key'],
            ['undeprecate', '1.1.0', null, null, 'key'],
            ['dist_tag_set', '1.1.0', null, 'next', 'key'],
            ['dist_tag_remove', '1.1.0', null, 'next', 'key'],
          ],
        );
        assert.notEqual(added[0]!.actor.keyId, added[1]!.actor.keyId, 'the publisher deprecated, the reviewer undid it');
      });
    });
  });
}
