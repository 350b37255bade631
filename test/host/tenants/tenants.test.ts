/**
 * Tenants over HTTP (docs/http-api.md "Tenants and API keys"), on every
 * backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

for (const backend of backends) {
  describe(`tenant routes (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let acme: { id: string };
    let acmeKey: string; // plugins:install
    let acmeExecKey: string; // plugins:execute only
    let globex: { id: string };

    before(async () => {
      host = await startTestHost(database.current);
      acme = await createTenant(host, { slug: 'acme', tier: 'pro' });
      globex = await createTenant(host, { slug: 'globex' });
      acmeKey = (await createKey(host, acme.id, ['plugins:install'])).key;
      acmeExecKey = (await createKey(host, acme.id, ['plugins:execute'])).key;
    });
    after(() => host.close());

    const admin = () => bearer(host.adminKey);

    describe('POST /v1/tenants', () => {
      it('should create an active free tenant and answer 201 with the contract fields', async () => {
        const res = await host
          .http()
          .post('/v1/tenants')
          .set(admin())
          .send({ name: 'Initech', slug: 'initech', ownerEmail: 'bill@initech.example' });
        assert.equal(res.status, 201);
        assert.match(res.body.id, /^[0-9a-f-]{36}$/);
        assert.equal(res.body.name, 'Initech');
        assert.equal(res.body.slug, 'initech');
        assert.equal(res.body.ownerEmail, 'bill@initech.example');
        assert.equal(res.body.tier, 'free');
        assert.equal(res.body.status, 'active');
        assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
      });

      it('should answer 409 conflict for a taken slug', async () => {
        const res = await host.http().post('/v1/tenants').set(admin()).send({ name: 'A', slug: 'acme', ownerEmail: 'a@b.co' });
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'conflict');
      });

      it('should answer 400 invalid_request for invalid fields', async () => {
        const valid = { name: 'Valid', slug: 'valid-slug', ownerEmail: 'a@b.co' };
        for (const body of [
          { ...valid, slug: 'Upper' },
          { ...valid, slug: '-leading' },
          { ...valid, slug: 'a' },
          { ...valid, slug: 'x'.repeat(40) },
          { ...valid, slug: 'has space' },
          { ...valid, ownerEmail: 'not-an-email' },
          { ...valid, tier: 'platinum' },
          { ...valid, name: '' },
          { ...valid, name: '   ' },
          { ...valid, extra: true },
          { name: 'x', slug: 'missing-email' },
        ]) {
          const res = await host.http().post('/v1/tenants').set(admin()).send(body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.error.code, 'invalid_request');
          assert.ok(Array.isArray(res.body.error.details));
        }
      });

      it('should answer 401 without a key and 403 forbidden for a tenant key', async () => {
        const body = { name: 'x', slug: 'nope', ownerEmail: 'a@b.co' };
        const anonymous = await host.http().post('/v1/tenants').send(body);
        assert.equal(anonymous.status, 401);
        assert.equal(anonymous.body.error.code, 'unauthorized');
        const tenant = await host.http().post('/v1/tenants').set(bearer(acmeKey)).send(body);
        assert.equal(tenant.status, 403);
        assert.equal(tenant.body.error.code, 'forbidden');
      });
    });

    describe('GET /v1/tenants', () => {
      it('should page with limit and an opaque cursor', async () => {
        const first = await host.http().get('/v1/tenants?limit=2').set(admin());
        assert.equal(first.status, 200);
        assert.equal(first.body.items.length, 2);
        assert.equal(typeof first.body.nextCursor, 'string');
        const ids: string[] = first.body.items.map((t: { id: string }) => t.id);
        let cursor: string | null = first.body.nextCursor;
        while (cursor !== null) {
          const res = await host.http().get('/v1/tenants').query({ limit: 2, cursor }).set(admin());
          assert.equal(res.status, 200);
          ids.push(...res.body.items.map((t: { id: string }) => t.id));
          cursor = res.body.nextCursor;
        }
        assert.equal(new Set(ids).size, ids.length);
        assert.ok(ids.includes(acme.id) && ids.includes(globex.id));
        const all = await host.http().get('/v1/tenants').set(admin());
        assert.equal(all.body.items.length, ids.length);
        assert.equal(all.body.nextCursor, null);
      });

      it('should answer 400 invalid_request for bad limits and cursors', async () => {
        for (const q of ['limit=0', 'limit=201', 'limit=abc', 'limit=1&limit=2', 'limit=-1', 'cursor=!!', 'cursor=e30', 'cursor=WyJ4IiwieSJd']) {
          const res = await host.http().get(`/v1/tenants?${q}`).set(admin());
          assert.equal(res.status, 400, q);
          assert.equal(res.body.error.code, 'invalid_request');
        }
      });

      it('should answer 403 forbidden for a tenant key', async () => {
        const res = await host.http().get('/v1/tenants').set(bearer(acmeKey));
        assert.equal(res.status, 403);
        assert.equal(res.body.error.code, 'forbidden');
      });
    });

    describe('GET /v1/tenants/:id', () => {
      it('should answer the operator and the tenant itself', async () => {
        for (const key of [host.adminKey, acmeKey, acmeExecKey]) {
          const res = await host.http().get(`/v1/tenants/${acme.id}`).set(bearer(key));
          assert.equal(res.status, 200);
          assert.equal(res.body.slug, 'acme');
          assert.equal(res.body.tier, 'pro');
        }
      });

      it("should answer 404 for another tenant's, unknown and malformed ids", async () => {
        for (const [key, id] of [
          [acmeKey, globex.id],
          [host.adminKey, randomUUID()],
          [host.adminKey, 'not-a-uuid'],
        ] as const) {
          const res = await host.http().get(`/v1/tenants/${id}`).set(bearer(key));
          assert.equal(res.status, 404, id);
          assert.equal(res.body.error.code, 'not_found');
        }
      });
    });

    describe('PATCH /v1/tenants/:id', () => {
      it('should update name and ownerEmail', async () => {
        const res = await host.http().patch(`/v1/tenants/${globex.id}`).set(admin()).send({ name: 'Globex Corp', ownerEmail: 'hank@globex.example' });
        assert.equal(res.status, 200);
        assert.equal(res.body.name, 'Globex Corp');
        assert.equal(res.body.ownerEmail, 'hank@globex.example');
      });

      it('should answer 400 for an empty or invalid patch, 403 for a tenant key, 404 for an unknown id', async () => {
        const cases = [
          [admin(), globex.id, {}, 400, 'invalid_request'],
          [admin(), globex.id, { slug: 'renamed' }, 400, 'invalid_request'],
          [admin(), globex.id, { ownerEmail: 7 }, 400, 'invalid_request'],
          [bearer(acmeKey), acme.id, { name: 'Mine' }, 403, 'forbidden'],
          [admin(), randomUUID(), { name: 'Ghost' }, 404, 'not_found'],
        ] as const;
        for (const [auth, id, body, status, code] of cases) {
          const res = await host.http().patch(`/v1/tenants/${id}`).set(auth).send(body);
          assert.equal(res.status, status, JSON.stringify(body));
          assert.equal(res.body.error.code, code);
        }
      });
    });

    describe('settings', () => {
      it("should answer the tier's limits when nothing is overridden", async () => {
        const res = await host.http().get(`/v1/tenants/${acme.id}/settings`).set(bearer(acmeKey));
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.limits, host.deps.config.tiers.pro.limits);
        assert.deepEqual(res.body.features, {});
        assert.equal(res.body.minTrustScore, null);
        assert.equal(res.body.allowedPlugins, null);
      });

      it('should let the operator override limits and answer the merged values', async () => {
        const res = await host.http().put(`/v1/tenants/${acme.id}/settings`).set(admin()).send({ limits: { cpuMs: 123, maxInstalls: null } });
        assert.equal(res.status, 200);
        assert.equal(res.body.limits.cpuMs, 123);
        assert.equal(res.body.limits.maxInstalls, null);
        assert.equal(res.body.limits.requestsPerMinute, host.deps.config.tiers.pro.limits.requestsPerMinute);
        assert.deepEqual(res.body.limitOverrides, { cpuMs: 123, maxInstalls: null });
      });

      it('should let a tenant set its own policy, but not limits (403 forbidden)', async () => {
        const own = await host
          .http()
          .put(`/v1/tenants/${acme.id}/settings`)
          .set(bearer(acmeKey))
          .send({ features: { beta: true }, minTrustScore: 70, allowedPlugins: ['@acme/slugify'] });
        assert.equal(own.status, 200);
        assert.deepEqual(own.body.features, { beta: true });
        assert.equal(own.body.minTrustScore, 70);
        assert.deepEqual(own.body.allowedPlugins, ['@acme/slugify']);
        assert.equal(own.body.limits.cpuMs, 123, 'operator overrides are kept');
        const limits = await host.http().put(`/v1/tenants/${acme.id}/settings`).set(bearer(acmeKey)).send({ limits: { cpuMs: 9999 } });
        assert.equal(limits.status, 403);
        assert.equal(limits.body.error.code, 'forbidden');
        const noScope = await host.http().put(`/v1/tenants/${acme.id}/settings`).set(bearer(acmeExecKey)).send({ minTrustScore: 1 });
        assert.equal(noScope.status, 403);
        assert.equal(noScope.body.error.code, 'forbidden');
      });

      it("should answer 404 for another tenant's settings and 400 for invalid ones", async () => {
        const other = await host.http().get(`/v1/tenants/${globex.id}/settings`).set(bearer(acmeKey));
        assert.equal(other.status, 404);
        assert.equal(other.body.error.code, 'not_found');
        const otherPut = await host.http().put(`/v1/tenants/${globex.id}/settings`).set(bearer(acmeKey)).send({ minTrustScore: 1 });
        assert.equal(otherPut.status, 404);
        for (const body of [{ minTrustScore: 101 }, { limits: { cpuMs: 'fast' } }, { limits: { unknown: 1 } }, { allowedPlugins: ['slugify'] }, { features: { x: { y: 1 } } }]) {
          const res = await host.http().put(`/v1/tenants/${acme.id}/settings`).set(admin()).send(body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.error.code, 'invalid_request');
        }
      });
    });

    describe('suspend and reactivate', () => {
      it("should make the tenant's keys answer 403 tenant_suspended, then work again", async () => {
        const suspended = await host.http().post(`/v1/tenants/${acme.id}/suspend`).set(admin());
        assert.equal(suspended.status, 200);
        assert.equal(suspended.body.status, 'suspended');
        const refused = await host.http().get(`/v1/tenants/${acme.id}`).set(bearer(acmeKey));
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error.code, 'tenant_suspended');
        const again = await host.http().post(`/v1/tenants/${acme.id}/suspend`).set(admin());
        assert.equal(again.body.status, 'suspended');
        const reactivated = await host.http().post(`/v1/tenants/${acme.id}/reactivate`).set(admin());
        assert.equal(reactivated.status, 200);
        assert.equal(reactivated.body.status, 'active');
        const ok = await host.http().get(`/v1/tenants/${acme.id}`).set(bearer(acmeKey));
        assert.equal(ok.status, 200);
      });

      it('should refuse to suspend the operator (409), and answer 403/404 as usual', async () => {
        const operator = await host.http().get('/v1/tenants').set(admin());
        const op = operator.body.items.find((t: { slug: string }) => t.slug === 'operator');
        const res = await host.http().post(`/v1/tenants/${op.id}/suspend`).set(admin());
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'conflict');
        const tenant = await host.http().post(`/v1/tenants/${acme.id}/suspend`).set(bearer(acmeKey));
        assert.equal(tenant.status, 403);
        assert.equal(tenant.body.error.code, 'forbidden');
        const unknown = await host.http().post(`/v1/tenants/${randomUUID()}/reactivate`).set(admin());
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.error.code, 'not_found');
      });
    });
  });
}
