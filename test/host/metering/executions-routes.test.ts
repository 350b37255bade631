/**
 * GET /v1/executions and GET /v1/executions/:id over HTTP, on every backend.
 * Executions are seeded through the host's own usage recorder.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';
import { usageRecord } from './usage-fixtures.js';

interface ExecutionJson {
  executionId: string;
  installId: string;
  status: string;
  error: { code: string } | null;
}

for (const backend of backends) {
  describe(`execution routes (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let readKey: string; // billing:read
    const installA = randomUUID();
    const installB = randomUUID();
    const acmeIds: string[] = []; // newest first
    let globexExecution: string;

    before(async () => {
      host = await startTestHost(database.current);
      const acme = await createTenant(host, { slug: 'acme', tier: 'pro' });
      const globex = await createTenant(host, { slug: 'globex', tier: 'pro' });
      readKey = (await createKey(host, acme.id, ['billing:read'])).key;
      const start = Date.parse('2031-03-01T00:00:00Z');
      const records = Array.from({ length: 7 }, (_, i) =>
        usageRecord({
          tenantId: acme.id,
          installId: i < 5 ? installA : installB,
          status: i % 3 === 0 ? 'failed' : 'succeeded',
          errorCode: i % 3 === 0 ? 'plugin_error' : null,
          // Two executions share a start time: the id breaks the tie.
          startedAt: new Date(start + Math.min(i, 5) * 1000),
        }),
      );
      const other = usageRecord({ tenantId: globex.id, installId: installA });
      await Promise.all([...records, other].map((rec) => host.deps.usage.record(rec)));
      acmeIds.push(...records.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.executionId < b.executionId ? 1 : -1)).map((r) => r.executionId));
      globexExecution = other.executionId;
    });
    after(() => host.close());

    const list = (query: string, key = readKey) => host.http().get(`/v1/executions${query}`).set(bearer(key));

    it('should list the tenant’s executions newest first, with the record’s fields', async () => {
      const res = await list('');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items.map((e: ExecutionJson) => e.executionId), acmeIds);
      assert.equal(res.body.nextCursor, null);
      const failed = res.body.items.find((e: ExecutionJson) => e.status === 'failed');
      assert.deepEqual(failed.error, { code: 'plugin_error' });
      assert.equal(failed.plugin, '@acme/slugify');
      assert.deepEqual(failed.usage, { cpuMs: 1.25, wallMs: 2.5, memoryBytes: 1_048_576, inputBytes: 12, outputBytes: 34 });
      assert.ok(!Number.isNaN(Date.parse(failed.startedAt)) && !Number.isNaN(Date.parse(failed.finishedAt)));
    });

    it('should filter by install and status', async () => {
      const byInstall = await list(`?install=${installB}`);
      assert.deepEqual(byInstall.body.items.map((e: ExecutionJson) => e.installId), [installB, installB]);
      const failed = await list('?status=failed');
      assert.equal(failed.body.items.length, 3);
      assert.ok(failed.body.items.every((e: ExecutionJson) => e.status === 'failed'));
      const both = await list(`?status=failed&install=${installB}`);
      assert.equal(both.body.items.length, 1);
    });

    it('should page with limit and cursor without skipping or repeating', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await host.http().get('/v1/executions').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(bearer(readKey));
        assert.equal(res.status, 200);
        assert.ok(res.body.items.length <= 2);
        seen.push(...res.body.items.map((e: ExecutionJson) => e.executionId));
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, acmeIds);
    });

    it('should answer one execution, and 404 for another tenant’s, unknown or malformed ids', async () => {
      const res = await host.http().get(`/v1/executions/${acmeIds[0]}`).set(bearer(readKey));
      assert.equal(res.status, 200);
      assert.equal(res.body.executionId, acmeIds[0]);
      for (const id of [globexExecution, randomUUID(), 'not%20an%20id']) {
        const missing = await host.http().get(`/v1/executions/${id}`).set(bearer(readKey));
        assert.equal(missing.status, 404, id);
        assert.equal(missing.body.error.code, 'not_found');
      }
    });

    it('should accept plugins:execute and plugins:install keys, 403 other scopes, 401 without a key', async () => {
      const acme = (await host.http().get('/v1/tenants').set(bearer(host.adminKey))).body.items.find((t: { slug: string }) => t.slug === 'acme');
      for (const scope of ['plugins:execute', 'plugins:install']) {
        const key = (await createKey(host, acme.id, [scope])).key;
        assert.equal((await list('?limit=1', key)).status, 200, scope);
      }
      const webhooks = (await createKey(host, acme.id, ['webhooks:write'])).key;
      const forbidden = await list('', webhooks);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.error.code, 'forbidden');
      for (const path of ['/v1/executions', `/v1/executions/${acmeIds[0]}`]) {
        const anonymous = await host.http().get(path);
        assert.equal(anonymous.status, 401);
        assert.equal(anonymous.body.error.code, 'unauthorized');
      }
    });

    it('should answer 400 invalid_request for bad filters, limits and cursors', async () => {
      for (const q of ['?status=running', '?install=nope', `?install=${installA}&install=${installB}`, '?limit=0', '?cursor=!!', '?cursor=WyJ4IiwieSJd']) {
        const res = await list(q);
        assert.equal(res.status, 400, q);
        assert.equal(res.body.error.code, 'invalid_request');
      }
    });
  });
}
