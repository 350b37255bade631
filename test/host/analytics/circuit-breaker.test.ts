/**
 * The circuit breaker end to end, on every backend, with a low minimum and
 * thresholds in config: real executions over HTTP of a plugin that throws,
 * the check run by hand (no timers), and what follows a quarantine: 403
 * `version_quarantined`, the reviewers' list, the audit entry by the system
 * actor, events to the installing tenants only, reinstatement by approval.
 * Then exactly one quarantine when two hosts on one database check at once.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';
import {
  createInstaller,
  examplePackage,
  execute,
  hostilePackage,
  type Installer,
  installOk,
  pluginPath,
  type Publisher,
  publishApproved,
} from '../executions/execution-host.js';
import { usageRecord } from '../metering/usage-fixtures.js';
import { RecordingEvents } from '../../support/recording-events.js';

const HOSTILE = '@examples/hostile';
const SLUGIFY = '@examples/slugify';

/** Trip on ≥ 50% failures or ≥ 30% timeouts, judged from 5 executions. */
const BREAKER_ENV = {
  BAZAAR_CIRCUIT_BREAKER_MIN_EXECUTIONS: '5',
  BAZAAR_CIRCUIT_BREAKER_FAILURE_RATE: '0.5',
  BAZAAR_CIRCUIT_BREAKER_TIMEOUT_RATE: '0.3',
  BAZAAR_CIRCUIT_BREAKER_WINDOW_MS: '600000',
};

async function publisherOf(host: TestHost): Promise<Publisher> {
  const tenant = await createTenant(host, { slug: 'examples', tier: 'pro' });
  return { key: (await createKey(host, tenant.id, ['plugins:publish'])).key, tenantId: tenant.id };
}

/** `count` executions of `action` (status as expected). */
async function run(host: TestHost, who: Installer, installId: string, action: string, input: unknown, status: number, count = 1): Promise<void> {
  for (let i = 0; i < count; i += 1) await execute(host, who.key, installId, { action, input }).expect(status);
}

