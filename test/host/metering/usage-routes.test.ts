/**
 * GET /v1/usage over HTTP, on every backend: totals by status, grouping by
 * day and by plugin, this month's quota, and bad query parameters. The host's
 * clock is fixed mid-month so "this month" is known; the tenants subscribed on
 * the 1st without a trial, so their quota period (the billing period) is this
 * calendar month.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, FakeClock, startTestHost, type TestHost } from '../../support/test-host.js';
import { usageRecord } from './usage-fixtures.js';

const NOW = new Date('2031-05-15T12:00:00Z');
const MAY = { period: '2031-05-01T00:00:00.000Z/2031-06-01T00:00:00.000Z', periodStart: '2031-05-01T00:00:00.000Z', periodEnd: '2031-06-01T00:00:00.000Z' };

for (const backend of backends) {
  describe(`usage routes (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let host: TestHost;
    let acme: { id: string };
    let acmeKey: string; // billing:read
    let bigcoKey: string; // billing:read, enterprise

    before(async () => {
      const clock = new FakeClock(new Date('2031-05-01T00:00:00Z'));
      host = await startTestHost(database.current, { clock });
      acme = await createTenant(host, { slug: 'acme', tier: 'pro' });
      const bigco = await createTenant(host, { slug: 'bigco', tier: 'enterprise' });
      clock.advance(NOW.getTime() - clock.now().getTime());
      acmeKey = (await createKey(host, acme.id, ['billing:read'])).key;
      bigcoKey = (await createKey(host, bigco.id, ['billing:read'])).key;
      const at = (iso: string) => ({ startedAt: new Date(iso) });
      const failed = { status: 'failed', errorCode: 'execution_timeout' } as const;
      const records = [
        usageRecord({ tenantId: acme.id, pluginName: '@acme/a', cpuMs: 0.1, wallMs: 1, ...at('2031-05-14T01:00:00Z') }),
        usageRecord({ tenantId: acme.id, pluginName: '@acme/a', cpuMs: 0.2, wallMs: 2, ...at('2031-05-14T23:59:59.999Z') }),
        usageRecord({ tenantId: acme.id, pluginName: '@acme/b', cpuMs: 50, wallMs: 60, ...failed, ...at('2031-05-14T12:00:00Z') }),
        usageRecord({ tenantId: acme.id, pluginName: '@acme/a', cpuMs: 1, wallMs: 3, ...at('2031-05-15T00:00:00Z') }),
        usageRecord({ tenantId: acme.id, pluginName: '@acme/a', cpuMs: 1, wallMs: 3, ...at('2031-05-15T11:00:00Z') }),
        // Last month: in a wider range, never in this month's quota.
        usageRecord({ tenantId: acme.id, pluginName: '@acme/a', cpuMs: 5, wallMs: 5, ...at('2031-04-30T23:59:59.999Z') }),
        // Another tenant's: never counted for acme.
        usageRecord({ tenantId: bigco.id, pluginName: '@acme/a', ...at('2031-05-14T01:00:00Z') }),
      ];
      await Promise.all(records.map((rec) => host.deps.usage.record(rec)));
    });
    after(() => host.close());

    const usage = (query: string, key = acmeKey) => host.http().get(`/v1/usage${query}`).set(bearer(key));

    it("should sum this month's executions by status, with the quota", async () => {
      const res = await usage('');
      assert.equal(res.status, 200);
      assert.equal(res.body.from, '2031-05-01T00:00:00.000Z');
      assert.equal(res.body.to, '2031-06-01T00:00:00.000Z');
      assert.equal(res.body.executions, 5);
      assert.deepEqual(res.body.byStatus, { succeeded: 4, failed: 1 });
      assert.deepEqual(res.body.byErrorCode, { execution_timeout: 1 });
      assert.equal(res.body.cpuMs, 52.3);
      assert.equal(res.body.wallMs, 69);
      assert.deepEqual(res.body.groups, []);
      const included = host.deps.config.tiers.pro.limits.executionsPerMonth as number;
      assert.deepEqual(res.body.quota, { ...MAY, included, used: 5, remaining: included - 5 });
    });

    it('should group by UTC day', async () => {
      const res = await usage('?groupBy=day');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.groups, [
        { day: '2031-05-14', executions: 3, cpuMs: 50.3, wallMs: 63, byStatus: { succeeded: 2, failed: 1 }, byErrorCode: { execution_timeout: 1 } },
        { day: '2031-05-15', executions: 2, cpuMs: 2, wallMs: 6, byStatus: { succeeded: 2, failed: 0 }, byErrorCode: {} },
      ]);
    });

    it('should group by plugin over an explicit range', async () => {
      const res = await usage('?groupBy=plugin&from=2031-04-01&to=2031-05-15T02:00:00%2B02:00');
      assert.equal(res.status, 200);
      assert.equal(res.body.to, '2031-05-15T00:00:00.000Z');
      assert.deepEqual(res.body.groups, [
        { plugin: '@acme/a', executions: 3, cpuMs: 5.3, wallMs: 8, byStatus: { succeeded: 3, failed: 0 }, byErrorCode: {} },
        { plugin: '@acme/b', executions: 1, cpuMs: 50, wallMs: 60, byStatus: { succeeded: 0, failed: 1 }, byErrorCode: { execution_timeout: 1 } },
      ]);
      assert.equal(res.body.quota.used, 5, 'the quota is always this month');
    });

    it("should take the included executions from the tenant's effective settings", async () => {
      const put = await host.http().put(`/v1/tenants/${acme.id}/settings`).set(bearer(host.adminKey)).send({ limits: { executionsPerMonth: 3 } });
      assert.equal(put.status, 200);
      assert.deepEqual((await usage('')).body.quota, { ...MAY, included: 3, used: 5, remaining: 0 });
      const unlimited = await usage('', bigcoKey);
      assert.deepEqual(unlimited.body.quota, { ...MAY, included: null, used: 1, remaining: null });
    });

    it('should answer 400 invalid_request for bad query parameters', async () => {
      for (const q of [
        '?groupBy=week',
        '?groupBy=day&groupBy=plugin',
        '?from=yesterday',
        '?from=2031-02-30',
        '?from=2031-05-01T00:00',
        '?from=2031-05-01T25:00:00Z',
        '?from=2031-05-10&to=2031-05-01',
        '?from=2031-05-10&to=2031-05-10',
        '?from=2029-01-01&to=2031-01-01',
        '?to=2031-05-02&to=2031-05-03',
      ]) {
        const res = await usage(q);
        assert.equal(res.status, 400, q);
        assert.equal(res.body.error.code, 'invalid_request');
      }
    });

    it('should answer 403 without billing:read and 401 without a key', async () => {
      const exec = (await createKey(host, acme.id, ['plugins:execute'])).key;
      const forbidden = await usage('', exec);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.error.code, 'forbidden');
      const anonymous = await host.http().get('/v1/usage');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.error.code, 'unauthorized');
    });
  });
}
