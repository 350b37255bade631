/**
 * Each event of this issue, emitted where it happens and delivered end to end
 * to a real receiver on loopback, on every backend:
 * plugin.version.approved / rejected / yanked (publisher, and installers for
 * yanked), execution.failed (nothing for a success), quota.threshold at 80%
 * and 100% exactly once, install.upgraded.
 */
import assert from 'node:assert/strict';
import type { EventType } from '../../../host/webhooks/domain-events.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { createKey, type TestHost } from '../../support/test-host.js';
import {
  type Publisher,
  bearer,
  createInstaller,
  execute,
  hostilePackage,
  installOk,
  packageOf,
  pluginPath,
  publish,
  publishApproved,
  startExecutionHost,
} from '../executions/execution-host.js';
import { type Receiver, startReceiver, verified } from './receiver.js';

interface Event {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

for (const backend of backends) {
  describe(`webhook events (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_ALLOW_PRIVATE_NETWORKS: '1' });
    let host: TestHost;
    let publisher: Publisher;
    let receiver: Receiver;
    let publisherHook: { secret: string; name: string };

    /** A webhooks:write key for `tenantId` and a subscription at `/hook/<name>`. */
    async function subscribe(tenantId: string, name: string, events: EventType[]): Promise<{ secret: string; name: string }> {
      const key = (await createKey(host, tenantId, ['webhooks:write'])).key;
      const res = await host.http().post('/v1/webhooks').set(bearer(key)).send({ url: `${receiver.url}/${name}`, events });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return { secret: res.body.secret as string, name };
    }

    /** Dispatch everything due, then the verified events that reached `hook`. */
    async function received(hook: { secret: string; name: string }): Promise<Event[]> {
      while ((await host.deps.webhookDispatcher.runOnce()) > 0);
      return receiver.at(hook.name).map((r) => verified(r, hook.secret));
    }

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      receiver = await startReceiver();
      publisherHook = await subscribe(publisher.tenantId, 'publisher', ['plugin.version.approved', 'plugin.version.rejected', 'plugin.version.yanked']);
    });

    after(async () => {
      await host?.close();
      await receiver?.close();
    });

    it('should deliver plugin.version.approved and .rejected to the publisher tenant', async () => {
      await publishApproved(host, publisher, hostilePackage('@examples/approved-one'));
      const rejected = await publish(host, publisher, hostilePackage('@examples/rejected-one'));
      await host.http().post(pluginPath(rejected.name, 'versions', rejected.version, 'review')).set(bearer(host.adminKey)).send({ decision: 'reject', notes: 'no' }).expect(200);
      const events = await received(publisherHook);
      const approved = events.find((e) => e.type === 'plugin.version.approved' && e.data.plugin === '@examples/approved-one');
      assert.deepEqual(approved?.data, { plugin: '@examples/approved-one', version: '1.0.0', status: 'approved', previousStatus: 'pending_review', reason: 'reviewed in tests' });
      const rej = events.filter((e) => e.type === 'plugin.version.rejected');
      assert.deepEqual(rej.map((e) => [e.data.plugin, e.data.reason]), [['@examples/rejected-one', 'no']]);
    });

    it('should deliver execution.failed for a failed execution, and nothing for a success', async () => {
      await publishApproved(host, publisher, hostilePackage());
      const tenant = await createInstaller(host, 'ev-failing');
      const hook = await subscribe(tenant.id, 'failing', ['execution.failed']);
      const installId = await installOk(host, tenant.key, { plugin: '@examples/hostile' });
      await execute(host, tenant.key, installId, { input: { n: 1 } }).expect(200);
      assert.deepEqual(await received(hook), []);
      const failed = await execute(host, tenant.key, installId, { action: 'boom', input: {} }).expect(422);
      const events = await received(hook);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'execution.failed');
      assert.deepEqual(
        { ...events[0]!.data, error: (events[0]!.data.error as { code: string }).code },
        { executionId: failed.body.executionId, installId, plugin: '@examples/hostile', version: '1.0.0', action: 'boom', error: 'plugin_error' },
      );
    });

    it('should deliver quota.threshold at 80% and at 100%, each exactly once', async () => {
      await publishApproved(host, publisher, hostilePackage('@examples/quota-one'));
      const tenant = await createInstaller(host, 'ev-quota', 'pro', { executionsPerMonth: 5 });
      const hook = await subscribe(tenant.id, 'quota', ['quota.threshold']);
      const installId = await installOk(host, tenant.key, { plugin: '@examples/quota-one' });
      const seen: number[][] = [];
      for (let i = 1; i <= 7; i++) {
        await execute(host, tenant.key, installId, { input: { n: i } }).expect(200); // pro: overage, not refused
        seen.push((await received(hook)).map((e) => e.data.threshold as number));
      }
      // Nothing before 4 of 5 (80%), 80 at the 4th, 100 at the 5th, nothing after.
      assert.deepEqual(seen, [[], [], [], [80], [80, 100], [80, 100], [80, 100]]);
      const events = await received(hook);
      assert.deepEqual(
        events.map((e) => [e.type, e.data.threshold, e.data.used, e.data.included]),
        [['quota.threshold', 80, 4, 5], ['quota.threshold', 100, 5, 5]],
      );
    });

    it('should deliver install.upgraded when an install changes version', async () => {
      const v1 = packageOf({ name: '@examples/upgradable', version: '1.0.0', actions: { hello: { input: { type: 'object' }, output: { type: 'object' } } } }, { 'index.js': 'export function hello() { return {}; }' });
      const v2 = packageOf({ name: '@examples/upgradable', version: '1.1.0', actions: { hello: { input: { type: 'object' }, output: { type: 'object' } } } }, { 'index.js': 'export function hello() { return { v: 2 }; }' });
      await publishApproved(host, publisher, v1);
      await publishApproved(host, publisher, v2);
      const tenant = await createInstaller(host, 'ev-upgrade');
      const hook = await subscribe(tenant.id, 'upgrade', ['install.upgraded', 'plugin.version.yanked']);
      const installId = await installOk(host, tenant.key, { plugin: '@examples/upgradable', version: '1.0.0' });
      // A config-only change is not an upgrade.
      await host.http().patch(`/v1/installs/${installId}`).set(bearer(tenant.key)).send({ config: {} }).expect(200);
      assert.deepEqual(await received(hook), []);
      await host.http().patch(`/v1/installs/${installId}`).set(bearer(tenant.key)).send({ version: '1.1.0' }).expect(200);
      const events = await received(hook);
      assert.deepEqual(events.map((e) => [e.type, e.data]), [['install.upgraded', { installId, plugin: '@examples/upgradable', fromVersion: '1.0.0', toVersion: '1.1.0' }]]);
    });

    it('should deliver plugin.version.yanked to the publisher and to each tenant with an install of it', async () => {
      const tenant = await createInstaller(host, 'ev-yank');
      const other = await createInstaller(host, 'ev-yank-other');
      const hook = await subscribe(tenant.id, 'yank', ['plugin.version.yanked']);
      const otherHook = await subscribe(other.id, 'yank-other', ['plugin.version.yanked']);
      const installId = await installOk(host, tenant.key, { plugin: '@examples/upgradable', version: '1.1.0' });
      await installOk(host, other.key, { plugin: '@examples/approved-one' }); // another plugin: not concerned
      await host.http().post(pluginPath('@examples/upgradable', 'versions', '1.1.0', 'yank')).set(bearer(publisher.key)).send({ reason: 'broken' }).expect(200);
      const mine = await received(hook);
      assert.deepEqual(mine.map((e) => [e.type, e.data.plugin, e.data.version, e.data.installIds]), [['plugin.version.yanked', '@examples/upgradable', '1.1.0', [installId]]]);
      assert.deepEqual(await received(otherHook), []);
      const publisherEvents = (await received(publisherHook)).filter((e) => e.type === 'plugin.version.yanked');
      assert.deepEqual(publisherEvents.map((e) => [e.data.plugin, e.data.version, e.data.reason, e.data.installIds]), [['@examples/upgradable', '1.1.0', 'broken', []]]);
    });
  });
}
