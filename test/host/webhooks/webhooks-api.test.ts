/**
 * The webhook subscriptions API on every backend, private networks NOT
 * allowed (the default): create (secret shown once), list with pagination,
 * delete, hostile bodies (400), private literal hosts refused at creation,
 * scopes, and other tenants' webhooks answering 404.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

for (const backend of backends) {
  describe(`webhooks API (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let alpha: string;
    let beta: string;
    let alphaTenant: string;

    before(async () => {
      host = await startTestHost(database.current);
      const a = await createTenant(host, { slug: 'wh-alpha' });
      const b = await createTenant(host, { slug: 'wh-beta' });
      alphaTenant = a.id;
      alpha = (await createKey(host, a.id, ['webhooks:write'])).key;
      beta = (await createKey(host, b.id, ['webhooks:write'])).key;
    });

    after(async () => {
      await host?.close();
    });

    const create = (key: string, body: unknown) => host.http().post('/v1/webhooks').set(bearer(key)).send(body as object);

    it('should create a webhook, show its secret once, and list it without', async () => {
      const res = await create(alpha, { url: 'https://hooks.example.com/bazaar', events: ['execution.failed', 'quota.threshold'] }).expect(201);
      assert.match(res.body.id, /^[0-9a-f-]{36}$/);
      assert.match(res.body.secret, /^whsec_[0-9a-f]{64}$/);
      assert.deepEqual(res.body.events, ['execution.failed', 'quota.threshold']);
      assert.equal(res.body.url, 'https://hooks.example.com/bazaar');
      const list = await host.http().get('/v1/webhooks').set(bearer(alpha)).expect(200);
      const mine = list.body.items.find((w: { id: string }) => w.id === res.body.id);
      assert.ok(mine);
      assert.equal(mine.secret, undefined);
      assert.equal(list.body.nextCursor, null);
      // The secret is stored: deliveries are signed with it.
      const row = await host.deps.db('webhooks').where({ id: res.body.id }).first('secret');
      assert.equal(row.secret, res.body.secret);
    });

    it('should paginate the list with limit and cursor', async () => {
      const b = await createTenant(host, { slug: 'wh-pages' });
      const key = (await createKey(host, b.id, ['webhooks:write'])).key;
      for (let i = 0; i < 3; i++) {
        host.clock.advance(1000); // creation order is time order
        await create(key, { url: `https://hooks.example.com/${i}`, events: ['install.upgraded'] }).expect(201);
      }
      const first = await host.http().get('/v1/webhooks?limit=2').set(bearer(key)).expect(200);
      assert.equal(first.body.items.length, 2);
      assert.ok(first.body.nextCursor);
      const second = await host.http().get(`/v1/webhooks?limit=2&cursor=${first.body.nextCursor}`).set(bearer(key)).expect(200);
      assert.equal(second.body.items.length, 1);
      assert.equal(second.body.nextCursor, null);
      assert.deepEqual(
        [...first.body.items, ...second.body.items].map((w: { url: string }) => w.url),
        ['https://hooks.example.com/0', 'https://hooks.example.com/1', 'https://hooks.example.com/2'],
      );
      await host.http().get('/v1/webhooks?limit=500').set(bearer(key)).expect(400);
    });

    it('should refuse hostile bodies with 400 invalid_request', async () => {
      const hostile: unknown[] = [
        {},
        { url: 'https://x.example' },
        { events: ['execution.failed'] },
        { url: 'not a url', events: ['execution.failed'] },
        { url: 'ftp://files.example.com/x', events: ['execution.failed'] },
        { url: 'javascript:alert(1)', events: ['execution.failed'] },
        { url: 'http://', events: ['execution.failed'] },
        { url: 'https://user:pass@hooks.example.com/', events: ['execution.failed'] },
        { url: `https://hooks.example.com/${'a'.repeat(3000)}`, events: ['execution.failed'] },
        { url: 'https://hooks.example.com/', events: [] },
        { url: 'https://hooks.example.com/', events: ['execution.exploded'] },
        { url: 'https://hooks.example.com/', events: ['execution.failed', 'execution.failed'] },
        { url: 'https://hooks.example.com/', events: Array.from({ length: 50_000 }, () => 'execution.failed') },
        { url: 'https://hooks.example.com/', events: 'execution.failed' },
        { url: 42, events: ['execution.failed'] },
        { url: 'https://hooks.example.com/', events: ['execution.failed'], secret: 'mine' },
        [],
      ];
      for (const body of hostile) {
        const res = await create(alpha, body);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 120));
        assert.equal(res.body.error.code, 'invalid_request');
      }
    });

    it('should refuse URLs whose literal host is private or loopback', async () => {
      for (const url of ['http://127.0.0.1:8080/h', 'http://[::1]/h', 'http://10.1.2.3/h', 'http://169.254.169.254/latest', 'http://[::ffff:127.0.0.1]/h', 'http://0.0.0.0/']) {
        const res = await create(alpha, { url, events: ['execution.failed'] });
        assert.equal(res.status, 400, url);
        assert.equal(res.body.error.code, 'invalid_request');
      }
      // A DNS name is judged when delivering (delivery tests), not here.
      await create(alpha, { url: 'http://localhost:9/h', events: ['execution.failed'] }).expect(201);
    });

    it('should need the webhooks:write scope', async () => {
      const other = (await createKey(host, alphaTenant, ['plugins:install'])).key;
      const res = await host.http().get('/v1/webhooks').set(bearer(other)).expect(403);
      assert.equal(res.body.error.code, 'forbidden');
      await host.http().get('/v1/webhooks').expect(401);
    });

    it("should answer 404 for another tenant's webhook and its deliveries", async () => {
      const res = await create(alpha, { url: 'https://hooks.example.com/private', events: ['install.upgraded'] }).expect(201);
      const id = res.body.id as string;
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: alphaTenant, data: { n: 1 } }]);
      const deliveries = await host.http().get(`/v1/webhooks/${id}/deliveries`).set(bearer(alpha)).expect(200);
      const deliveryId = deliveries.body.items[0].id as string;

      for (const req of [
        host.http().get(`/v1/webhooks/${id}/deliveries`),
        host.http().delete(`/v1/webhooks/${id}`),
        host.http().post(`/v1/webhooks/${id}/deliveries/${deliveryId}/redeliver`),
      ]) {
        const answer = await req.set(bearer(beta));
        assert.equal(answer.status, 404);
        assert.equal(answer.body.error.code, 'not_found');
      }
      const list = await host.http().get('/v1/webhooks').set(bearer(beta)).expect(200);
      assert.equal(list.body.items.some((w: { id: string }) => w.id === id), false);
      // A delivery id under another of the tenant's own webhooks is 404 too.
      const other = await create(alpha, { url: 'https://hooks.example.com/other', events: ['install.upgraded'] }).expect(201);
      await host.http().post(`/v1/webhooks/${other.body.id}/deliveries/${deliveryId}/redeliver`).set(bearer(alpha)).expect(404);
      await host.http().get('/v1/webhooks/not-a-uuid/deliveries').set(bearer(alpha)).expect(404);
    });

    it('should delete a webhook (204) and its pending deliveries with it', async () => {
      const res = await create(alpha, { url: 'https://hooks.example.com/gone', events: ['subscription.updated'] }).expect(201);
      await host.deps.events.publish([{ type: 'subscription.updated', tenantId: alphaTenant, data: {} }]);
      assert.equal(Number((await host.deps.db('webhook_deliveries').where({ webhook_id: res.body.id }).count({ n: '*' }))[0]!.n), 1);
      const del = await host.http().delete(`/v1/webhooks/${res.body.id}`).set(bearer(alpha));
      assert.equal(del.status, 204, JSON.stringify(del.body));
      await host.http().delete(`/v1/webhooks/${res.body.id}`).set(bearer(alpha)).expect(404);
      await host.http().get(`/v1/webhooks/${res.body.id}/deliveries`).set(bearer(alpha)).expect(404);
      assert.equal(Number((await host.deps.db('webhook_deliveries').where({ webhook_id: res.body.id }).count({ n: '*' }))[0]!.n), 0);
    });

    it('should fan an event out only to subscriptions of its tenant and type', async () => {
      const t = await createTenant(host, { slug: 'wh-fanout' });
      const key = (await createKey(host, t.id, ['webhooks:write'])).key;
      const a = await create(key, { url: 'https://hooks.example.com/a', events: ['invoice.finalized'] }).expect(201);
      const b = await create(key, { url: 'https://hooks.example.com/b', events: ['invoice.finalized', 'subscription.updated'] }).expect(201);
      const c = await create(key, { url: 'https://hooks.example.com/c', events: ['subscription.updated'] }).expect(201);
      await host.deps.events.publish([{ type: 'invoice.finalized', tenantId: t.id, data: { invoiceId: 'i1' } }]);
      const count = async (id: string) => (await host.http().get(`/v1/webhooks/${id}/deliveries`).set(bearer(key)).expect(200)).body.items.length as number;
      assert.deepEqual([await count(a.body.id), await count(b.body.id), await count(c.body.id)], [1, 1, 0]);
    });

    it('should roll the event back with the caller transaction', async () => {
      const t = await createTenant(host, { slug: 'wh-rollback' });
      const key = (await createKey(host, t.id, ['webhooks:write'])).key;
      const w = await create(key, { url: 'https://hooks.example.com/rb', events: ['invoice.finalized'] }).expect(201);
      await assert.rejects(
        host.deps.db.transaction(async (trx) => {
          await host.deps.events.publish([{ type: 'invoice.finalized', tenantId: t.id, data: {} }], trx);
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      await host.deps.db.transaction((trx) => host.deps.events.publish([{ type: 'invoice.finalized', tenantId: t.id, data: { kept: true } }], trx));
      const items = (await host.http().get(`/v1/webhooks/${w.body.id}/deliveries`).set(bearer(key)).expect(200)).body.items;
      assert.equal(items.length, 1);
    });
  });
}
