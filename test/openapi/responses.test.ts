/**
 * Real answers match the OpenAPI document: a realistic scenario over HTTP on
 * a test host (operator, publisher, reviewer, tenant; publish an example,
 * review, install, a gradual rollout promoted and one aborted, shadow runs reported and stopped, execute with success and 422, ratings, usage, billing
 * with a period closed on the test clock, analytics, and the errors 400, 401,
 * 403, 404, 409, 429), each answer validated against the schema of its
 * status. Ends with the coverage: operations exercised / described, and an
 * explicit list of the ones this scenario cannot reach, each with its reason.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packDirectory } from '../../marketplace/package-archive.js';
import { buildOpenApiDocument } from '../../host/wiring/openapi-document.js';
import { backends, useDatabase } from '../support/database-backends.js';
import { bearer, FakeClock, startTestHost, type TestHost } from '../support/test-host.js';
import { ContractChecker, operationKeys } from './contract-checker.js';

/** Described operations this scenario does not exercise, each with why. */
const NOT_EXERCISED: Readonly<Record<string, string>> = {
  // (none: every described operation is exercised; add `'METHOD /template': 'reason'` when one cannot be)
};

const START = new Date('2031-03-10T09:00:00Z');
const SLUGIFY = encodeURIComponent('@examples/slugify');
const TEXT_STATS = encodeURIComponent('@examples/text-stats');

function example(name: string): Promise<Buffer> {
  return packDirectory(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)));
}

