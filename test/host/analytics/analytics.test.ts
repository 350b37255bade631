/**
 * Hourly analytics on every backend: usage records at chosen times, rolled up
 * by the rollup pass (idempotent, and picking up late records), read back
 * through GET /v1/analytics/plugins/:name with counts and percentiles checked
 * against values computed here; who may read them; and the execution-history
 * trust figures unchanged by the switch to the aggregates.
 */
import assert from 'node:assert/strict';
import type { UsageRecord } from '../../../host/metering/usage-record.js';
import { KnexExecutionStats } from '../../../host/marketplace/marketplace-stats-queries.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { HELLO_SOURCE } from '../../support/tar-builder.js';
import { bearer, createKey, createTenant, FakeClock, startTestHost, type TestHost } from '../../support/test-host.js';
import { packageOf, publish } from '../executions/execution-host.js';
import { usageRecord } from '../metering/usage-fixtures.js';

const NOW = new Date('2032-06-10T12:20:00Z');
const WIDGET = '@pub/widget';
const H = (iso: string) => new Date(`2032-06-10T${iso}Z`);

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
function percentileCont(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

function close(actual: number, wanted: number, what: string): void {
  assert.ok(Math.abs(actual - wanted) < 0.0011, `${what}: ${actual} ≠ ${wanted}`);
}

for (const backend of backends) {
  describe(`plugin analytics (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let publisherKey: string;
    const recorded: UsageRecord[] = [];
    const record = async (overrides: Partial<UsageRecord>) => {
      const rec = usageRecord({ pluginName: WIDGET, ...overrides });
      recorded.push(rec);
      await host.deps.usage.record(rec);
    };
    const analytics = (key: string, query = '', name = WIDGET) =>
      host.http().get(`/v1/analytics/plugins/${encodeURIComponent(name)}${query}`).set(bearer(key));

    before(async () => {
      host = await startTestHost(database.current, { clock: new FakeClock(NOW) });
      const pub = await createTenant(host, { slug: 'pub', tier: 'pro' });
      publisherKey = (await createKey(host, pub.id, ['plugins:publish'])).key;
      for (const version of ['1.0.0', '1.1.0']) {
        await publish(host, { key: publisherKey, tenantId: pub.id }, packageOf({ name: WIDGET, version }, { 'index.js': HELLO_SOURCE }));
      }
      // 1.0.0: 10 executions in 10:00–11:00 (wall 1..10 ms, cpu 0.5..5), 3 failures; 4 in 11:00–12:00.
      for (let i = 1; i <= 10; i += 1) {
        const failure =
          i === 3 ? { status: 'failed' as const, errorCode: 'execution_timeout' } :
          i === 7 ? { status: 'failed' as const, errorCode: 'plugin_error' } :
          i === 9 ? { status: 'failed' as const, errorCode: 'invalid_input' } : {};
        await record({ pluginVersion: '1.0.0', startedAt: new Date(H('10:00:00').getTime() + i * 60_000), wallMs: i, cpuMs: i / 2, ...failure });
      }
      for (const wall of [4.25, 0.75, 12, 3]) {
        await record({ pluginVersion: '1.0.0', startedAt: H('11:30:00'), wallMs: wall, cpuMs: wall / 4 });
      }
      // 1.1.0: one in the current hour, one memory-limit failure.
      await record({ pluginVersion: '1.1.0', startedAt: H('12:05:00'), wallMs: 2, cpuMs: 1, status: 'failed', errorCode: 'memory_limit_exceeded' });
      // Another plugin's and an old one (outside the default 7 days): never in this series.
      await record({ pluginName: '@pub/other', pluginVersion: '1.0.0', startedAt: H('10:30:00') });
      await record({ pluginVersion: '1.0.0', startedAt: new Date('2032-05-01T10:00:00Z') });
    });
    after(() => host.close());

    it('should keep the trust figures equal to counting the whole ledger', async () => {
      const stats = new KnexExecutionStats(host.deps.db);
      const before = await stats.forVersion(WIDGET, '1.0.0');
      assert.deepEqual(before, { executions: 14, succeeded: 12, timeouts: 1, memoryLimitExceeded: 0, pluginErrors: 1 }, 'invalid_input left out');
      const pass = await host.deps.analytics.rollup.runOnce();
      assert.equal(pass?.from.toISOString(), '2032-05-01T10:00:00.000Z', 'a first pass starts at the earliest record');
      // Catching up a long gap takes several bounded passes.
      while ((await host.deps.analytics.repository.rolledBefore())!.getTime() < H('11:00:00').getTime()) {
        await host.deps.analytics.rollup.runOnce();
      }
      assert.equal((await host.deps.analytics.repository.rolledBefore())?.toISOString(), '2032-06-10T11:00:00.000Z');
      assert.deepEqual(await stats.forVersion(WIDGET, '1.0.0'), before, 'aggregates + the unrolled tail');
      assert.deepEqual(await stats.forVersion(WIDGET, '1.1.0'), { executions: 1, succeeded: 0, timeouts: 0, memoryLimitExceeded: 1, pluginErrors: 0 });
    });

    it('should answer hourly series per version, with percentiles as percentile_cont', async () => {
      const res = await analytics(publisherKey);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.plugin, WIDGET);
      assert.equal(res.body.to, '2032-06-10T13:00:00.000Z', 'up to the end of the current hour');
      assert.equal(res.body.from, '2032-06-03T13:00:00.000Z', 'the last 7 days by default');
      assert.deepEqual(res.body.versions.map((v: { version: string }) => v.version), ['1.0.0', '1.1.0']);
      const [v1, v2] = res.body.versions;
      assert.deepEqual(v1.series.map((h: { hour: string }) => h.hour), ['2032-06-10T10:00:00.000Z', '2032-06-10T11:00:00.000Z']);
      for (const hour of v1.series) {
        const rows = recorded.filter(
          (r) => r.pluginName === WIDGET && r.pluginVersion === '1.0.0' && r.startedAt.getTime() - Date.parse(hour.hour) >= 0 && r.startedAt.getTime() - Date.parse(hour.hour) < 3_600_000,
        );
        assert.equal(hour.executions, rows.length);
        assert.equal(hour.succeeded, rows.filter((r) => r.status === 'succeeded').length);
        assert.equal(hour.failed, rows.filter((r) => r.status === 'failed').length);
        assert.equal(hour.successRate, Math.round((hour.succeeded / rows.length) * 10_000) / 10_000);
        for (const [field, values] of [['wallMs', rows.map((r) => r.wallMs)], ['cpuMs', rows.map((r) => r.cpuMs)]] as const) {
          close(hour[field].p50, percentileCont(values, 0.5), `${hour.hour} ${field} p50`);
          close(hour[field].p95, percentileCont(values, 0.95), `${hour.hour} ${field} p95`);
          close(hour[field].total, values.reduce((a, b) => a + b, 0), `${hour.hour} ${field} total`);
        }
      }
      const ten = v1.series[0];
      assert.deepEqual([ten.timeouts, ten.pluginErrors, ten.invalidInputs, ten.memoryLimitExceeded], [1, 1, 1, 0]);
      assert.deepEqual(v2.series.map((h: { hour: string; memoryLimitExceeded: number }) => [h.hour, h.memoryLimitExceeded]), [['2032-06-10T12:00:00.000Z', 1]]);
    });

    it('should recompute recent hours idempotently and pick up late records', async () => {
      const first = (await analytics(publisherKey)).body;
      await host.deps.analytics.rollup.runOnce();
      assert.deepEqual((await analytics(publisherKey)).body, first, 'a second pass changes nothing');
      // Recorded now, for an hour that has ended: within the lookback, so the next pass includes it.
      await record({ pluginVersion: '1.0.0', startedAt: H('11:59:00'), wallMs: 40, cpuMs: 4 });
      await record({ pluginVersion: '1.1.0', startedAt: H('12:10:00'), wallMs: 8, cpuMs: 4 });
      // Two hosts' passes at once agree (the same upsert of the same figures).
      await Promise.all([host.deps.analytics.rollup.runOnce(), host.deps.analytics.rollup.runOnce()]);
      const [v1, v2] = (await analytics(publisherKey)).body.versions;
      assert.equal(v1.series[1].executions, 5);
      close(v1.series[1].wallMs.p95, percentileCont([4.25, 0.75, 12, 3, 40], 0.95), 'p95 with the late record');
      assert.equal(v2.series[0].executions, 2);
      close(v2.series[0].wallMs.p50, 5, 'p50 of 2 and 8');
    });

    it('should honour ?from=&to= and refuse bad ranges with 400', async () => {
      const res = await analytics(publisherKey, '?from=2032-06-10T11:00:00Z&to=2032-06-10T12:00:00Z');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.versions.map((v: { version: string; series: unknown[] }) => [v.version, v.series.length]), [['1.0.0', 1]]);
      const old = await analytics(publisherKey, '?from=2032-04-30&to=2032-05-02');
      assert.equal(old.body.versions[0].series[0].executions, 1);
      for (const q of ['?from=soon', '?from=2032-06-10&to=2032-06-09', '?from=2032-01-01&to=2032-06-01', '?to=2032-02-30']) {
        const bad = await analytics(publisherKey, q);
        assert.equal(bad.status, 400, q);
        assert.equal(bad.body.error.code, 'invalid_request', q);
      }
    });

    it('should let the publisher, reviewers and the operator read it, and no one else', async () => {
      const pub = (await host.http().get('/v1/tenants').set(bearer(host.adminKey))).body.items.find((t: { slug: string }) => t.slug === 'pub');
      const staff = await createTenant(host, { slug: 'staff' });
      const rival = await createTenant(host, { slug: 'rival' });
      const reviewer = (await createKey(host, staff.id, ['reviews:write'])).key;
      const rivalPublisher = (await createKey(host, rival.id, ['plugins:publish'])).key;
      const pubBilling = (await createKey(host, pub.id, ['billing:read', 'plugins:install'])).key;
      for (const key of [publisherKey, reviewer, host.adminKey]) assert.equal((await analytics(key)).status, 200);
      const rivalRes = await analytics(rivalPublisher);
      assert.equal(rivalRes.status, 404, 'another tenant: no existence oracle');
      assert.equal(rivalRes.body.error.code, 'not_found');
      const unknown = await analytics(host.adminKey, '', '@pub/nothing');
      assert.equal(unknown.status, 404);
      assert.deepEqual(rivalRes.body.error, { ...unknown.body.error, message: rivalRes.body.error.message });
      const scopeless = await analytics(pubBilling);
      assert.equal(scopeless.status, 403, 'the publisher tenant, but a key without plugins:publish');
      assert.equal(scopeless.body.error.code, 'forbidden');
      assert.equal((await host.http().get(`/v1/analytics/plugins/${encodeURIComponent(WIDGET)}`)).status, 401);
    });
  });
}
