/**
 * Shadow runs over real HTTP and real isolates, on every backend: PATCH with
 * `shadow` refused with stable codes and nothing stored; every execution
 * compared at sampleRate 1 (the runner drained with `idle()`, never a
 * sleep); identical and differing outputs counted with both outputs kept;
 * a candidate's host call beyond the grant refused and reported; candidate
 * kv writes kept out of the real kv; hostile candidates (a loop, a memory
 * bomb) failing on their side only, with the tenant's answers, usage and
 * quota unchanged; a config the candidate refuses; DELETE stopping it; the
 * report surviving a host rebuilt on the same database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rolloutBucket } from '../../../host/executions/rollout-split.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';
import { createInstaller, execute, type Installer, installOk, packageOf, type Publisher, publish, publishApproved } from '../executions/execution-host.js';

const PLUGIN = '@examples/shadowy';
const IO = { input: { type: 'object', required: ['x'], properties: { x: { type: 'integer' } } }, output: { type: 'object' } };

/** A version of the plugin: `body` is the action's body (input, ctx in scope). */
function version(v: string, body: string, extra: Record<string, unknown> = {}): Buffer {
  return packageOf({ name: PLUGIN, version: v, actions: { run: IO }, defaultAction: 'run', ...extra }, { 'index.js': `export async function run(input, ctx) { ${body} }\n` });
}

const DOUBLE = 'return { y: input.x * 2 };';

