/**
 * Installs on every backend, through the HTTP API: install with defaults and
 * grants, every refusal code, the plan limit under concurrency, tenant
 * isolation, upgrade with permission re-consent, reconfigure, uninstall (kv
 * deleted) and the listing's install count / community trust.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { startTestHost, type TestHost } from '../../support/test-host.js';
import {
  type Installer,
  type Publisher,
  bearer,
  createInstaller,
  examplePackage,
  execute,
  install,
  installOk,
  packageOf,
  pluginPath,
  publish,
  publishApproved,
  startExecutionHost,
} from '../executions/execution-host.js';

const SLUGIFY = '@examples/slugify';
const FLAGS = '@examples/feature-flags';

for (const backend of backends) {
  describe(`installs (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let publisher: Publisher;
    let alpha: Installer;
    let beta: Installer;

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('slugify'));
      await publishApproved(host, publisher, await examplePackage('feature-flags'));
      alpha = await createInstaller(host, 'alpha');
      beta = await createInstaller(host, 'beta');
    });

    after(async () => {
      await host?.close();
    });

    it('should install the latest approved version with config defaults applied', async () => {
      const res = await install(host, alpha.key, { plugin: SLUGIFY, config: { separator: '_' } }).expect(201);
      assert.equal(res.body.plugin, SLUGIFY);
      assert.equal(res.body.version, '1.0.0');
      assert.equal(res.body.status, 'active');
      assert.deepEqual(res.body.config, { separator: '_', maxLength: 80 });
      assert.deepEqual(res.body.permissions, { kv: false, network: { hosts: [] } });
      const one = await host.http().get(`/v1/installs/${res.body.id}`).set(bearer(alpha.key)).expect(200);
      assert.equal(one.body.id, res.body.id);
    });

    it('should replay an install with the same Idempotency-Key', async () => {
      const eta = await createInstaller(host, 'eta');
      const send = () => install(host, eta.key, { plugin: SLUGIFY }).set('Idempotency-Key', 'install-once');
      const first = await send().expect(201);
      const again = await send().expect(201);
      assert.equal(again.body.id, first.body.id);
    });

    it('should refuse a second install of the same plugin with 409 conflict', async () => {
      const res = await install(host, alpha.key, { plugin: SLUGIFY }).expect(409);
      assert.equal(res.body.error.code, 'conflict');
    });

    it('should refuse without a key (401) and without the scope (403 forbidden)', async () => {
      assert.equal((await host.http().post('/v1/installs').send({ plugin: SLUGIFY }).expect(401)).body.error.code, 'unauthorized');
      const res = await install(host, publisher.key, { plugin: SLUGIFY }).expect(403);
      assert.equal(res.body.error.code, 'forbidden');
    });

    it('should answer 404 for an unknown plugin and for one the tenant cannot see', async () => {
      assert.equal((await install(host, beta.key, { plugin: '@examples/nothing' }).expect(404)).body.error.code, 'not_found');
      await publish(host, publisher, packageOf({ name: '@examples/unreviewed' }, { 'index.js': 'export const hello = () => ({});\n' }));
      assert.equal((await install(host, beta.key, { plugin: '@examples/unreviewed' }).expect(404)).body.error.code, 'not_found');
    });

    it('should refuse versions that are not approved with 409 version_not_installable', async () => {
      await publish(host, publisher, packageOf({ name: SLUGIFY, version: '2.0.0-rc.1', actions: { slugify: {} } }, { 'index.js': 'export const slugify = () => ({ slug: "x" });\n' }));
      const pending = await install(host, beta.key, { plugin: SLUGIFY, version: '2.0.0-rc.1' }).expect(409);
      assert.equal(pending.body.error.code, 'version_not_installable');
      const range = await install(host, beta.key, { plugin: SLUGIFY, version: '>=2.0.0-rc.0' }).expect(409);
      assert.equal(range.body.error.code, 'version_not_installable');
      assert.equal((await install(host, beta.key, { plugin: SLUGIFY, version: '9.9.9' }).expect(404)).body.error.code, 'not_found');
    });

    it('should refuse a yanked version with 409 version_not_installable', async () => {
      const yanked = await publishApproved(host, publisher, packageOf({ name: '@examples/gone' }, { 'index.js': 'export const hello = () => ({});\n' }));
      await publishApproved(host, publisher, packageOf({ name: '@examples/gone', version: '1.1.0' }, { 'index.js': 'export const hello = () => ({});\n' }));
      await host.http().post(pluginPath(yanked.name, 'versions', '1.0.0', 'yank')).set(bearer(publisher.key)).send({ reason: 'bug' }).expect(200);
      const res = await install(host, beta.key, { plugin: yanked.name, version: '1.0.0' }).expect(409);
      assert.equal(res.body.error.code, 'version_not_installable');
    });

    it('should refuse ungranted permissions with 400 permissions_not_granted', async () => {
      const res = await install(host, beta.key, { plugin: FLAGS }).expect(400);
      assert.equal(res.body.error.code, 'permissions_not_granted');
      assert.deepEqual(res.body.error.details.missing, { kv: true, network: { hosts: [] } });
    });

    it('should refuse config that breaks the schema with 400 invalid_config and its issues', async () => {
      const res = await install(host, beta.key, { plugin: SLUGIFY, config: { separator: '+' } }).expect(400);
      assert.equal(res.body.error.code, 'invalid_config');
      assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0);
    });

    it("should answer 404 for another tenant's install, on every verb", async () => {
      const id = await installOk(host, beta.key, { plugin: FLAGS, grantPermissions: { kv: true } });
      const http = () => host.http();
      for (const res of [
        await http().get(`/v1/installs/${id}`).set(bearer(alpha.key)),
        await http().patch(`/v1/installs/${id}`).set(bearer(alpha.key)).send({ config: {} }),
        await http().delete(`/v1/installs/${id}`).set(bearer(alpha.key)),
        await execute(host, alpha.key, id, { input: {} }),
      ]) {
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, 'not_found');
      }
      const list = await http().get('/v1/installs').set(bearer(alpha.key)).expect(200);
      assert.ok(list.body.items.every((i: { id: string }) => i.id !== id));
    });

    it('should list installs page by page', async () => {
      await installOk(host, beta.key, { plugin: SLUGIFY, version: '~1.0.0' });
      const first = await host.http().get('/v1/installs?limit=1').set(bearer(beta.key)).expect(200);
      assert.equal(first.body.items.length, 1);
      assert.ok(first.body.nextCursor);
      const second = await host.http().get(`/v1/installs?limit=1&cursor=${first.body.nextCursor}`).set(bearer(beta.key)).expect(200);
      assert.notEqual(second.body.items[0]?.id, first.body.items[0].id);
    });

    it('should hold the plan limit under concurrent installs (402 plan_limit)', async () => {
      const gamma = await createInstaller(host, 'gamma', 'free', { maxInstalls: 1 });
      const answers = await Promise.all([
        install(host, gamma.key, { plugin: SLUGIFY }),
        install(host, gamma.key, { plugin: FLAGS, grantPermissions: { kv: true } }),
      ]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [201, 402]);
      assert.equal(answers.find((r) => r.status === 402)?.body.error.code, 'plan_limit');
    });

    it('should keep an upgrade asking for new permissions pending until they are granted', async () => {
      const delta = await createInstaller(host, 'delta');
      const id = await installOk(host, delta.key, { plugin: SLUGIFY });
      const v11 = packageOf(
        { name: SLUGIFY, version: '1.1.0', actions: { slugify: { output: { type: 'object', required: ['slug'] } } }, permissions: { kv: true } },
        { 'index.js': 'export async function slugify(input, ctx) { await ctx.kv.put("last", input.title); return { slug: "v11" }; }\n' },
      );
      await publishApproved(host, publisher, v11);

      const pending = await host.http().patch(`/v1/installs/${id}`).set(bearer(delta.key)).send({ version: '^1.1.0' }).expect(200);
      assert.equal(pending.body.status, 'pending_consent');
      assert.equal(pending.body.version, '1.0.0');
      assert.equal(pending.body.pendingVersion, '1.1.0');
      assert.deepEqual(pending.body.pendingPermissions, { kv: true, network: { hosts: [] } });
      const old = await execute(host, delta.key, id, { input: { title: 'Still Old' } }).expect(200);
      assert.equal(old.body.output.slug, 'still-old');

      const granted = await host.http().patch(`/v1/installs/${id}`).set(bearer(delta.key)).send({ grantPermissions: { kv: true } }).expect(200);
      assert.equal(granted.body.status, 'active');
      assert.equal(granted.body.version, '1.1.0');
      assert.equal(granted.body.pendingVersion, null);
      assert.deepEqual(granted.body.permissions, { kv: true, network: { hosts: [] } });
      const upgraded = await execute(host, delta.key, id, { input: { title: 'New' } }).expect(200);
      assert.equal(upgraded.body.output.slug, 'v11');
    });

    it('should reconfigure in place and refuse an invalid config', async () => {
      const epsilon = await createInstaller(host, 'epsilon');
      const id = await installOk(host, epsilon.key, { plugin: SLUGIFY, version: '1.0.0' });
      const res = await host.http().patch(`/v1/installs/${id}`).set(bearer(epsilon.key)).send({ config: { maxLength: 5 } }).expect(200);
      assert.deepEqual(res.body.config, { separator: '-', maxLength: 5 });
      const bad = await host.http().patch(`/v1/installs/${id}`).set(bearer(epsilon.key)).send({ config: { maxLength: 0 } }).expect(400);
      assert.equal(bad.body.error.code, 'invalid_config');
    });

    it('should uninstall: the install, its kv and its count go', async () => {
      const zeta = await createInstaller(host, 'zeta');
      const id = await installOk(host, zeta.key, { plugin: FLAGS, grantPermissions: { kv: true } });
      await execute(host, zeta.key, id, { action: 'setFlag', input: { flag: 'beta', enabled: true } }).expect(200);
      assert.equal((await host.deps.db('install_kv').where({ install_id: id })).length, 1);
      const count = async () => Number((await host.deps.db('plugins').where({ name: FLAGS }).first('install_count')).install_count);
      const before = await count();
      await host.http().delete(`/v1/installs/${id}`).set(bearer(zeta.key)).expect(204);
      assert.equal((await host.http().get(`/v1/installs/${id}`).set(bearer(zeta.key)).expect(404)).body.error.code, 'not_found');
      assert.equal((await host.deps.db('install_kv').where({ install_id: id })).length, 0);
      assert.equal(await count(), before - 1);
    });

    it('should hold install changes made by another host process at the next execution', async () => {
      const theta = await createInstaller(host, 'theta');
      const id = await installOk(host, theta.key, { plugin: SLUGIFY, version: '1.0.0' });
      await execute(host, theta.key, id, { input: { title: 'A B' } }).expect(200);
      const other = await startTestHost(database.current, { db: await database.current.openAnother() });
      try {
        await other.http().patch(`/v1/installs/${id}`).set(bearer(theta.key)).send({ config: { separator: '.' } }).expect(200);
        assert.equal((await execute(host, theta.key, id, { input: { title: 'A B' } }).expect(200)).body.output.slug, 'a.b');
        await other.http().delete(`/v1/installs/${id}`).set(bearer(theta.key)).expect(204);
        assert.equal((await execute(host, theta.key, id, { input: { title: 'A B' } }).expect(404)).body.error.code, 'not_found');
      } finally {
        await other.close();
      }
    });

    it('should feed distinct installers into the community trust factor', async () => {
      await installOk(host, alpha.key, { plugin: FLAGS, grantPermissions: { kv: true } });
      const version = await host.http().get(pluginPath(FLAGS, 'versions', '1.0.0')).set(bearer(alpha.key)).expect(200);
      const installers = Number((await host.deps.db('installs').where({ plugin_name: FLAGS }).countDistinct({ n: 'tenant_id' }).first())?.n);
      assert.ok(installers >= 2);
      const evidence = JSON.stringify(version.body.trust.evidence);
      assert.ok(evidence.includes(`${installers} distinct installing tenant`), evidence);
    });
  });
}
