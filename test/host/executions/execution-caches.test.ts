/**
 * The per-process caches of the execution path (host/caching): a warm
 * execution reads neither the key nor the install from the database, and
 * every change written through another host "process" on the same database
 * (yank, config change, suspension, uninstall) holds for the very next
 * execution, and a moved trust score within the caches' maximum age. Also
 * the usage ledger's exactly-once record under the retry, and idempotency
 * claims whose owner crashed (lease expired, clock advanced).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, useDatabase } from '../../support/database-backends.js';
import { startTestHost, type TestHost } from '../../support/test-host.js';
import { DEFAULT_MAX_AGE_MS } from '../../../host/foundation/generation-cache.js';
import { requestFingerprint } from '../../../host/metering/request-fingerprint.js';
import { KnexMarketplaceRepository } from '../../../host/marketplace/marketplace-repository.js';
import {
  type Installer,
  type Publisher,
  bearer,
  createInstaller,
  examplePackage,
  execute,
  installOk,
  pluginPath,
  publishApproved,
  putSettings,
  startExecutionHost,
  usageRows,
} from './execution-host.js';

const SLUGIFY = '@examples/slugify';
const INPUT = { input: { title: 'Cached Path' } };

for (const backend of backends) {
  describe(`execution caches and crash recovery (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let other: TestHost; // a second host process on the same database
    let publisher: Publisher;
    let tenant: Installer;
    let installId: string;

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      other = await startTestHost(database.current, { db: await database.current.openAnother() });
      await publishApproved(host, publisher, await examplePackage('slugify'));
    });

    beforeEach(async () => {
      tenant = await createInstaller(host, `t-${randomUUID().slice(0, 8)}`);
      installId = await installOk(host, tenant.key, { plugin: SLUGIFY, config: { separator: '_' } });
    });

    after(async () => {
      await other?.close();
      await host?.close();
    });

    it('should read neither the key nor the install from the database on a warm execution', async () => {
      await execute(host, tenant.key, installId, INPUT).expect(200);
      const statements: string[] = [];
      const onQuery = (q: { sql: string }): void => void statements.push(q.sql);
      host.deps.db.on('query', onQuery);
      try {
        for (let i = 0; i < 3; i++) await execute(host, tenant.key, installId, INPUT).expect(200);
      } finally {
        host.deps.db.off('query', onQuery);
      }
      assert.deepEqual(statements.filter((sql) => !/^insert into "usage_records"/.test(sql)), [], 'only usage records are written');
    });

    it('should hold a config change and an uninstall made on another host at the next execution', async () => {
      assert.equal((await execute(host, tenant.key, installId, INPUT).expect(200)).body.output.slug, 'cached_path');
      await other.http().patch(`/v1/installs/${installId}`).set(bearer(tenant.key)).send({ config: { separator: '.' } }).expect(200);
      assert.equal((await execute(host, tenant.key, installId, INPUT).expect(200)).body.output.slug, 'cached.path');
      await other.http().delete(`/v1/installs/${installId}`).set(bearer(tenant.key)).expect(204);
      assert.equal((await execute(host, tenant.key, installId, INPUT).expect(404)).body.error.code, 'not_found');
    });

    it('should hold a suspension and a settings change made on another host at the next request', async () => {
      await execute(host, tenant.key, installId, INPUT).expect(200);
      await other.http().put(`/v1/tenants/${tenant.id}/settings`).set(bearer(other.adminKey)).send({ minTrustScore: 100 }).expect(200);
      assert.equal((await execute(host, tenant.key, installId, INPUT).expect(403)).body.error.code, 'trust_policy');
      await other.http().post(`/v1/tenants/${tenant.id}/suspend`).set(bearer(other.adminKey)).expect(200);
      assert.equal((await execute(host, tenant.key, installId, INPUT).expect(403)).body.error.code, 'tenant_suspended');
      await other.http().post(`/v1/tenants/${tenant.id}/reactivate`).set(bearer(other.adminKey)).expect(200);
      await other.http().put(`/v1/tenants/${tenant.id}/settings`).set(bearer(other.adminKey)).send({ minTrustScore: 0 }).expect(200);
      await execute(host, tenant.key, installId, INPUT).expect(200);
    });

    it('should let a retry take over a claim whose owner crashed, once its lease expired', async () => {
      const key = `crash-${randomUUID()}`;
      const path = `/v1/installs/${installId}/executions`;
      // The crashed owner: claimed the key for an execution, then never finished.
      const begun = await host.deps.idempotency.begin(tenant.id, key, requestFingerprint('POST', path, INPUT), { executionId: randomUUID() });
      assert.equal(begun.state, 'new');
      const retry = () => execute(host, tenant.key, installId, INPUT).set('Idempotency-Key', key);
      assert.equal((await retry().expect(409)).body.error.code, 'conflict', 'still the owner’s while the lease runs');
      host.clock.advance(host.deps.config.maxExecutionTimeoutMs + 60_001);
      const taken = await retry().expect(200);
      assert.equal(taken.body.output.slug, 'cached_path');
      const replay = await retry().expect(200);
      assert.equal(replay.body.executionId, taken.body.executionId, 'then replayed as usual');
      assert.equal((await usageRows(host, tenant.id)).length, 1);
    });

    it('should answer 409 naming the execution when the crashed owner’s execution was recorded', async () => {
      const key = `ran-${randomUUID()}`;
      const path = `/v1/installs/${installId}/executions`;
      const first = await execute(host, tenant.key, installId, INPUT).expect(200);
      const ranId = first.body.executionId as string;
      // The owner ran `ranId` and its record is in the ledger, but it crashed before storing its answer.
      await host.deps.idempotency.begin(tenant.id, key, requestFingerprint('POST', path, INPUT), { executionId: ranId });
      host.clock.advance(host.deps.config.maxExecutionTimeoutMs + 60_001);
      const res = await execute(host, tenant.key, installId, INPUT).set('Idempotency-Key', key).expect(409);
      assert.equal(res.body.error.code, 'conflict');
      assert.deepEqual(res.body.error.details, { executionId: ranId });
      assert.equal((await usageRows(host, tenant.id)).length, 1, 'not run a second time');
    });

    it('should answer 503 for an execution whose record cannot be written, then record it exactly once', async () => {
      await execute(host, tenant.key, installId, INPUT).expect(200); // warm: key and install cached
      const { db } = host.deps;
      await db.raw('ALTER TABLE usage_records RENAME TO usage_records_away');
      let refused;
      try {
        refused = await execute(host, tenant.key, installId, INPUT).expect(503);
      } finally {
        await db.raw('ALTER TABLE usage_records_away RENAME TO usage_records');
      }
      assert.equal(refused.body.error.code, 'dependency_unavailable');
      assert.ok(host.deps.usage.retained >= 1, 'the record is kept for retry');
      for (let i = 0; i < 100 && host.deps.usage.retained > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(host.deps.usage.retained, 0);
      assert.equal((await usageRows(host, tenant.id)).length, 2, 'the first execution and the one answered 503');
    });

    it('should see a moved trust score within the install cache\'s maximum age, without invalidating every cache', async () => {
      await putSettings(host, tenant.id, { minTrustScore: 1 });
      await execute(host, tenant.key, installId, INPUT).expect(200); // warm: the install is cached with its score
      const report = await host.deps.marketplace.trust.recomputeTrust(SLUGIFY, '1.0.0');
      assert.ok(report.score >= 1, 'the example scores above the tenant minimum');
      let bumps = 0;
      const versions = new KnexMarketplaceRepository(other.deps.db, { bump: async () => void bumps++ });
      await versions.updateTrust(SLUGIFY, [{ version: '1.0.0', trust: { ...report, score: 0 } }]);
      try {
        assert.equal(bumps, 0, 'a score is not a status: no generation bump');
        await execute(host, tenant.key, installId, INPUT).expect(200); // within the staleness bound
        host.clock.advance(DEFAULT_MAX_AGE_MS + 1);
        assert.equal((await execute(host, tenant.key, installId, INPUT).expect(403)).body.error.code, 'trust_policy');
      } finally {
        await versions.updateTrust(SLUGIFY, [{ version: '1.0.0', trust: report }]);
      }
      host.clock.advance(DEFAULT_MAX_AGE_MS + 1);
      await execute(host, tenant.key, installId, INPUT).expect(200);
    });

    it('should hold a yank made on another host at the next execution', async () => {
      await execute(host, tenant.key, installId, INPUT).expect(200);
      // Last: the version stays yanked for this suite.
      await other.http().post(pluginPath(SLUGIFY, 'versions', '1.0.0', 'yank')).set(bearer(publisher.key)).send({ reason: 'test' }).expect(200);
      assert.equal((await execute(host, tenant.key, installId, INPUT).expect(403)).body.error.code, 'version_yanked');
    });
  });
}