/** An example packed under another version number (same code). */
async function exampleAs(name: string, version: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'bazaar-example-'));
  await cp(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)), dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
  try {
    return await packDirectory(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const backend of backends) {
  describe(`openapi: real answers match the document (${backend.name})`, function () {
    this.timeout(120_000);
    // Paid tiers pay from their first period, so closing one gives an open invoice to pay.
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let host: TestHost;
    let c: ContractChecker;

    before(async () => {
      host = await startTestHost(database.current, { clock: new FakeClock(START) });
      const doc = await host.http().get('/openapi.json').expect(200);
      c = new ContractChecker(doc.body);
    });
    after(async () => {
      await host.deps.billing.scheduler.stop();
      await host.close();
    });

    it('should answer every step of the scenario as documented', async () => {
      const http = () => host.http();
      const admin = bearer(host.adminKey);

      // Operations routes: keyless.
      await c.expect(http().get('/healthz'), 200);
      await c.expect(http().get('/metrics'), 401);
      await c.expect(http().get('/metrics').set(bearer(host.adminKey)), 200);
      await c.expect(http().get('/readyz'), 200);
      await c.expect(http().get('/openapi.json'), 200);
      await c.expect(http().get('/console'), 200);
      // Described as `/console` (OpenAPI paths have no trailing slash).
      c.check('GET', '/console', await http().get('/console/').expect(200));
      await c.expect(http().get('/docs'), 200);
      await c.expect(http().get('/docs/assets/docs-init.js'), 200);
      await c.expect(http().get('/docs/assets/swagger-ui.css'), 200);
      await c.expect(http().get('/docs/assets/index.html'), 404);
      await c.expect(http().get('/console/assets/app.js'), 200);
      await c.expect(http().get('/console/assets/nothing-here.js'), 404);

      // Tenants and keys (operator).
      await c.expect(http().get('/v1/tenants'), 401);
      await c.expect(http().get('/v1/tenants').set(bearer('bzr_ffffffffffffffffffffffffffffffff')), 401);
      const examples = (await c.expect(http().post('/v1/tenants').set(admin).send({ name: 'Examples', slug: 'examples', ownerEmail: 'dev@examples.test', tier: 'pro' }), 201)).body;
      const acme = (await c.expect(http().post('/v1/tenants').set(admin).send({ name: 'Acme', slug: 'acme', ownerEmail: 'ops@acme.test', tier: 'pro' }), 201)).body;
      const spare = (await c.expect(http().post('/v1/tenants').set(admin).send({ name: 'Spare', slug: 'spare', ownerEmail: 'x@spare.test' }), 201)).body;
      await c.expect(http().post('/v1/tenants').set(admin).send({ name: 'Acme again', slug: 'acme', ownerEmail: 'ops@acme.test' }), 409);
      await c.expect(http().post('/v1/tenants').set(admin).send({ name: 'x', slug: 'NOT A SLUG' }), 400);
      await c.expect(http().get('/v1/tenants?limit=2').set(admin), 200);
      await c.expect(http().get('/v1/tenants?limit=0').set(admin), 400);
      await c.expect(http().patch(`/v1/tenants/${acme.id}`).set(admin).send({ name: 'Acme Corp' }), 200);
      await c.expect(http().put(`/v1/tenants/${spare.id}/settings`).set(admin).send({ limits: { requestsPerMinute: 2 } }), 200);
      await c.expect(http().post(`/v1/tenants/${spare.id}/suspend`).set(admin), 200);
      await c.expect(http().post(`/v1/tenants/${spare.id}/reactivate`).set(admin), 200);
      const operatorId = (await c.expect(http().get('/v1/me').set(admin), 200)).body.tenant.id;
      await c.expect(http().post(`/v1/tenants/${operatorId}/suspend`).set(admin), 409);

      const key = async (tenantId: string, scopes: string[]) =>
        (await c.expect(http().post(`/v1/tenants/${tenantId}/api-keys`).set(admin).send({ name: scopes.join(' '), scopes }), 201)).body.key as string;
      const publisher = bearer(await key(examples.id, ['plugins:publish']));
      const reviewerTenant = (await c.expect(http().post('/v1/tenants').set(admin).send({ name: 'Staff', slug: 'staff', ownerEmail: 'r@staff.test' }), 201)).body;
      const reviewer = bearer(await key(reviewerTenant.id, ['reviews:write']));
      const tenant = bearer(await key(acme.id, ['plugins:install', 'plugins:execute', 'billing:read', 'billing:write', 'webhooks:write']));
      const spareKey = bearer(await key(spare.id, ['billing:read']));
      await c.expect(http().get(`/v1/tenants/${acme.id}/api-keys`).set(admin), 200);
      const doomed = (await c.expect(http().post(`/v1/tenants/${acme.id}/api-keys`).set(admin).send({ name: 'doomed', scopes: ['billing:read'] }), 201)).body;
      await c.expect(http().delete(`/v1/api-keys/${doomed.id}`).set(admin), 204);
      await c.expect(http().get('/v1/usage').set(bearer(doomed.key)), 401);
      await c.expect(http().get(`/v1/tenants/${acme.id}`).set(tenant), 200);
      await c.expect(http().get(`/v1/tenants/${examples.id}`).set(tenant), 404);
      await c.expect(http().get(`/v1/tenants/${acme.id}/settings`).set(tenant), 200);
      await c.expect(http().put(`/v1/tenants/${acme.id}/settings`).set(tenant).send({ features: { beta: true } }), 200);
      await c.expect(http().put(`/v1/tenants/${acme.id}/settings`).set(tenant).send({ limits: { cpuMs: 5 } }), 403);
      await c.expect(http().get('/v1/tenants').set(tenant), 403);

      // 429 on a tenant limited to 2 requests a minute (its first was the 401 above? no: a revoked key never reaches the limiter).
      await c.expect(http().get('/v1/usage').set(spareKey), 200);
      await c.expect(http().get('/v1/usage').set(spareKey), 200);
      await c.expect(http().get('/v1/usage').set(spareKey), 429);
      await c.expect(http().post(`/v1/tenants/${spare.id}/suspend`).set(admin), 200);
      await c.expect(http().get('/v1/usage').set(spareKey), 403);

      // Publish and review.
      const slugify = await example('slugify');
      await c.expect(http().post('/v1/packages').set(tenant).type('application/gzip').send(slugify), 403);
      const published = (await c.expect(http().post('/v1/packages').set(publisher).type('application/gzip').send(slugify), 201)).body;
      assert.equal(published.name, '@examples/slugify');
      await c.expect(http().post('/v1/packages').set(publisher).type('application/gzip').send(slugify), 409);
      await c.expect(http().post('/v1/packages').set(publisher).type('application/gzip').send(Buffer.from('not a tarball')), 400);
      await c.expect(http().post('/v1/packages').set(publisher).type('application/gzip').send(await example('text-stats')), 201);
      await c.expect(http().get('/v1/reviews?order=asc').set(reviewer), 200);
      await c.expect(http().get('/v1/reviews').set(tenant), 403);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/versions/1.0.0/review`).set(reviewer).send({ decision: 'approve', notes: 'read the code' }), 200);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/versions/1.0.0/review`).set(reviewer).send({ decision: 'reject', notes: 'again' }), 409);
      await c.expect(http().post(`/v1/plugins/${TEXT_STATS}/versions/1.0.0/yank`).set(publisher).send({ reason: 'superseded' }), 200);
      await c.expect(http().post(`/v1/plugins/${TEXT_STATS}/versions/1.0.0/yank`).set(publisher).send({ reason: 'again' }), 409);
      await c.expect(http().get('/v1/audit-log').set(reviewer), 200);

      // The marketplace.
      await c.expect(http().get('/v1/plugins?q=slug&sort=installs').set(tenant), 200);
      await c.expect(http().get('/v1/plugins?sort=nope').set(tenant), 400);
      await c.expect(http().get(`/v1/plugins/${SLUGIFY}`).set(tenant), 200);
      await c.expect(http().get(`/v1/plugins/${encodeURIComponent('@examples/nothing')}`).set(tenant), 404);
      await c.expect(http().get(`/v1/plugins/${SLUGIFY}/versions/1.0.0`).set(tenant), 200);
      await c.expect(http().get(`/v1/plugins/${SLUGIFY}/versions/1.0.0/tarball`).set(tenant), 200);
      await c.expect(http().get(`/v1/plugins/${SLUGIFY}/versions/1.0.0/files`).set(reviewer), 200);
      await c.expect(http().get('/v1/me/plugins').set(publisher), 200);

      // Deprecation notices and dist-tags.
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/versions/1.0.0/deprecate`).set(tenant).send({ message: 'use 2.x' }), 403);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/versions/1.0.0/deprecate`).set(publisher).send({ message: 'x'.repeat(1025) }), 400);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/versions/1.0.0/deprecate`).set(publisher).send({ message: 'use 2.x' }), 200);
      await c.expect(http().put(`/v1/plugins/${SLUGIFY}/dist-tags/stable`).set(publisher).send({ version: '1.0.0' }), 200);
      await c.expect(http().put(`/v1/plugins/${SLUGIFY}/dist-tags/v1`).set(publisher).send({ version: '1.0.0' }), 400);
      await c.expect(http().put(`/v1/plugins/${TEXT_STATS}/dist-tags/stable`).set(publisher).send({ version: '1.0.0' }), 409);
      await c.expect(http().put(`/v1/plugins/${SLUGIFY}/dist-tags/stable`).set(tenant).send({ version: '1.0.0' }), 403);
      await c.expect(http().delete(`/v1/plugins/${SLUGIFY}/dist-tags/latest`).set(publisher), 400);
      await c.expect(http().delete(`/v1/plugins/${SLUGIFY}/dist-tags/stable`).set(publisher), 200);
      await c.expect(http().delete(`/v1/plugins/${SLUGIFY}/dist-tags/stable`).set(publisher), 404);
      await c.expect(http().get('/v1/me').set(tenant), 200);

      // Installs and executions (Idempotency-Key replays the first answer).
      // Only yanked: invisible to this tenant, so 404 (not 409 version_not_installable).
      await c.expect(http().post('/v1/installs').set(tenant).send({ plugin: '@examples/text-stats' }), 404);
      await c.expect(http().post('/v1/installs').set(tenant).send({ plugin: '@examples/slugify', config: { separator: '?' } }), 400);
      const idem = randomUUID();
      const installed = (await c.expect(http().post('/v1/installs').set(tenant).set('Idempotency-Key', idem).send({ plugin: '@examples/slugify', config: { separator: '_' } }), 201)).body;
      const replay = (await c.expect(http().post('/v1/installs').set(tenant).set('Idempotency-Key', idem).send({ plugin: '@examples/slugify', config: { separator: '_' } }), 201)).body;
      assert.deepEqual(replay, installed);
      await c.expect(http().post('/v1/installs').set(tenant).set('Idempotency-Key', idem).send({ plugin: '@examples/slugify' }), 409);
      await c.expect(http().post('/v1/installs').set(tenant).send({ plugin: '@examples/slugify' }), 409);
      await c.expect(http().get('/v1/installs').set(tenant), 200);
      await c.expect(http().get(`/v1/installs/${installed.id}`).set(tenant), 200);
      await c.expect(http().get(`/v1/installs/${randomUUID()}`).set(tenant), 404);
      assert.deepEqual(installed.warnings, ['@examples/slugify@1.0.0 is deprecated: use 2.x']);
      await c.expect(http().patch(`/v1/installs/${installed.id}`).set(tenant).send({ config: { separator: '-' } }), 200);
      await c.expect(http().delete(`/v1/plugins/${SLUGIFY}/versions/1.0.0/deprecate`).set(tenant), 403);
      await c.expect(http().delete(`/v1/plugins/${SLUGIFY}/versions/1.0.0/deprecate`).set(reviewer), 200);

      // A gradual rollout to another slugify version (a copy of 1.0.0 as 1.1.0), promoted; then one aborted.
      await c.expect(http().post(`/v1/installs/${installed.id}/rollout/promote`).set(tenant), 409);
      await c.expect(http().post('/v1/packages').set(publisher).type('application/gzip').send(await exampleAs('slugify', '1.1.0')), 201);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/versions/1.1.0/review`).set(reviewer).send({ decision: 'approve', notes: 'same code' }), 200);
      await c.expect(http().patch(`/v1/installs/${installed.id}`).set(tenant).send({ version: '1.1.0', rollout: { percent: 100 } }), 400);
      await c.expect(http().patch(`/v1/installs/${installed.id}`).set(tenant).send({ version: '1.1.0', rollout: { percent: 25 } }), 200);
      await c.expect(http().post(`/v1/installs/${installed.id}/rollout/promote`).set(tenant), 200);
      await c.expect(http().patch(`/v1/installs/${installed.id}`).set(tenant).send({ version: '1.0.0', rollout: { percent: 50 } }), 200);
      await c.expect(http().post(`/v1/installs/${installed.id}/rollout/abort`).set(tenant), 200);
      await c.expect(http().post(`/v1/installs/${installed.id}/rollout/abort`).set(tenant), 409);
      await c.expect(http().post(`/v1/installs/${randomUUID()}/rollout/abort`).set(tenant), 404);
      // Shadow runs of 1.0.0 on every execution below; reported after them.
      await c.expect(http().get(`/v1/installs/${installed.id}/shadow`).set(tenant), 404);
      await c.expect(http().patch(`/v1/installs/${installed.id}`).set(tenant).send({ shadow: { version: '1.0.0', sampleRate: 2 } }), 400);
      await c.expect(http().patch(`/v1/installs/${installed.id}`).set(tenant).send({ shadow: { version: '1.0.0', sampleRate: 1 } }), 200);

      // A webhook for failed executions, so the 422 below leaves a delivery in the outbox.
      await c.expect(http().post('/v1/webhooks').set(tenant).send({ url: 'http://127.0.0.1/hook', events: ['execution.failed'] }), 400);
      await c.expect(http().post('/v1/webhooks').set(publisher).send({ url: 'https://hooks.acme.test/bazaar', events: ['execution.failed'] }), 403);
      const webhook = (await c.expect(http().post('/v1/webhooks').set(tenant).send({ url: 'https://hooks.acme.test/bazaar', events: ['execution.failed', 'invoice.finalized'] }), 201)).body;
      await c.expect(http().get('/v1/webhooks').set(tenant), 200);

      const ok = (await c.expect(http().post(`/v1/installs/${installed.id}/executions`).set(tenant).set('Idempotency-Key', randomUUID()).send({ input: { title: 'Hello Bazaar' } }), 200)).body;
      assert.deepEqual(ok.output, { slug: 'hello-bazaar' });
      const failed = (await c.expect(http().post(`/v1/installs/${installed.id}/executions`).set(tenant).send({ input: { nope: 1 } }), 422)).body;
      assert.equal(failed.error.code, 'invalid_input');
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/execute`).set(tenant).send({ action: 'slugify', input: { title: 'Again' } }), 200);
      await c.expect(http().post(`/v1/installs/${installed.id}/executions`).set(tenant).send({ nope: true }), 400);
      await c.expect(http().post(`/v1/installs/${installed.id}/executions`).set(publisher).send({ input: {} }), 403);
      await c.expect(http().get(`/v1/executions?install=${installed.id}&status=failed`).set(tenant), 200);
      await c.expect(http().get(`/v1/executions/${ok.executionId}`).set(tenant), 200);
      await c.expect(http().get('/v1/executions/no-such-execution').set(tenant), 404);
      await c.expect(http().get('/v1/executions?status=maybe').set(tenant), 400);
      await host.deps.shadowRunner.idle();
      const shadow = (await c.expect(http().get(`/v1/installs/${installed.id}/shadow`).set(tenant), 200)).body;
      assert.equal(shadow.compared, 3);
      await c.expect(http().delete(`/v1/installs/${installed.id}/shadow`).set(tenant), 204);
      await c.expect(http().delete(`/v1/installs/${installed.id}/shadow`).set(tenant), 404);

      const deliveries = (await c.expect(http().get(`/v1/webhooks/${webhook.id}/deliveries`).set(tenant), 200)).body;
      assert.ok(deliveries.items.length > 0, 'the failed execution was queued for delivery');
      await c.expect(http().post(`/v1/webhooks/${webhook.id}/deliveries/${deliveries.items[0].id}/redeliver`).set(tenant), 202);
      await c.expect(http().post(`/v1/webhooks/${webhook.id}/deliveries/${randomUUID()}/redeliver`).set(tenant), 404);
      await c.expect(http().get(`/v1/webhooks/${randomUUID()}/deliveries`).set(tenant), 404);

      // Ratings: first 201, then a replacement 200.
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/ratings`).set(tenant).send({ stars: 5, comment: 'does one thing' }), 201);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/ratings`).set(tenant).send({ stars: 4 }), 200);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/ratings`).set(tenant).send({ stars: 9 }), 400);

      // Usage, analytics.
      await c.expect(http().get('/v1/usage?groupBy=plugin').set(tenant), 200);
      await c.expect(http().get('/v1/usage?groupBy=day&from=2031-03-01&to=2031-04-01').set(tenant), 200);
      await c.expect(http().get('/v1/usage?groupBy=week').set(tenant), 400);
      host.clock.advance(2 * 60 * 60 * 1000);
      await host.deps.analytics.rollup.runOnce();
      const analytics = (await c.expect(http().get(`/v1/analytics/plugins/${SLUGIFY}`).set(publisher), 200)).body;
      assert.ok(analytics.versions.length > 0, 'the rollup gave the analytics a series');
      await c.expect(http().get(`/v1/analytics/plugins/${SLUGIFY}`).set(tenant), 403);

      // Billing: subscription changes, then a period closed on the test clock, its invoice paid.
      await c.expect(http().get('/v1/subscription').set(tenant), 200);
      await c.expect(http().get('/v1/subscription').set(admin), 404);
      await c.expect(http().post('/v1/subscription/upgrade').set(tenant).send({ tier: 'team' }), 200);
      await c.expect(http().post('/v1/subscription/upgrade').set(tenant).send({ tier: 'free' }), 409);
      await c.expect(http().post('/v1/subscription/downgrade').set(tenant).send({ tier: 'pro' }), 200);
      await c.expect(http().get('/v1/invoices').set(tenant), 200);
      host.clock.advance(32 * 24 * 60 * 60 * 1000);
      const report = (await c.expect(http().post('/v1/billing/close-period').set(admin), 200)).body;
      const closed = report.closed.find((p: { tenantId: string }) => p.tenantId === acme.id);
      assert.ok(closed, 'the tenant\'s period was closed');
      const invoice = (await c.expect(http().get(`/v1/invoices/${closed.invoiceId}`).set(tenant), 200)).body;
      assert.equal(invoice.status, 'open');
      await c.expect(http().get(`/v1/invoices/${closed.invoiceId}`).set(publisher), 403);
      await c.expect(http().get(`/v1/invoices/${randomUUID()}`).set(tenant), 404);
      await c.expect(http().post(`/v1/invoices/${invoice.id}/pay`).set(tenant).send({ reference: 'wire-1', amountCents: invoice.totalCents }), 200);
      await c.expect(http().post(`/v1/invoices/${invoice.id}/pay`).set(tenant).send({ reference: 'wire-2', amountCents: invoice.totalCents }), 409);
      await c.expect(http().get('/v1/invoices?limit=1').set(tenant), 200);
      await c.expect(http().post('/v1/subscription/cancel').set(tenant).send({ atPeriodEnd: true }), 200);

      await c.expect(http().delete(`/v1/installs/${installed.id}`).set(tenant), 204);
      await c.expect(http().delete(`/v1/webhooks/${webhook.id}`).set(tenant), 204);
      await c.expect(http().delete(`/v1/webhooks/${webhook.id}`).set(tenant), 404);
      await c.expect(http().post(`/v1/plugins/${SLUGIFY}/execute`).set(tenant).send({ input: { title: 'gone' } }), 404);
    });

    it('should exercise every described operation but the listed ones', () => {
      const all = operationKeys(buildOpenApiDocument());
      const exercised = all.filter((k) => c.exercised.has(k));
      const missing = all.filter((k) => !c.exercised.has(k) && NOT_EXERCISED[k] === undefined);
      const listedButExercised = Object.keys(NOT_EXERCISED).filter((k) => c.exercised.has(k));
      const answers = [...c.exercised.values()].reduce((n, s) => n + s.size, 0);
      console.log(`      coverage: ${exercised.length}/${all.length} operations exercised, ${answers} (operation, status) pairs validated`);
      for (const [k, why] of Object.entries(NOT_EXERCISED)) console.log(`        not exercised: ${k}: ${why}`);
      assert.deepEqual({ missing, listedButExercised }, { missing: [], listedButExercised: [] });
    });
  });
}