for (const backend of backends) {
  describe(`shadow runs (${backend.name})`, function () {
    this.timeout(180_000);
    const database = useDatabase(backend);
    let host: TestHost;
    let publisher: Publisher;
    let tenant: Installer;
    let billingKey: string;
    let installId: string;
    const path = () => `/v1/installs/${installId}`;
    const patch = (body: unknown) => host.http().patch(path()).set(bearer(tenant.key)).send(body as object);
    const report = () => host.http().get(`${path()}/shadow`).set(bearer(tenant.key));
    const shadowOn = async (v: string, sampleRate = 1) => {
      const res = await patch({ shadow: { version: v, sampleRate } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    /** n executions, each answered right; then wait until the shadow runs are done. */
    const runAll = async (xs: number[]) => {
      for (const x of xs) {
        const res = await execute(host, tenant.key, installId, { input: { x } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.output, { y: x * 2 }, 'the answer is the installed version\'s');
      }
      await host.deps.shadowRunner.idle();
    };
    const usage = async () => (await host.http().get('/v1/usage').set(bearer(billingKey)).expect(200)).body;
    const ledger = async () => Number(((await host.deps.db('usage_records').where({ tenant_id: tenant.id }).count({ n: '*' }))[0] as { n: string | number }).n);

    before(async () => {
      host = await startTestHost(database.current);
      const owner = await createTenant(host, { slug: 'examples', tier: 'pro' });
      publisher = { key: (await createKey(host, owner.id, ['plugins:publish'])).key, tenantId: owner.id };
      await publishApproved(host, publisher, version('1.0.0', `await ctx.kv.put('seen', input.x); ${DOUBLE}`, { permissions: { kv: true } }));
      await publishApproved(host, publisher, version('1.1.0', DOUBLE));
      await publishApproved(host, publisher, version('1.2.0', 'return { y: input.x % 2 === 1 ? -1 : input.x * 2 };'));
      await publishApproved(
        host,
        publisher,
        version('1.3.0', `try { await ctx.fetch('https://api.x.com/v1'); } catch (e) { ctx.log(String(e)); } ${DOUBLE}`, {
          permissions: { network: { hosts: ['api.x.com'] } },
        }),
      );
      await publishApproved(host, publisher, version('1.4.0', `await ctx.kv.put('candidate', input.x); const back = await ctx.kv.get('candidate'); return { y: back * 2 };`, { permissions: { kv: true } }));
      await publishApproved(host, publisher, version('1.5.0', 'for (;;) {}'));
      await publishApproved(host, publisher, version('1.6.0', 'const a = []; for (;;) a.push(new Array(100000).fill(a.length));'));
      await publishApproved(
        host,
        publisher,
        version('1.7.0', DOUBLE, { config: { type: 'object', required: ['mode'], properties: { mode: { type: 'string' } } } }),
      );
      await publish(host, publisher, version('1.8.0', DOUBLE)); // pending review
      tenant = await createInstaller(host, 'acme');
      billingKey = (await createKey(host, tenant.id, ['billing:read'])).key;
      installId = await installOk(host, tenant.key, { plugin: PLUGIN, version: '1.0.0', grantPermissions: { kv: true } });
    });
    after(() => host.close());

    it('should show no shadow on a fresh install and answer 404 for its report and stop', async () => {
      assert.equal((await host.http().get(path()).set(bearer(tenant.key)).expect(200)).body.shadow, null);
      const res = await report();
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
      assert.equal((await host.http().delete(`${path()}/shadow`).set(bearer(tenant.key))).status, 404);
    });

    it('should refuse hostile shadow bodies with stable codes and store nothing', async () => {
      const before = (await host.http().get(path()).set(bearer(tenant.key)).expect(200)).body;
      const cases: [unknown, number, string][] = [
        [{ shadow: { version: '1.1.0', sampleRate: 1.5 } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.1.0', sampleRate: -0.1 } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.1.0', sampleRate: '1' } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.1.0' } }, 400, 'invalid_request'],
        [{ shadow: { sampleRate: 1 } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.1.0', sampleRate: 1, extra: true } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.0.0', sampleRate: 1 } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.1.0', sampleRate: 1 }, version: '1.1.0', rollout: { percent: 10 } }, 400, 'invalid_request'],
        [{ shadow: { version: '1.1.0', sampleRate: 1 }, config: {} }, 400, 'invalid_request'],
        [{ shadow: { version: '9.9.9', sampleRate: 1 } }, 404, 'not_found'],
        [{ shadow: { version: '1.8.0', sampleRate: 1 } }, 409, 'version_not_installable'],
      ];
      for (const [body, status, code] of cases) {
        const res = await patch(body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, code, JSON.stringify(body));
      }
      assert.deepEqual((await host.http().get(path()).set(bearer(tenant.key)).expect(200)).body, before, 'nothing was written');
      const other = await createInstaller(host, 'other');
      const foreign = await host.http().patch(path()).set(bearer(other.key)).send({ shadow: { version: '1.1.0', sampleRate: 1 } });
      assert.equal(foreign.status, 404);
      assert.equal((await host.http().get(`${path()}/shadow`).set(bearer(other.key))).status, 404);
      assert.equal((await host.http().get(`/v1/installs/${randomUUID()}/shadow`).set(bearer(tenant.key))).status, 404);
    });

    it('should compare every execution at sampleRate 1: identical ones counted, no sample kept, not billed', async () => {
      const usageBefore = await usage();
      const ledgerBefore = await ledger();
      const install = await shadowOn('~1.1.0');
      assert.equal(install.shadow.version, '1.1.0', 'a range resolves once to a version');
      assert.equal(install.shadow.sampleRate, 1);
      assert.equal(install.version, '1.0.0');
      await runAll([1, 2, 3, 4, 5, 6]);
      const res = await report();
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const r = res.body;
      assert.equal(r.version, '1.1.0');
      assert.deepEqual([r.compared, r.identical, r.different, r.candidateFailed], [6, 6, 0, 0]);
      assert.deepEqual(r.samples, []);
      assert.deepEqual(r.deniedHostCalls, []);
      assert.equal(typeof r.cpuMs.current.p50, 'number');
      assert.equal(typeof r.cpuMs.candidate.p95, 'number');
      assert.deepEqual(r.costPer1000, { current: 50, candidate: 50, difference: 0 }, 'the pro tier prices 1,000 executions at 50 cents');
      // Six executions were answered and recorded: the shadow runs added none.
      assert.equal((await ledger()) - ledgerBefore, 6);
      const usageAfter = await usage();
      assert.equal(usageAfter.quota.used - usageBefore.quota.used, 6, 'the quota counted the answered executions only');
    });

    it('should replace the shadow with a fresh report, count differing outputs and keep both outputs', async () => {
      const install = await shadowOn('1.2.0');
      assert.equal(install.shadow.version, '1.2.0');
      await runAll([1, 2, 3, 4, 5]);
      const r = (await report().expect(200)).body;
      assert.deepEqual([r.compared, r.identical, r.different, r.candidateFailed], [5, 2, 3, 0]);
      assert.equal(r.samples.length, 3);
      for (const s of r.samples) {
        assert.equal(s.candidateOutput.y, -1);
        assert.equal(s.output.y % 2, 0);
      }
      const ids = r.samples.map((s: { executionId: string }) => s.executionId);
      const ran = await host.deps.db('usage_records').whereIn('execution_id', ids).select('execution_id');
      assert.equal(ran.length, 3, 'each sample names an answered execution');
    });

    it('should refuse and report a host call beyond the install grant', async () => {
      await shadowOn('1.3.0');
      await runAll([1, 2, 3]);
      const r = (await report().expect(200)).body;
      assert.deepEqual([r.compared, r.identical], [3, 3]);
      assert.deepEqual(r.deniedHostCalls, [{ kind: 'network', host: 'api.x.com' }]);
    });

    it("should keep the candidate's kv writes out of the tenant's kv", async () => {
      await shadowOn('1.4.0');
      await runAll([7, 8]);
      const r = (await report().expect(200)).body;
      assert.deepEqual([r.compared, r.identical], [2, 2], 'the candidate read its own write back');
      const keys = (await host.deps.db('install_kv').where({ install_id: installId }).select('key')).map((row: { key: string }) => row.key);
      assert.deepEqual(keys, ['seen'], 'only the installed version wrote');
    });

    for (const [v, what] of [['1.5.0', 'an endless loop'], ['1.6.0', 'a memory bomb']] as const) {
      it(`should fail ${what} on the candidate's side only, costing the tenant nothing`, async () => {
        await shadowOn(v);
        const usageBefore = await usage();
        const ledgerBefore = await ledger();
        await runAll([1, 2]);
        const r = (await report().expect(200)).body;
        assert.deepEqual([r.compared, r.candidateFailed], [2, 2], JSON.stringify(r));
        for (const s of r.samples) assert.ok(['execution_timeout', 'memory_limit_exceeded'].includes(s.candidateOutput.error.code), JSON.stringify(s));
        assert.equal((await ledger()) - ledgerBefore, 2);
        const usageAfter = await usage();
        assert.equal(usageAfter.quota.used - usageBefore.quota.used, 2);
        assert.equal(usageAfter.executions - usageBefore.executions, 2);
      });
    }

    it("should count a config the candidate's schema refuses as the candidate failing", async () => {
      await shadowOn('1.7.0');
      await runAll([1]);
      const r = (await report().expect(200)).body;
      assert.deepEqual([r.compared, r.candidateFailed], [1, 1]);
      assert.equal(r.samples[0].candidateOutput.error.code, 'invalid_config');
    });

    it("should run beside a rollout, comparing only what the installed version answered", async () => {
      const rollout = await patch({ version: '1.1.0', rollout: { percent: 50 } });
      assert.equal(rollout.status, 200, JSON.stringify(rollout.body));
      const both = await shadowOn('1.2.0');
      assert.equal(both.rollout.version, '1.1.0');
      assert.equal(both.shadow.version, '1.2.0');
      const ids: string[] = [];
      const installedSide = () => ids.filter((id) => rolloutBucket(id) >= 50).length;
      // Until each side answered at least twice (the side is a hash of the execution id).
      while (ids.length < 64 && (installedSide() < 2 || ids.length - installedSide() < 2)) {
        const res = await execute(host, tenant.key, installId, { input: { x: 2 } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        ids.push(res.body.executionId as string);
      }
      await host.deps.shadowRunner.idle();
      const installed = installedSide();
      assert.ok(installed >= 2 && ids.length - installed >= 2, `both sides ran: ${installed} of ${ids.length} on the installed version`);
      assert.equal((await report().expect(200)).body.compared, installed);
      await host.http().post(`${path()}/rollout/abort`).set(bearer(tenant.key)).expect(200);
    });

    it('should sample nothing at sampleRate 0', async () => {
      await shadowOn('1.1.0', 0);
      await runAll([1, 2, 3]);
      assert.equal((await report().expect(200)).body.compared, 0);
    });

    it('should keep the report across a host rebuilt on the same database', async () => {
      await shadowOn('1.2.0');
      await runAll([1, 2]);
      const before = (await report().expect(200)).body;
      await host.close();
      host = await startTestHost(database.current);
      const after = (await report().expect(200)).body;
      assert.deepEqual(after, before);
      assert.deepEqual([after.compared, after.different], [2, 1]);
    });

    it('should stop on DELETE: further executions add nothing', async () => {
      await host.http().delete(`${path()}/shadow`).set(bearer(tenant.key)).expect(204);
      assert.equal((await host.http().get(path()).set(bearer(tenant.key)).expect(200)).body.shadow, null);
      await runAll([1, 2]);
      assert.equal((await report()).status, 404);
      const rows = await host.deps.db('install_shadow_comparisons').where({ install_id: installId }).count({ n: '*' });
      assert.equal(Number((rows[0] as { n: string | number }).n), 0);
    });
  });
}