for (const backend of backends) {
  describe(`circuit breaker (${backend.name})`, () => {
    const database = useDatabase(backend, BREAKER_ENV);
    const events = new RecordingEvents();
    let host: TestHost;
    let alpha: Installer;
    let beta: Installer;
    let gamma: Installer;
    let alphaHostile: string;
    let betaHostile: string;
    let reviewerKey: string;
    const status = async (name: string, version = '1.0.0') =>
      (await host.http().get(pluginPath(name, 'versions', version)).set(bearer(host.adminKey))).body.status as string;

    before(async () => {
      host = await startTestHost(database.current, { events });
      const publisher = await publisherOf(host);
      await publishApproved(host, publisher, hostilePackage());
      await publishApproved(host, publisher, await examplePackage('slugify'));
      alpha = await createInstaller(host, 'alpha');
      beta = await createInstaller(host, 'beta');
      gamma = await createInstaller(host, 'gamma');
      alphaHostile = await installOk(host, alpha.key, { plugin: HOSTILE });
      betaHostile = await installOk(host, beta.key, { plugin: HOSTILE });
      await installOk(host, gamma.key, { plugin: SLUGIFY });
      const staff = await createTenant(host, { slug: 'staff' });
      reviewerKey = (await createKey(host, staff.id, ['reviews:write'])).key;
    });
    after(() => host.close());

    it('should not trip below the minimum number of executions', async () => {
      await run(host, alpha, alphaHostile, 'boom', {}, 422, 4);
      assert.deepEqual(await host.deps.analytics.breaker.checkOnce(), []);
      assert.equal(await status(HOSTILE), 'approved');
    });

    it('should not trip below the threshold, and not count invalid input against the plugin', async () => {
      await run(host, beta, betaHostile, 'echo', { n: 1 }, 200, 6); // 4 of 10 failed: 40%
      await run(host, beta, betaHostile, 'echo', { n: 'x' }, 422, 5); // the caller's fault: not counted
      assert.deepEqual(await host.deps.analytics.breaker.checkOnce(), []);
      assert.equal(await status(HOSTILE), 'approved');
      assert.deepEqual(events.of('plugin.version.quarantined'), []);
    });

    it('should quarantine a version whose failure rate crosses the threshold', async () => {
      await run(host, alpha, alphaHostile, 'boom', {}, 422, 4); // 8 of 14 failed: 57%
      const tripped = await host.deps.analytics.breaker.checkOnce();
      assert.deepEqual(tripped.map((t) => [t.pluginName, t.version, t.executions, t.failures, t.timeouts]), [[HOSTILE, '1.0.0', 14, 8, 0]]);
      assert.equal(await status(HOSTILE), 'quarantined');
      assert.equal(await status(SLUGIFY), 'approved');

      const audit = await host.http().get(`/v1/audit-log?plugin=${encodeURIComponent(HOSTILE)}`).set(bearer(reviewerKey));
      const entry = audit.body.items[0];
      assert.equal(entry.action, 'quarantine');
      assert.deepEqual(entry.actor, { type: 'system', keyId: null, tenantId: null });
      assert.deepEqual([entry.fromStatus, entry.toStatus], ['approved', 'quarantined']);
      assert.match(entry.notes, /8 of 14 executions failed/);
      assert.deepEqual(
        { executions: entry.data.circuitBreaker.executions, failures: entry.data.circuitBreaker.failures, failureRate: entry.data.circuitBreaker.failureRate },
        { executions: 14, failures: 8, failureRate: 0.5714 },
      );
    });

    it('should notify every tenant with an install of that version, and no other', async () => {
      assert.deepEqual(events.of('plugin.version.quarantined').map((e) => e.tenantId).sort(), [alpha.id, beta.id].sort());
      for (const e of events.of('plugin.version.quarantined')) {
        assert.equal(e.type, 'plugin.version.quarantined');
        assert.equal(e.data.plugin, HOSTILE);
        assert.equal(e.data.version, '1.0.0');
      }
    });

    it('should refuse further executions with 403 version_quarantined, recording nothing', async () => {
      const rows = async () => Number((await host.deps.db('usage_records').count({ n: '*' }).first())?.n);
      const before = await rows();
      const res = await execute(host, alpha.key, alphaHostile, { action: 'echo', input: { n: 1 } });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'version_quarantined');
      const byName = await host.http().post(pluginPath(HOSTILE, 'execute')).set(bearer(beta.key)).send({ action: 'echo', input: { n: 1 } });
      assert.equal(byName.status, 403);
      assert.equal(byName.body.error.code, 'version_quarantined');
      assert.equal(await rows(), before);
    });

    it('should show quarantined versions to reviewers (?status=quarantined), not in the pending queue', async () => {
      const quarantined = await host.http().get('/v1/reviews?status=quarantined').set(bearer(reviewerKey));
      assert.equal(quarantined.status, 200);
      assert.deepEqual(quarantined.body.items.map((i: { name: string; status: string }) => [i.name, i.status]), [[HOSTILE, 'quarantined']]);
      assert.match(quarantined.body.items[0].statusReason, /^circuit breaker: 8 of 14 executions failed/);
      const pending = await host.http().get('/v1/reviews').set(bearer(reviewerKey));
      assert.deepEqual(pending.body.items, []);
      assert.equal((await host.http().get('/v1/reviews?status=approved').set(bearer(reviewerKey))).status, 400);
      assert.equal((await host.http().get('/v1/reviews?status=quarantined').set(bearer(alpha.key))).status, 403);
    });

    it('should quarantine once: a second check finds nothing to do', async () => {
      assert.deepEqual(await host.deps.analytics.breaker.checkOnce(), []);
      assert.equal(events.of('plugin.version.quarantined').length, 2);
    });

    it('should let a reviewer reinstate it by approving, counting only later executions', async () => {
      const res = await host.http().post(pluginPath(HOSTILE, 'versions', '1.0.0', 'review')).set(bearer(reviewerKey)).send({ decision: 'approve', notes: 'fixed upstream dependency' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'approved');
      await run(host, alpha, alphaHostile, 'echo', { n: 2 }, 200);
      assert.deepEqual(await host.deps.analytics.breaker.checkOnce(), [], 'the failures before the reinstatement are forgiven');
      assert.equal(await status(HOSTILE), 'approved');
    });

    it('should trip on the timeout rate alone', async () => {
      // 3 of 10 timed out: 30% ≥ the timeout threshold, while 30% failures < 50%.
      const now = host.clock.now();
      const records = Array.from({ length: 10 }, (_, i) =>
        usageRecord({
          tenantId: gamma.id,
          pluginName: SLUGIFY,
          pluginVersion: '1.0.0',
          startedAt: new Date(now.getTime() - i * 1000),
          ...(i < 3 ? { status: 'failed' as const, errorCode: 'execution_timeout' } : {}),
        }),
      );
      await Promise.all(records.map((r) => host.deps.usage.record(r)));
      const tripped = await host.deps.analytics.breaker.checkOnce();
      assert.deepEqual(tripped.map((t) => [t.pluginName, t.timeoutRate, t.failureRate, t.tenants]), [[SLUGIFY, 0.3, 0.3, [gamma.id]]]);
      assert.equal(await status(SLUGIFY), 'quarantined');
    });

    it('should only look at the window', async () => {
      const res = await host.http().post(pluginPath(SLUGIFY, 'versions', '1.0.0', 'review')).set(bearer(reviewerKey)).send({ decision: 'approve', notes: 'ok' });
      assert.equal(res.status, 200);
      // Failures recorded after the reinstatement but started before the window: not judged.
      const old = new Date(host.clock.now().getTime() - 11 * 60_000);
      await Promise.all(
        Array.from({ length: 6 }, () =>
          host.deps.usage.record(usageRecord({ tenantId: gamma.id, pluginName: SLUGIFY, startedAt: old, status: 'failed', errorCode: 'plugin_error' })),
        ),
      );
      assert.deepEqual(await host.deps.analytics.breaker.checkOnce(), []);
    });
  });

  describe(`circuit breaker with two hosts on one database (${backend.name})`, () => {
    const database = useDatabase(backend, BREAKER_ENV);
    const eventsA = new RecordingEvents();
    const eventsB = new RecordingEvents();
    let hostA: TestHost;
    let hostB: TestHost;

    before(async () => {
      hostA = await startTestHost(database.current, { events: eventsA });
      hostB = await startTestHost(database.current, { db: await database.current.openAnother(), events: eventsB });
      const publisher = await publisherOf(hostA);
      await publishApproved(hostA, publisher, hostilePackage());
      const alpha = await createInstaller(hostA, 'alpha');
      const beta = await createInstaller(hostB, 'beta');
      const alphaInstall = await installOk(hostA, alpha.key, { plugin: HOSTILE });
      const betaInstall = await installOk(hostB, beta.key, { plugin: HOSTILE });
      await run(hostA, alpha, alphaInstall, 'boom', {}, 422, 3);
      await run(hostB, beta, betaInstall, 'boom', {}, 422, 3);
    });
    after(async () => {
      await hostA?.close();
      await hostB?.close();
    });

    it('should quarantine exactly once and notify each tenant once', async () => {
      const [a, b] = await Promise.all([hostA.deps.analytics.breaker.checkOnce(), hostB.deps.analytics.breaker.checkOnce()]);
      assert.equal(a.length + b.length, 1, 'one host wins');
      const audit = await hostA.deps.db('marketplace_audit_log').where({ plugin_name: HOSTILE, action: 'quarantine' });
      assert.equal(audit.length, 1);
      const notified = [...eventsA.of('plugin.version.quarantined'), ...eventsB.of('plugin.version.quarantined')];
      assert.equal(notified.length, 2);
      assert.equal(new Set(notified.map((e) => e.tenantId)).size, 2);
      assert.deepEqual(await Promise.all([hostA.deps.analytics.breaker.checkOnce(), hostB.deps.analytics.breaker.checkOnce()]), [[], []]);
    });
  });
}
