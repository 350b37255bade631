/**
 * API keys over HTTP (docs/http-api.md "Tenants and API keys"), on every
 * backend, including the multi-process guarantees: a revocation is seen at once
 * by another host process on the same database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

const HOUR = 3_600_000;

for (const backend of backends) {
  describe(`api key routes (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let other: TestHost; // a second host process on the same database
    let acme: { id: string };
    let globex: { id: string };

    before(async () => {
      host = await startTestHost(database.current);
      other = await startTestHost(database.current, { db: await database.current.openAnother() });
      acme = await createTenant(host, { slug: 'acme' });
      globex = await createTenant(host, { slug: 'globex' });
    });
    after(async () => {
      await other.close();
      await host.close();
    });

    const admin = () => bearer(host.adminKey);
    const whoAmI = (h: TestHost, key: string) => h.http().get(`/v1/tenants/${acme.id}`).set(bearer(key));

    describe('POST /v1/tenants/:id/api-keys', () => {
      it('should answer 201 with the key once, and the key should work', async () => {
        const res = await host
          .http()
          .post(`/v1/tenants/${acme.id}/api-keys`)
          .set(admin())
          .send({ name: 'ci', scopes: ['plugins:install', 'plugins:execute'] });
        assert.equal(res.status, 201);
        assert.match(res.body.key, /^bzr_[0-9a-f]{32}$/);
        assert.match(res.body.id, /^[0-9a-f-]{36}$/);
        assert.equal(res.body.prefix, res.body.key.slice(0, res.body.prefix.length));
        assert.ok(res.body.prefix.length < res.body.key.length);
        assert.deepEqual(res.body.scopes, ['plugins:install', 'plugins:execute']);
        assert.equal(res.body.expiresAt, null);
        assert.equal((await whoAmI(host, res.body.key)).status, 200);
      });

      it('should store only the SHA-256 of the key', async () => {
        const { key } = await createKey(host, acme.id, ['billing:read']);
        const rows = await database.current.db('api_keys').select('key_hash', 'prefix');
        assert.ok(rows.every((r: { key_hash: string }) => /^[0-9a-f]{64}$/.test(r.key_hash) && !r.key_hash.includes(key)));
        assert.ok(!JSON.stringify(rows).includes(key));
      });

      it('should answer 400 invalid_request for bad scopes, names and expiry', async () => {
        for (const body of [
          { name: 'x', scopes: [] },
          { name: 'x', scopes: ['root'] },
          { name: 'x', scopes: ['admin'] }, // admin is the operator's only
          { name: 'x', scopes: ['billing:read', 'billing:read'] },
          { name: '', scopes: ['billing:read'] },
          { scopes: ['billing:read'] },
          { name: 'x', scopes: 'billing:read' },
          { name: 'x', scopes: ['billing:read'], expiresAt: 'tomorrow' },
          { name: 'x', scopes: ['billing:read'], expiresAt: new Date(host.clock.now().getTime() - HOUR).toISOString() },
        ]) {
          const res = await host.http().post(`/v1/tenants/${acme.id}/api-keys`).set(admin()).send(body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.error.code, 'invalid_request');
        }
      });

      it('should answer 404 for an unknown tenant and 403 forbidden for a tenant key', async () => {
        const unknown = await host.http().post(`/v1/tenants/${randomUUID()}/api-keys`).set(admin()).send({ name: 'x', scopes: ['billing:read'] });
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.error.code, 'not_found');
        const { key } = await createKey(host, acme.id, ['plugins:install']);
        const tenant = await host.http().post(`/v1/tenants/${acme.id}/api-keys`).set(bearer(key)).send({ name: 'x', scopes: ['billing:read'] });
        assert.equal(tenant.status, 403);
        assert.equal(tenant.body.error.code, 'forbidden');
      });
    });

    describe('GET /v1/tenants/:id/api-keys', () => {
      it('should list keys without secrets, with lastUsedAt', async () => {
        const { id, key } = await createKey(host, globex.id, ['plugins:execute'], { name: 'listed' });
        assert.equal((await host.http().get(`/v1/tenants/${globex.id}`).set(bearer(key))).status, 200);
        const res = await host.http().get(`/v1/tenants/${globex.id}/api-keys`).set(admin());
        assert.equal(res.status, 200);
        assert.equal(res.body.nextCursor, null);
        const listed = res.body.items.find((k: { id: string }) => k.id === id);
        assert.equal(listed.name, 'listed');
        assert.ok(listed.lastUsedAt, 'this process has seen the use');
        assert.equal(listed.key, undefined);
        assert.equal(listed.keyHash, undefined);
        assert.ok(!res.text.includes(key));
      });

      it('should persist lastUsedAt on flush, for every process to see', async () => {
        const { id, key } = await createKey(host, globex.id, ['plugins:execute']);
        await host.http().get(`/v1/tenants/${globex.id}`).set(bearer(key));
        assert.equal((await host.deps.repositories.apiKeys.findById(id))?.lastUsedAt, null, 'no write per request');
        await host.deps.lastUsed.flush();
        const res = await other.http().get(`/v1/tenants/${globex.id}/api-keys`).set(admin());
        const listed = res.body.items.find((k: { id: string }) => k.id === id);
        assert.equal(listed.lastUsedAt, host.clock.now().toISOString());
      });

      it('should answer 403 for a tenant key, 404 for an unknown tenant and 400 for a bad limit', async () => {
        const { key } = await createKey(host, globex.id, ['plugins:install']);
        const tenant = await host.http().get(`/v1/tenants/${globex.id}/api-keys`).set(bearer(key));
        assert.equal(tenant.status, 403);
        assert.equal(tenant.body.error.code, 'forbidden');
        const unknown = await host.http().get(`/v1/tenants/${randomUUID()}/api-keys`).set(admin());
        assert.equal(unknown.status, 404);
        const bad = await host.http().get(`/v1/tenants/${globex.id}/api-keys?limit=500`).set(admin());
        assert.equal(bad.status, 400);
        assert.equal(bad.body.error.code, 'invalid_request');
      });
    });

    describe('DELETE /v1/api-keys/:id', () => {
      it('should stop the key at once, on this and on another host process', async () => {
        const { id, key } = await createKey(host, acme.id, ['plugins:install']);
        assert.equal((await whoAmI(host, key)).status, 200);
        assert.equal((await whoAmI(other, key)).status, 200);
        const res = await host.http().delete(`/v1/api-keys/${id}`).set(admin());
        assert.equal(res.status, 204);
        for (const h of [host, other]) {
          const refused = await whoAmI(h, key);
          assert.equal(refused.status, 401);
          assert.equal(refused.body.error.code, 'unauthorized');
        }
        const listed = (await host.http().get(`/v1/tenants/${acme.id}/api-keys`).set(admin())).body.items.find(
          (k: { id: string }) => k.id === id,
        );
        assert.ok(listed.revokedAt);
        assert.equal((await host.http().delete(`/v1/api-keys/${id}`).set(admin())).status, 204, 'idempotent');
      });

      it('should answer 404 for unknown or malformed ids and 403 for a tenant key', async () => {
        for (const id of [randomUUID(), 'nope']) {
          const res = await host.http().delete(`/v1/api-keys/${id}`).set(admin());
          assert.equal(res.status, 404);
          assert.equal(res.body.error.code, 'not_found');
        }
        const { id, key } = await createKey(host, acme.id, ['plugins:install']);
        const res = await host.http().delete(`/v1/api-keys/${id}`).set(bearer(key));
        assert.equal(res.status, 403);
        assert.equal(res.body.error.code, 'forbidden');
      });
    });

    describe('authentication', () => {
      it('should refuse an expired key with 401', async () => {
        const expiresAt = new Date(host.clock.now().getTime() + HOUR).toISOString();
        const { key } = await createKey(host, acme.id, ['plugins:install'], { expiresAt });
        assert.equal((await whoAmI(host, key)).status, 200);
        host.clock.advance(2 * HOUR);
        const res = await whoAmI(host, key);
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'unauthorized');
      });

      it('should refuse unknown and malformed keys with 401', async () => {
        for (const key of ['bzr_' + 'f'.repeat(32), 'bzr_' + 'F'.repeat(32), 'sk_live_123', host.adminKey + '0']) {
          const res = await whoAmI(host, key);
          assert.equal(res.status, 401, key);
          assert.equal(res.body.error.code, 'unauthorized');
        }
      });

      it("should refuse a suspended tenant's keys with 403 tenant_suspended on every process", async () => {
        const { key } = await createKey(host, globex.id, ['plugins:install']);
        await host.http().post(`/v1/tenants/${globex.id}/suspend`).set(admin()).expect(200);
        for (const h of [host, other]) {
          const res = await h.http().get(`/v1/tenants/${globex.id}`).set(bearer(key));
          assert.equal(res.status, 403);
          assert.equal(res.body.error.code, 'tenant_suspended');
        }
        await other.http().post(`/v1/tenants/${globex.id}/reactivate`).set(admin()).expect(200);
        assert.equal((await host.http().get(`/v1/tenants/${globex.id}`).set(bearer(key))).status, 200);
      });
    });
  });
}
