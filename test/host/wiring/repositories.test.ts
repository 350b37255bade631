/**
 * Storage contract: the same assertions on every configured backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { hashApiKey } from '../../../host/tenants/api-key-secret.js';
import { decodeCursor } from '../../../host/foundation/pagination.js';
import { ApiKeyRepository } from '../../../host/tenants/api-key-repository.js';
import { migrateLatest } from '../../../host/foundation/database/database.js';
import { TenantRepository } from '../../../host/tenants/tenant-repository.js';
import type { NewTenant } from '../../../host/tenants/ports.js';
import { isBazaarError } from '../../../manifests/errors.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { InProcessCacheGeneration } from '../../../host/foundation/cache-generation.js';

const at = (iso: string) => new Date(iso);

function newTenant(slug: string, createdAt = new Date()): NewTenant {
  return { id: randomUUID(), name: slug, slug, ownerEmail: `${slug}@example.com`, tier: 'pro', status: 'active', createdAt };
}

for (const backend of backends) {
  describe(`storage contract (${backend.name})`, () => {
    const database = useDatabase(backend);
    let tenants: TenantRepository;
    let apiKeys: ApiKeyRepository;

    before(() => {
      tenants = new TenantRepository(database.current.db, new InProcessCacheGeneration());
      apiKeys = new ApiKeyRepository(database.current.db, new InProcessCacheGeneration());
    });

    describe('migrations', () => {
      it('should be idempotent', async () => {
        await migrateLatest(database.current.db, database.current.db.client.config.searchPath?.[0]);
        assert.ok(await database.current.db.schema.hasTable('tenants'));
        assert.ok(await database.current.db.schema.hasTable('api_keys'));
      });
    });

    describe('TenantRepository', () => {
      it('should insert and find a tenant by id and slug, with millisecond timestamps', async () => {
        const created = await tenants.insert(newTenant('repo-one', at('2030-01-01T00:00:00.123Z')));
        assert.equal(created.createdAt.toISOString(), '2030-01-01T00:00:00.123Z');
        assert.deepEqual(created.settings, {});
        assert.deepEqual(await tenants.findById(created.id), created);
        assert.deepEqual(await tenants.findBySlug('repo-one'), created);
        assert.equal(await tenants.findById(randomUUID()), null);
      });

      it('should refuse a taken slug with conflict', async () => {
        await assert.rejects(tenants.insert(newTenant('repo-one')), (e: unknown) => isBazaarError(e) && e.code === 'conflict');
      });

      it('should insertIfAbsent idempotently', async () => {
        const first = await tenants.insertIfAbsent(newTenant('repo-idem'));
        const second = await tenants.insertIfAbsent(newTenant('repo-idem'));
        assert.equal(second.id, first.id);
      });

      it('should update fields and store settings as JSON (arrays included)', async () => {
        const t = await tenants.insert(newTenant('repo-upd'));
        const now = at('2031-01-01T00:00:00.000Z');
        const settings = { limits: { cpuMs: 10, maxInstalls: null }, allowedPlugins: ['@a/b'], features: { x: true } };
        const updated = await tenants.update(t.id, { name: 'New', status: 'suspended', settings }, now);
        assert.equal(updated?.name, 'New');
        assert.equal(updated?.status, 'suspended');
        assert.deepEqual(updated?.settings, settings);
        assert.equal(updated?.updatedAt.toISOString(), now.toISOString());
        assert.equal(await tenants.update(randomUUID(), { name: 'x' }, now), null);
      });

      it('should page through tenants with keyset cursors, without gaps or repeats', async () => {
        // Same created_at for several rows: the id breaks the tie.
        const same = at('2029-06-01T00:00:00.000Z');
        for (let i = 0; i < 5; i++) await tenants.insert(newTenant(`page-${i}`, same));
        const seen: string[] = [];
        let after = null;
        for (;;) {
          const page = await tenants.list({ limit: 2, after });
          seen.push(...page.items.map((t) => t.id));
          if (page.nextCursor === null) break;
          after = decodeCursor(page.nextCursor);
        }
        const all = await database.current.db('tenants').count<{ count: string }[]>({ count: '*' });
        assert.equal(seen.length, Number(all[0]?.count));
        assert.equal(new Set(seen).size, seen.length);
      });

      it('should refuse a cursor Postgres could not parse with invalid_request', async () => {
        await assert.rejects(
          tenants.list({ limit: 2, after: ['not a time', 'not a uuid'] }),
          (e: unknown) => isBazaarError(e) && e.code === 'invalid_request',
        );
      });
    });

    describe('ApiKeyRepository', () => {
      let tenantId: string;
      before(async () => {
        tenantId = (await tenants.insert(newTenant('keys-tenant'))).id;
      });

      const newKey = (hash: string, scopes: ('admin' | 'plugins:install')[] = ['plugins:install']) => ({
        id: randomUUID(),
        tenantId,
        name: 'k',
        prefix: 'bzr_12345678',
        keyHash: hash,
        scopes,
        expiresAt: null,
        createdAt: new Date(),
      });

      it('should find a credential by hash with its tenant', async () => {
        const hash = hashApiKey('bzr_11111111111111111111111111111111');
        const key = await apiKeys.insert(newKey(hash));
        const found = await apiKeys.findCredential(hash);
        assert.equal(found?.key.id, key.id);
        assert.deepEqual(found?.key.scopes, ['plugins:install']);
        assert.equal(found?.keyHash, hash);
        assert.equal(found?.tenant.id, tenantId);
        assert.equal(found?.tenant.slug, 'keys-tenant');
        assert.equal(await apiKeys.findCredential(hashApiKey('bzr_00000000000000000000000000000000')), null);
      });

      it('should keep key hashes unique and insertIfAbsent idempotent', async () => {
        const hash = hashApiKey('bzr_22222222222222222222222222222222');
        assert.equal(await apiKeys.insertIfAbsent(newKey(hash)), true);
        assert.equal(await apiKeys.insertIfAbsent(newKey(hash)), false);
        await assert.rejects(apiKeys.insert(newKey(hash)));
      });

      it('should revoke once, keeping the first revocation time', async () => {
        const key = await apiKeys.insert(newKey(hashApiKey('bzr_33333333333333333333333333333333')));
        const first = await apiKeys.revoke(key.id, at('2030-01-01T00:00:00.000Z'));
        const second = await apiKeys.revoke(key.id, at('2030-02-01T00:00:00.000Z'));
        assert.equal(first?.revokedAt?.toISOString(), '2030-01-01T00:00:00.000Z');
        assert.equal(second?.revokedAt?.toISOString(), '2030-01-01T00:00:00.000Z');
        assert.equal(await apiKeys.revoke(randomUUID(), new Date()), null);
      });

      it('should count usable keys by scope', async () => {
        const now = new Date();
        const before = await apiKeys.countUsable(tenantId, 'admin', now);
        await apiKeys.insert(newKey(hashApiKey('bzr_44444444444444444444444444444444'), ['admin']));
        assert.equal(await apiKeys.countUsable(tenantId, 'admin', now), before + 1);
      });

      it('should record last use in a batch, never moving it backwards', async () => {
        const a = await apiKeys.insert(newKey(hashApiKey('bzr_55555555555555555555555555555555')));
        const b = await apiKeys.insert(newKey(hashApiKey('bzr_66666666666666666666666666666666')));
        const t1 = at('2030-01-01T00:00:00.000Z');
        const t0 = at('2029-01-01T00:00:00.000Z');
        await apiKeys.recordLastUsed(new Map([[a.id, t1], [b.id, t1]]));
        await apiKeys.recordLastUsed(new Map([[a.id, t0]]));
        assert.equal((await apiKeys.findById(a.id))?.lastUsedAt?.toISOString(), t1.toISOString());
        assert.equal((await apiKeys.findById(b.id))?.lastUsedAt?.toISOString(), t1.toISOString());
        await apiKeys.recordLastUsed(new Map());
      });

      it('should list a tenant’s keys with pagination', async () => {
        const first = await apiKeys.listByTenant(tenantId, { limit: 2, after: null });
        assert.equal(first.items.length, 2);
        assert.ok(first.nextCursor);
        const rest = await apiKeys.listByTenant(tenantId, { limit: 200, after: decodeCursor(first.nextCursor) });
        const ids = [...first.items, ...rest.items].map((k) => k.id);
        assert.equal(new Set(ids).size, ids.length);
        assert.ok(ids.length >= 6);
      });
    });
  });
}
