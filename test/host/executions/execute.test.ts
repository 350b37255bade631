/**
 * The execution path on every backend, through the HTTP API with real
 * isolates: an approved example end to end, every refusal before the sandbox
 * (not an execution: nothing counted or recorded), hostile code published
 * through the API (an execution: 422, metered, recorded) with the host and
 * another tenant unaffected, idempotent replay, and the usage ledger matching
 * the executions one for one.
 */
import assert from 'node:assert/strict';
import { newLeaseToken } from '../../../host/limits/lease-token.js';
import { quotaPeriodFor } from '../../../host/foundation/quota-period.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import {
  type Installer,
  type Publisher,
  bearer,
  createInstaller,
  examplePackage,
  execute,
  hostilePackage,
  installOk,
  packageOf,
  pluginPath,
  publishApproved,
  putSettings,
  startExecutionHost,
  usageRows,
} from './execution-host.js';

const SLUGIFY = '@examples/slugify';
const HOSTILE = '@examples/hostile';

for (const backend of backends) {
  describe(`execute (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let publisher: Publisher;
    let alpha: Installer;
    let beta: Installer;
    let alphaSlugify: string;
    let alphaHostile: string;
    let betaSlugify: string;
    /** Every executionId alpha was answered with (200 or 422). */
    const alphaExecutions = new Set<string>();
    const run = async (installId: string, body: Record<string, unknown>, status: number, key = alpha.key) => {
      const res = await execute(host, key, installId, body).expect(status);
      if (key === alpha.key && typeof res.body.executionId === 'string') alphaExecutions.add(res.body.executionId);
      return res;
    };

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('slugify'));
      await publishApproved(host, publisher, hostilePackage());
      alpha = await createInstaller(host, 'alpha');
      beta = await createInstaller(host, 'beta');
      alphaSlugify = await installOk(host, alpha.key, { plugin: SLUGIFY, config: { separator: '_' } });
      alphaHostile = await installOk(host, alpha.key, { plugin: HOSTILE });
      betaSlugify = await installOk(host, beta.key, { plugin: SLUGIFY });
    });

    after(async () => {
      await host?.close();
    });

    it('should run an approved example end to end and answer the contract', async () => {
      const res = await run(alphaSlugify, { input: { title: 'Crème Brûlée — 10 Tips!' } }, 200);
      assert.deepEqual(Object.keys(res.body).sort(), ['executionId', 'logs', 'output', 'status', 'usage']);
      assert.equal(res.body.status, 'succeeded');
      assert.deepEqual(res.body.output, { slug: 'creme_brulee_10_tips' });
      assert.ok(res.body.logs.length > 0);
      assert.deepEqual(Object.keys(res.body.usage).sort(), ['cpuMs', 'memoryBytes', 'wallMs']);
    });

    it('should run the tenant install of a plugin by name', async () => {
      const res = await host.http().post(pluginPath(SLUGIFY, 'execute')).set(bearer(beta.key)).send({ action: 'slugify', input: { title: 'By Name' } }).expect(200);
      assert.equal(res.body.output.slug, 'by-name');
      const missing = await host.http().post(pluginPath(HOSTILE, 'execute')).set(bearer(beta.key)).send({ input: {} }).expect(404);
      assert.equal(missing.body.error.code, 'not_found');
    });

    it('should answer invalid_input as an execution (422, recorded)', async () => {
      const res = await run(alphaSlugify, { input: { headline: 'x' } }, 422);
      assert.equal(res.body.error.code, 'invalid_input');
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'executionId', 'logs', 'requestId', 'usage']);
      const row = (await usageRows(host, alpha.id)).find((r) => r.execution_id === res.body.executionId);
      assert.equal(row?.error_code, 'invalid_input');
    });

    it('should refuse an unknown action with 400 and record nothing', async () => {
      const before = (await usageRows(host, alpha.id)).length;
      const res = await run(alphaSlugify, { action: 'nope', input: {} }, 400);
      assert.equal(res.body.error.code, 'invalid_request');
      assert.equal((await usageRows(host, alpha.id)).length, before);
    });

    it('should contain hostile code: timeout, plugin error, invalid output', async () => {
      const spin = await run(alphaHostile, { action: 'spin', input: {} }, 422);
      assert.equal(spin.body.error.code, 'execution_timeout');
      assert.equal(spin.body.error.stack, undefined, 'only a thrown error has a stack');
      const boom = await run(alphaHostile, { action: 'boom', input: {} }, 422);
      assert.equal(boom.body.error.code, 'plugin_error');
      // Where it threw, in the package's own terms: nothing of the host's files or Node's.
      assert.equal(boom.body.error.stack, '    at boom (index.js:3:32)');
      assert.doesNotMatch(JSON.stringify(boom.body), /\/work\/|node:|plugin:|bazaar:/);
      assert.equal((await run(alphaHostile, { action: 'wrong', input: {} }, 422)).body.error.code, 'invalid_output');
    });

    it('should keep the host and other tenants working after hostile executions', async () => {
      assert.deepEqual((await run(alphaHostile, { input: { n: 7 } }, 200)).body.output, { ok: true, n: 7 });
      const other = await execute(host, beta.key, betaSlugify, { input: { title: 'Still Fine' } }).expect(200);
      assert.equal(other.body.output.slug, 'still-fine');
      await host.http().get('/healthz').expect(200);
    });

    it('should replay an Idempotency-Key without a second execution', async () => {
      const send = (body: object) => execute(host, alpha.key, alphaSlugify, body as Record<string, unknown>).set('Idempotency-Key', 'exec-once');
      const first = await send({ input: { title: 'Once' } }).expect(200);
      alphaExecutions.add(first.body.executionId);
      const rows = (await usageRows(host, alpha.id)).length;
      assert.equal(first.headers['idempotent-replayed'], undefined, 'the first answer ran now');
      const again = await send({ input: { title: 'Once' } }).expect(200);
      assert.equal(again.body.executionId, first.body.executionId);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal((await usageRows(host, alpha.id)).length, rows);
      const other = await send({ input: { title: 'Other' } }).expect(409);
      assert.equal(other.body.error.code, 'conflict');
    });

    it('should refuse a suspended tenant with 403 tenant_suspended', async () => {
      await host.http().post(`/v1/tenants/${beta.id}/suspend`).set(bearer(host.adminKey)).expect(200);
      const res = await execute(host, beta.key, betaSlugify, { input: { title: 'x' } }).expect(403);
      assert.equal(res.body.error.code, 'tenant_suspended');
      await host.http().post(`/v1/tenants/${beta.id}/reactivate`).set(bearer(host.adminKey)).expect(200);
    });

    it('should refuse by trust policy (tenant minimum, allow-list) with 403 trust_policy', async () => {
      const before = (await usageRows(host, alpha.id)).length;
      await putSettings(host, alpha.id, { minTrustScore: 100 });
      assert.equal((await run(alphaSlugify, { input: { title: 'x' } }, 403)).body.error.code, 'trust_policy');
      await putSettings(host, alpha.id, { minTrustScore: null, allowedPlugins: [HOSTILE] });
      assert.equal((await run(alphaSlugify, { input: { title: 'x' } }, 403)).body.error.code, 'trust_policy');
      await putSettings(host, alpha.id, { allowedPlugins: null });
      assert.equal((await usageRows(host, alpha.id)).length, before);
    });

    it('should refuse a yanked version with 403 version_yanked', async () => {
      const doomed = await publishApproved(host, publisher, packageOf({ name: '@examples/doomed' }, { 'index.js': 'export const hello = () => ({});\n' }));
      const id = await installOk(host, beta.key, { plugin: doomed.name });
      await execute(host, beta.key, id, { input: {} }).expect(200);
      await host.http().post(pluginPath(doomed.name, 'versions', '1.0.0', 'yank')).set(bearer(publisher.key)).send({ reason: 'broken' }).expect(200);
      assert.equal((await execute(host, beta.key, id, { input: {} }).expect(403)).body.error.code, 'version_yanked');
    });

    it('should stop at the free tier edge with 402 quota_exceeded, refusals not counted', async () => {
      const free = await createInstaller(host, 'frugal', 'free', { executionsPerMonth: 3 });
      const id = await installOk(host, free.key, { plugin: SLUGIFY });
      await putSettings(host, free.id, { minTrustScore: 100 });
      await execute(host, free.key, id, { input: { title: 'x' } }).expect(403); // released: not an execution
      await putSettings(host, free.id, { minTrustScore: null });
      await execute(host, free.key, id, { input: { title: 'one' } }).expect(200);
      await execute(host, free.key, id, { input: { nope: 1 } }).expect(422); // invalid_input counts
      await execute(host, free.key, id, { input: { title: 'three' } }).expect(200);
      const res = await execute(host, free.key, id, { input: { title: 'four' } }).expect(402);
      assert.equal(res.body.error.code, 'quota_exceeded');
      assert.equal((await usageRows(host, free.id)).length, 3);
    });

    it('should refuse over the concurrency cap with 429 concurrency_limited and give the quota back', async () => {
      const solo = await createInstaller(host, 'solo', 'pro', { maxConcurrentExecutions: 1 });
      const id = await installOk(host, solo.key, { plugin: SLUGIFY });
      // The quota counts the tenant's billing period (here: its trial).
      const sub = await host.deps.billing.subscriptions.get(solo.id);
      const period = quotaPeriodFor({ anchor: sub.billingAnchor, periodStart: sub.currentPeriodStart }, host.clock.now());
      // Another execution of this tenant holds the only slot (taken directly: deterministic, no timing).
      const held = await host.deps.limits.concurrency.acquire(solo.id, 1, 60_000);
      assert.ok(held.acquired);
      const res = await execute(host, solo.key, id, { input: { title: 'x' } }).expect(429);
      assert.equal(res.body.error.code, 'concurrency_limited');
      assert.equal(await host.deps.limits.quota.used(solo.id, period), 0);
      await host.deps.limits.concurrency.release(held.token);
      await execute(host, solo.key, id, { input: { title: 'x' } }).expect(200);
      assert.equal(await host.deps.limits.quota.used(solo.id, period), 1);
    });

    it('should report the CPU budget on executions and refuse with 429 rate_limited once it is spent', async () => {
      const spender = await createInstaller(host, 'spender', 'pro');
      const id = await installOk(host, spender.key, { plugin: SLUGIFY });
      const sub = await host.deps.billing.subscriptions.get(spender.id);
      const period = quotaPeriodFor({ anchor: sub.billingAnchor, periodStart: sub.currentPeriodStart }, host.clock.now());
      const ok = await execute(host, spender.key, id, { input: { title: 'cheap' } }).expect(200);
      assert.equal(ok.headers['x-cpubudget-limit'], '30000', 'the pro tier: 30 s of CPU per minute');
      assert.ok(Number(ok.headers['x-cpubudget-remaining']) < 30_000 && Number(ok.headers['x-cpubudget-remaining']) > 29_000);
      // Another host's executions spent the rest of the minute (charged as they would be: on finish).
      await host.deps.limits.admission.finish(newLeaseToken(spender.id), { tenantId: spender.id, cpuMs: 30_000, cpuBudgetMs: 30_000 });
      const refused = await execute(host, spender.key, id, { input: { title: 'too much' } }).expect(429);
      assert.equal(refused.body.error.code, 'rate_limited');
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.equal(refused.headers['x-cpubudget-limit'], '30000');
      assert.equal(refused.headers['x-cpubudget-remaining'], '0');
      assert.equal(await host.deps.limits.quota.used(spender.id, period), 1, 'the refusal is not an execution');
      assert.equal((await usageRows(host, spender.id)).length, 1);
      // Another tenant is unaffected.
      await run(alphaSlugify, { input: { title: 'still fine' } }, 200);
    });

    it('should record usage one for one with the executions answered', async () => {
      const rows = await usageRows(host, alpha.id);
      assert.deepEqual(new Set(rows.map((r) => r.execution_id)), alphaExecutions);
      const listed = await host.http().get('/v1/executions?limit=200').set(bearer(alpha.key)).expect(200);
      assert.equal(listed.body.items.length, alphaExecutions.size);
    });

    it('should feed execution history into the trust score', async () => {
      await host.deps.marketplace.trust.recomputeTrust(HOSTILE, '1.0.0');
      const version = await host.http().get(pluginPath(HOSTILE, 'versions', '1.0.0')).set(bearer(alpha.key)).expect(200);
      const evidence = JSON.stringify(version.body.trust.evidence);
      assert.ok(evidence.includes('observed-executions'), evidence);
    });
  });
}
