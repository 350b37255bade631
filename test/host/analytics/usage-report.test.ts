/**
 * GET /v1/usage against an independent count, on every backend: records at
 * chosen times for two tenants, summed here in the test by day and by plugin,
 * must equal what the API answers; another tenant's records never show.
 */
import assert from 'node:assert/strict';
import type { UsageRecord } from '../../../host/metering/usage-record.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, FakeClock, startTestHost, type TestHost } from '../../support/test-host.js';
import { usageRecord } from '../metering/usage-fixtures.js';

const NOW = new Date('2032-03-20T15:30:00Z');
const PLUGINS = ['@acme/a', '@acme/b', '@other/c'];
const CODES = ['plugin_error', 'execution_timeout', 'memory_limit_exceeded', 'invalid_input'];

interface Numbers {
  executions: number;
  cpuMs: number;
  wallMs: number;
  byStatus: { succeeded: number; failed: number };
  byErrorCode: Record<string, number>;
}

/** A deterministic pseudo-random sequence (so a failure reproduces). */
function sequence(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** `count` records of `tenantId` spread over 2032-03-01..20, with fractional times. */
function records(tenantId: string, count: number, seed: number): UsageRecord[] {
  const random = sequence(seed);
  return Array.from({ length: count }, () => {
    const startedAt = new Date(Date.UTC(2032, 2, 1) + Math.floor(random() * 19.5 * 86_400_000));
    const failed = random() < 0.3;
    return usageRecord({
      tenantId,
      pluginName: PLUGINS[Math.floor(random() * PLUGINS.length)]!,
      startedAt,
      cpuMs: Math.round(random() * 100_000) / 1000,
      wallMs: Math.round(random() * 200_000) / 1000,
      ...(failed ? { status: 'failed' as const, errorCode: CODES[Math.floor(random() * CODES.length)]! } : {}),
    });
  });
}

/** The expected report figures, summed here from the records themselves. */
function expected(rows: readonly UsageRecord[], from: Date, to: Date, keyOf: ((r: UsageRecord) => string) | null) {
  const groups = new Map<string, Numbers>();
  const total = empty();
  for (const r of rows) {
    if (r.startedAt < from || r.startedAt >= to) continue;
    const targets = [total];
    if (keyOf !== null) {
      const key = keyOf(r);
      if (!groups.has(key)) groups.set(key, empty());
      targets.push(groups.get(key)!);
    }
    for (const t of targets) {
      t.executions += 1;
      t.cpuMs += r.cpuMs;
      t.wallMs += r.wallMs;
      t.byStatus[r.status] += 1;
      if (r.errorCode !== null) t.byErrorCode[r.errorCode] = (t.byErrorCode[r.errorCode] ?? 0) + 1;
    }
  }
  const sorted = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { total: rounded(total), groups: sorted.map(([key, n]) => ({ key, ...rounded(n) })) };
}

function empty(): Numbers {
  return { executions: 0, cpuMs: 0, wallMs: 0, byStatus: { succeeded: 0, failed: 0 }, byErrorCode: {} };
}

function rounded(n: Numbers): Numbers {
  return { ...n, cpuMs: Math.round(n.cpuMs * 1000) / 1000, wallMs: Math.round(n.wallMs * 1000) / 1000 };
}

const day = (r: UsageRecord) => r.startedAt.toISOString().slice(0, 10);
const plugin = (r: UsageRecord) => r.pluginName;

for (const backend of backends) {
  describe(`usage report against an independent sum (${backend.name})`, () => {
    // Subscribed on the 1st without a trial: the quota period (the billing period) is this calendar month.
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let host: TestHost;
    let acmeKey: string;
    let otherKey: string;
    let acmeRows: UsageRecord[];
    let otherRows: UsageRecord[];

    before(async () => {
      const clock = new FakeClock(new Date('2032-03-01T00:00:00Z'));
      host = await startTestHost(database.current, { clock });
      const acme = await createTenant(host, { slug: 'acme', tier: 'team' });
      const other = await createTenant(host, { slug: 'other', tier: 'team' });
      clock.advance(NOW.getTime() - clock.now().getTime());
      acmeKey = (await createKey(host, acme.id, ['billing:read'])).key;
      otherKey = (await createKey(host, other.id, ['billing:read'])).key;
      acmeRows = records(acme.id, 120, 7);
      otherRows = records(other.id, 80, 11);
      await Promise.all([...acmeRows, ...otherRows].map((r) => host.deps.usage.record(r)));
    });
    after(() => host.close());

    const usage = async (query: string, key = acmeKey) => {
      const res = await host.http().get(`/v1/usage${query}`).set(bearer(key));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const pick = (b: Numbers) => ({ executions: b.executions, cpuMs: b.cpuMs, wallMs: b.wallMs, byStatus: b.byStatus, byErrorCode: b.byErrorCode });

    it('should equal the records summed by UTC day', async () => {
      const from = new Date('2032-03-03T00:00:00Z');
      const to = new Date('2032-03-17T12:00:00Z');
      const body = await usage(`?groupBy=day&from=2032-03-03&to=${encodeURIComponent(to.toISOString())}`);
      const want = expected(acmeRows, from, to, day);
      assert.deepEqual(pick(body), want.total);
      assert.deepEqual(body.groups, want.groups.map(({ key, ...n }) => ({ day: key, ...n })));
    });

    it('should equal the records summed by plugin (this month by default)', async () => {
      const body = await usage('?groupBy=plugin');
      const want = expected(acmeRows, new Date('2032-03-01T00:00:00Z'), new Date('2032-04-01T00:00:00Z'), plugin);
      assert.equal(want.total.executions, acmeRows.length, 'every record is in this month');
      assert.deepEqual(pick(body), want.total);
      assert.deepEqual(body.groups, want.groups.map(({ key, ...n }) => ({ plugin: key, ...n })));
    });

    it("should count only the caller's tenant", async () => {
      const body = await usage('?groupBy=plugin', otherKey);
      const want = expected(otherRows, new Date('2032-03-01T00:00:00Z'), new Date('2032-04-01T00:00:00Z'), plugin);
      assert.deepEqual(pick(body), want.total);
      assert.equal(body.quota.used, otherRows.length);
      assert.equal((await usage('')).quota.used, acmeRows.length);
    });

    it('should answer 400 invalid_request for a bad range or grouping', async () => {
      for (const q of ['?groupBy=hour', '?groupBy=', '?from=2032-03-05&to=2032-03-05', '?from=2031-01-01&to=2032-03-01', '?to=not-a-date']) {
        const res = await host.http().get(`/v1/usage${q}`).set(bearer(acmeKey));
        assert.equal(res.status, 400, q);
        assert.equal(res.body.error.code, 'invalid_request', q);
      }
    });
  });
}
