/**
 * Gradual rollouts over real HTTP, on every backend: hostile PATCH bodies
 * refused with stable codes and nothing stored, permission re-consent, the
 * per-execution split (both versions run, each execution recorded with the
 * version that ran, chosen by its id), per-version analytics, adjust,
 * promote, abort, and the rollout circuit breaker aborting a rollout to a
 * version that throws, with its event in the webhook outbox.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rolloutBucket } from '../../../host/executions/rollout-split.js';
import { InstallRepository } from '../../../host/installs/install-repository.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, FakeClock, startTestHost, type TestHost } from '../../support/test-host.js';
import { createInstaller, execute, type Installer, installOk, packageOf, pluginPath, type Publisher, publish, publishApproved } from '../executions/execution-host.js';

const CANARY = '@examples/canary';
const OUT = { type: 'object', required: ['v'], properties: { v: { type: 'string' } } };

/** A version of the canary plugin whose `run` answers its version, or throws. */
function canary(version: string, options: { throws?: boolean; kv?: boolean } = {}): Buffer {
  const body = options.throws === true ? "throw new Error('broken release')" : `return { v: '${version}' }`;
  return packageOf(
    {
      name: CANARY,
      version,
      actions: { run: { input: { type: 'object' }, output: OUT } },
      defaultAction: 'run',
      ...(options.kv === true ? { permissions: { kv: true } } : {}),
    },
    { 'index.js': `export function run() { ${body}; }\n` },
  );
}

