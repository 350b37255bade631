/**
 * `Idempotency-Key` on the POSTs that create or charge (docs/http-api.md
 * "Idempotency"): a replay answers the first response and does nothing a second
 * time; the same key on another request is 409 `conflict`. Each case counts the
 * rows its work writes, so a second creation or charge fails the test.
 *
 * (Installs and executions have their own tests; new API keys are not
 * replayable: the stored answer would keep a secret stored only hashed.)
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { type TestHost, bearer, createKey, createTenant } from '../../support/test-host.js';
import {
  type Installer,
  type Publisher,
  createInstaller,
  examplePackage,
  installOk,
  packageOf,
  pluginPath,
  publishApproved,
  startExecutionHost,
} from '../executions/execution-host.js';

const SLUGIFY = '@examples/slugify';

for (const backend of backends) {
  describe(`Idempotency-Key on creating and charging POSTs (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let host: TestHost;
    let publisher: Publisher;
    let tenant: Installer;
    let tgz: Buffer;

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      tgz = await examplePackage('slugify');
      tenant = await createInstaller(host, 'idem-tenant', 'pro');
      await publishApproved(host, publisher, tgz);
      await installOk(host, tenant.key, { plugin: SLUGIFY });
    });

    after(async () => {
      await host?.close();
    });

    /** Send twice with one key; answers both responses. */
    async function twice(send: (key: string) => Promise<{ status: number; body: unknown; headers: Record<string, string> }>, key: string) {
      const first = await send(key);
      const second = await send(key);
      return { first, second };
    }

    const count = async (table: string, where: Record<string, unknown>) => Number((await host.deps.db(table).where(where).count<{ c: string }[]>('* as c'))[0]?.c ?? 0);

    it('should create a tenant once (POST /v1/tenants)', async () => {
      const body = { name: 'Once', slug: 'idem-once', ownerEmail: 'o@once.example' };
      const send = (key: string) => host.http().post('/v1/tenants').set(bearer(host.adminKey)).set('Idempotency-Key', key).send(body);
      const { first, second } = await twice(send, 'tenant-1');
      assert.equal(first.status, 201);
      assert.deepEqual(second.body, first.body);
      assert.equal(second.status, 201);
      assert.equal(await count('tenants', { slug: 'idem-once' }), 1);
      const other = await send('tenant-1').send({ ...body, slug: 'idem-twice' });
      assert.equal(other.status, 409);
      assert.equal(other.body.error.code, 'conflict');
    });

    it('should publish a package once (POST /v1/packages), keyed by its bytes', async () => {
      const name = '@examples/idem-pkg';
      const pkg = packageOf({ name, version: '1.0.0' }, { 'index.js': 'export function hello() { return {}; }\n' });
      const send = (key: string, bytes = pkg) =>
        host.http().post('/v1/packages').set(bearer(publisher.key)).set('Content-Type', 'application/gzip').set('Idempotency-Key', key).send(bytes);
      const { first, second } = await twice((k) => send(k), 'pkg-1');
      assert.equal(first.status, 201);
      assert.equal(second.status, 201, 'a replay, not 409 version_exists');
      assert.deepEqual(second.body, first.body);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      assert.equal(second.headers['idempotent-replayed'], 'true');
      const other = await send('pkg-1', packageOf({ name, version: '1.0.1' }, { 'index.js': 'export function hello() { return {}; }\n' }));
      assert.equal(other.status, 409);
      assert.equal(other.body.error.code, 'conflict');
      assert.equal(await count('plugin_versions', { plugin_name: name }), 1);
    });

    it('should rate once (POST /v1/plugins/:name/ratings)', async () => {
      const send = (key: string) => host.http().post(pluginPath(SLUGIFY, 'ratings')).set(bearer(tenant.key)).set('Idempotency-Key', key).send({ stars: 4 });
      const { first, second } = await twice(send, 'rate-1');
      assert.equal(first.status, 201);
      assert.equal(second.status, 201, 'the first answer (201), not a 200 "replaced"');
      assert.deepEqual(second.body, first.body);
    });

    it('should create a webhook once, with the same secret (POST /v1/webhooks)', async () => {
      const { key } = await createKey(host, tenant.id, ['webhooks:write']);
      const send = (k: string) => host.http().post('/v1/webhooks').set(bearer(key)).set('Idempotency-Key', k).send({ url: 'https://hooks.example.com/bazaar', events: ['execution.failed'] });
      const { first, second } = await twice(send, 'hook-1');
      assert.equal(first.status, 201);
      assert.equal((second.body as { secret: string }).secret, (first.body as { secret: string }).secret);
      assert.equal(await count('webhooks', { tenant_id: tenant.id }), 1);
    });

    it('should upgrade and charge the proration once (POST /v1/subscription/upgrade)', async () => {
      const buyer = await createTenant(host, { slug: 'idem-buyer', tier: 'pro' });
      const { key } = await createKey(host, buyer.id, ['billing:read', 'billing:write']);
      host.clock.advance(3 * 24 * 3600 * 1000); // into the period, so there is something to prorate
      const send = (k: string) => host.http().post('/v1/subscription/upgrade').set(bearer(key)).set('Idempotency-Key', k).send({ tier: 'team' });
      const { first, second } = await twice(send, 'upgrade-1');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.ok((first.body as { prorationCents: number }).prorationCents > 0);
      assert.deepEqual(second.body, first.body, 'a replay, not 409 "already on team"');
      const prorations = await host.deps.db('invoice_lines').join('invoices', 'invoices.id', 'invoice_lines.invoice_id').where({ 'invoices.tenant_id': buyer.id, 'invoice_lines.kind': 'proration' });
      assert.equal(prorations.length, 1);
      // Without a key the same request is a new one: the tier is already team (409).
      assert.equal((await host.http().post('/v1/subscription/upgrade').set(bearer(key)).send({ tier: 'team' })).status, 409);
    });

    it('should record a payment once (POST /v1/invoices/:id/pay)', async () => {
      const payer = await createTenant(host, { slug: 'idem-payer', tier: 'pro' });
      const { key } = await createKey(host, payer.id, ['billing:read', 'billing:write']);
      host.clock.advance(32 * 24 * 3600 * 1000); // past the first period's end
      assert.equal((await host.http().post('/v1/billing/close-period').set(bearer(host.adminKey))).status, 200);
      const invoices = (await host.http().get('/v1/invoices').set(bearer(key))).body.items as { id: string; status: string; totalCents: number }[];
      const open = invoices.find((i) => i.status === 'open');
      assert.ok(open !== undefined, JSON.stringify(invoices));
      const send = (k: string) =>
        host.http().post(`/v1/invoices/${open.id}/pay`).set(bearer(key)).set('Idempotency-Key', k).send({ reference: 'wire-1', amountCents: open.totalCents });
      const { first, second } = await twice(send, 'pay-1');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(second.body, first.body, 'a replay, not 409 "already paid"');
      assert.equal(await count('payments', { invoice_id: open.id }), 1);
    });
  });
}