for (const backend of backends) {
  describe(`gradual rollouts (${backend.name})`, function () {
    this.timeout(180_000);
    const database = useDatabase(backend);
    let host: TestHost;
    let publisher: Publisher;
    let tenant: Installer;
    let installId: string;
    const path = () => `/v1/installs/${installId}`;
    const patch = (body: unknown) => host.http().patch(path()).set(bearer(tenant.key)).send(body as object);
    const read = async () => (await host.http().get(path()).set(bearer(tenant.key)).expect(200)).body;
    const run = () => execute(host, tenant.key, installId, { input: {} });

    before(async () => {
      host = await startTestHost(database.current, { clock: new FakeClock(new Date('2031-05-01T10:00:00Z')) });
      const owner = await createTenant(host, { slug: 'examples', tier: 'pro' });
      publisher = { key: (await createKey(host, owner.id, ['plugins:publish'])).key, tenantId: owner.id };
      for (const v of ['0.9.0', '1.0.0', '1.1.0']) await publishApproved(host, publisher, canary(v));
      await publishApproved(host, publisher, canary('1.2.0', { kv: true }));
      await publishApproved(host, publisher, canary('2.0.0', { throws: true }));
      await publishApproved(host, publisher, canary('1.3.0'));
      const yank = await host.http().post(pluginPath(CANARY, 'versions', '1.3.0', 'yank')).set(bearer(publisher.key)).send({ reason: 'bad build' });
      assert.equal(yank.status, 200, JSON.stringify(yank.body));
      await publish(host, publisher, canary('1.4.0')); // pending review
      tenant = await createInstaller(host, 'acme');
      installId = await installOk(host, tenant.key, { plugin: CANARY, version: '1.0.0' });
    });
    after(() => host.close());

    it('should show no rollout on a fresh install', async () => {
      const install = await read();
      assert.equal(install.rollout, null);
      assert.equal(install.lastRolloutAbort, null);
    });

    it('should refuse hostile rollouts with stable codes and store nothing', async () => {
      const before = await read();
      const cases: [unknown, number, string][] = [
        [{ version: '1.1.0', rollout: { percent: 0 } }, 400, 'invalid_request'],
        [{ version: '1.1.0', rollout: { percent: 100 } }, 400, 'invalid_request'],
        [{ version: '1.1.0', rollout: { percent: '50' } }, 400, 'invalid_request'],
        [{ version: '1.1.0', rollout: { percent: 12.5 } }, 400, 'invalid_request'],
        [{ version: '1.1.0', rollout: {} }, 400, 'invalid_request'],
        [{ version: '1.1.0', rollout: { percent: 10, extra: true } }, 400, 'invalid_request'],
        [{ rollout: { percent: 10 } }, 400, 'invalid_request'],
        [{ version: '1.0.0', rollout: { percent: 10 } }, 400, 'invalid_request'],
        [{ version: '9.9.9', rollout: { percent: 10 } }, 404, 'not_found'],
        [{ version: '1.3.0', rollout: { percent: 10 } }, 409, 'version_not_installable'],
        [{ version: '1.4.0', rollout: { percent: 10 } }, 409, 'version_not_installable'],
      ];
      for (const [body, status, code] of cases) {
        const res = await patch(body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, code, JSON.stringify(body));
      }
      assert.deepEqual(await read(), before, 'nothing was written');
      for (const action of ['promote', 'abort']) {
        const res = await host.http().post(`${path()}/rollout/${action}`).set(bearer(tenant.key));
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'no_rollout');
        const missing = await host.http().post(`/v1/installs/${randomUUID()}/rollout/${action}`).set(bearer(tenant.key));
        assert.equal(missing.status, 404);
      }
    });

    it('should refuse a version that needs permissions not granted, and start once they are granted', async () => {
      const refused = await patch({ version: '1.2.0', rollout: { percent: 10 } });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'permissions_not_granted');
      assert.deepEqual(refused.body.error.details.missing, { kv: true, network: { hosts: [] } });
      assert.equal((await read()).rollout, null);

      const granted = await patch({ version: '1.2.0', rollout: { percent: 10 }, grantPermissions: { kv: true } });
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.deepEqual(granted.body.rollout.version, '1.2.0');
      assert.deepEqual(granted.body.permissions, { kv: false, network: { hosts: [] } }, 'the installed version keeps its own grant');
      const aborted = await host.http().post(`${path()}/rollout/abort`).set(bearer(tenant.key)).expect(200);
      assert.equal(aborted.body.rollout, null);
      assert.equal(aborted.body.version, '1.0.0');
      assert.equal(aborted.body.lastRolloutAbort.version, '1.2.0');
      assert.equal(aborted.body.lastRolloutAbort.reason, 'aborted by the tenant');
      assert.equal(aborted.body.lastRolloutAbort.failureRates, null);
    });

    it('should split executions by execution id and record the version each one ran', async () => {
      const started = await patch({ version: '1.1.0', rollout: { percent: 50 } });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      assert.deepEqual(started.body.rollout, { version: '1.1.0', percent: 50, startedAt: '2031-05-01T10:00:00.000Z' });
      assert.equal(started.body.version, '1.0.0');

      const ran = new Map<string, string>();
      for (let i = 0; i < 200; i++) {
        const res = await run();
        assert.equal(res.status, 200, JSON.stringify(res.body));
        ran.set(res.body.executionId, res.body.output.v);
      }
      const counts = { '1.0.0': 0, '1.1.0': 0 } as Record<string, number>;
      for (const [executionId, v] of ran) {
        counts[v] = (counts[v] ?? 0) + 1;
        assert.equal(v, rolloutBucket(executionId) < 50 ? '1.1.0' : '1.0.0', `execution ${executionId} ran the version its bucket names`);
      }
      assert.ok(counts['1.0.0']! > 40 && counts['1.1.0']! > 40, `both versions ran: ${JSON.stringify(counts)}`);

      const rows = (await host.deps.db('usage_records').where({ install_id: installId }).select('execution_id', 'plugin_version')) as { execution_id: string; plugin_version: string }[];
      const recorded = new Map(rows.map((r) => [r.execution_id, r.plugin_version]));
      for (const [executionId, v] of ran) assert.equal(recorded.get(executionId), v, 'the ledger names the version that ran');
      const one = [...ran.entries()].find(([, v]) => v === '1.1.0')!;
      const shown = await host.http().get(`/v1/executions/${one[0]}`).set(bearer(tenant.key)).expect(200);
      assert.equal(shown.body.version, '1.1.0');
    });

    it('should show both versions in the plugin analytics', async () => {
      host.clock.advance(2 * 60 * 60 * 1000);
      await host.deps.analytics.rollup.runOnce();
      const res = await host.http().get(`/v1/analytics/plugins/${encodeURIComponent(CANARY)}`).set(bearer(publisher.key)).expect(200);
      const executions = (v: string) =>
        (res.body.versions as { version: string; series: { executions: number }[] }[])
          .filter((s) => s.version === v)
          .flatMap((s) => s.series)
          .reduce((sum, h) => sum + h.executions, 0);
      assert.ok(executions('1.0.0') > 40, JSON.stringify(res.body.versions.map((s: { version: string }) => s.version)));
      assert.ok(executions('1.1.0') > 40);
    });

    it('should adjust the percent of the same rollout, keeping its start', async () => {
      const before = await read();
      const res = await patch({ version: '1.1.0', rollout: { percent: 10 } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.rollout, { ...before.rollout, percent: 10 });
    });

    it('should refuse an upgrade to a third version while a rollout runs, but take a config change', async () => {
      const res = await patch({ version: '0.9.0' });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'conflict');
      assert.equal((await patch({ config: {} })).status, 200);
      assert.equal((await read()).rollout.version, '1.1.0');
    });

    it('should promote: the install upgraded to the new version, the rollout cleared', async () => {
      const res = await host.http().post(`${path()}/rollout/promote`).set(bearer(tenant.key));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.version, '1.1.0');
      assert.equal(res.body.rollout, null);
      for (let i = 0; i < 10; i++) assert.equal((await run()).body.output.v, '1.1.0');
      assert.equal((await host.http().post(`${path()}/rollout/promote`).set(bearer(tenant.key))).body.error.code, 'no_rollout');
    });

    it('should roll back to an older version and abort it: only the installed version runs again', async () => {
      const started = await patch({ version: '0.9.0', rollout: { percent: 99 } });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add((await run()).body.output.v);
      assert.ok(seen.has('0.9.0'));
      const res = await host.http().post(`${path()}/rollout/abort`).set(bearer(tenant.key)).expect(200);
      assert.equal(res.body.version, '1.1.0');
      assert.equal(res.body.rollout, null);
      for (let i = 0; i < 10; i++) assert.equal((await run()).body.output.v, '1.1.0');
    });

    it('should not let a promote decided on a rollout aborted meanwhile (another host, the breaker) undo the abort', async () => {
      assert.equal((await patch({ version: '0.9.0', rollout: { percent: 50 } })).status, 200);
      const store = new InstallRepository(host.deps.db, host.deps.cacheGeneration);
      const seenByPromote = await store.findById(tenant.id, installId);
      await host.http().post(`${path()}/rollout/abort`).set(bearer(tenant.key)).expect(200);
      // The promote's write, decided on the rollout it read before the abort: refused as a whole.
      const rollout = seenByPromote!.rollout!;
      const late = await store.update(tenant.id, installId, { version: rollout.version, config: rollout.config, rollout: null }, new Date(), rollout);
      assert.equal(late, null);
      const now = await read();
      assert.deepEqual([now.version, now.rollout, now.lastRolloutAbort.version], ['1.1.0', null, '0.9.0']);
      // And a start decided while no rollout ran does not overwrite one that began meanwhile.
      assert.equal((await patch({ version: '0.9.0', rollout: { percent: 10 } })).status, 200);
      assert.equal(await store.update(tenant.id, installId, { rollout: null }, new Date(), null), null);
      assert.equal((await read()).rollout.percent, 10);
      await host.http().post(`${path()}/rollout/abort`).set(bearer(tenant.key)).expect(200);
    });

    it('should abort a rollout to a version that fails markedly more, record why, and put the event in the outbox', async () => {
      const started = await patch({ version: '2.0.0', rollout: { percent: 50 } });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const hooks = (await createKey(host, tenant.id, ['webhooks:write'])).key;
      const hook = await host.http().post('/v1/webhooks').set(bearer(hooks)).send({ url: 'https://hooks.acme.test/b', events: ['install.rollout.aborted'] });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));

      const failedOnNew = async () =>
        Number((await host.deps.db('usage_records').where({ install_id: installId, plugin_version: '2.0.0' }).count({ n: '*' }).first())?.n);
      while ((await failedOnNew()) < 19) {
        const res = await run();
        assert.ok(res.status === 200 || (res.status === 422 && res.body.error.code === 'plugin_error'), JSON.stringify(res.body));
      }
      assert.deepEqual(await host.deps.rolloutBreaker.checkOnce(), [], 'no verdict under 20 executions of the new version');
      while ((await failedOnNew()) < 20) await run();

      const aborted = await host.deps.rolloutBreaker.checkOnce();
      assert.equal(aborted.length, 1);
      assert.deepEqual(await host.deps.rolloutBreaker.checkOnce(), [], 'aborted once');

      const install = await read();
      assert.equal(install.rollout, null);
      assert.equal(install.version, '1.1.0');
      const abort = install.lastRolloutAbort;
      assert.equal(abort.version, '2.0.0');
      assert.match(abort.reason, /20 of 20 executions of 2\.0\.0 failed/);
      assert.equal(abort.failureRates.rollout.failureRate, 1);
      assert.equal(abort.failureRates.current.failureRate, 0);
      assert.equal(abort.failureRates.current.version, '1.1.0');

      const events = (await host.deps.db('webhook_events').where({ type: 'install.rollout.aborted' }).select('*')) as { tenant_id: string; data: unknown }[];
      assert.equal(events.length, 1);
      assert.equal(events[0]!.tenant_id, tenant.id);
      const data = (typeof events[0]!.data === 'string' ? JSON.parse(events[0]!.data) : events[0]!.data) as Record<string, unknown>;
      assert.deepEqual(
        { ...data, failureRates: undefined },
        { installId, plugin: CANARY, fromVersion: '1.1.0', toVersion: '2.0.0', reason: abort.reason, failureRates: undefined },
      );
      assert.deepEqual(data.failureRates, abort.failureRates);
      for (let i = 0; i < 10; i++) assert.equal((await run()).body.output.v, '1.1.0');
    });

    it('should not abort a rollout whose new version fails no more than the old', async () => {
      await patch({ version: '0.9.0', rollout: { percent: 50 } }).expect(200);
      const onNew = async () => Number((await host.deps.db('usage_records').where({ install_id: installId, plugin_version: '0.9.0' }).count({ n: '*' }).first())?.n);
      const already = await onNew();
      while ((await onNew()) < already + 20) assert.equal((await run()).status, 200);
      assert.deepEqual(await host.deps.rolloutBreaker.checkOnce(), []);
      assert.equal((await read()).rollout.version, '0.9.0');
    });
  });
}
