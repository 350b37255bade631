/**
 * The billing and analytics commands against a real host on a loopback port,
 * as a tenant and a publisher would use them: the subscription (an upgrade
 * with its proration, a scheduled downgrade, cancellation), usage with the
 * quota of the billing period, a closed period's invoice listed, shown and
 * paid, and a publisher's analytics after the hourly rollup. The host runs on
 * a test clock, so a billing period passes in a moment.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../support/database-backends.js';
import { errorCodeOf, runCliProcess, type CliRun, succeeded, succeededJson } from '../support/run-cli.js';
import { bearer, createKey, createTenant, FakeClock, type TestHost } from '../support/test-host.js';
import { examplePackage, publishApproved, putSettings } from '../host/executions/execution-host.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

const PERIOD_START = '2033-01-10T00:00:00.000Z';
const PERIOD_END = '2033-02-10T00:00:00.000Z';

for (const backend of backends) {
  describe(`bazaar subscription, usage, invoices and analytics against a real host (${backend.name})`, function () {
    this.timeout(90_000);
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let server: ListeningHost;
    let host: TestHost;
    let asAcme: (args: string[]) => Promise<CliRun>;
    let asPublisher: (args: string[]) => Promise<CliRun>;
    let invoiceId: string;
    let acmeId: string;
    const setTime = (iso: string) => host.clock.advance(new Date(iso).getTime() - host.clock.now().getTime());


    before(async () => {
      server = await listenTestHost(database.current, { clock: new FakeClock(new Date(PERIOD_START)) });
      host = server.host;
      const examples = await createTenant(host, { slug: 'examples', tier: 'free' });
      const publisherKey = (await createKey(host, examples.id, ['plugins:publish'])).key;
      await publishApproved(host, { key: publisherKey, tenantId: examples.id }, await examplePackage('slugify'));
      const acme = await createTenant(host, { slug: 'acme', tier: 'pro' });
      acmeId = acme.id;
      await putSettings(host, acme.id, { limits: { executionsPerMonth: 1 } });
      const key = (await createKey(host, acme.id, ['plugins:install', 'plugins:execute', 'billing:read', 'billing:write'])).key;
      asAcme = (args) => runCliProcess([...args, '--host', server.url, '--key', key]);
      asPublisher = (args) => runCliProcess([...args, '--host', server.url, '--key', publisherKey]);
    });
    after(async () => server?.close());

    it('should show the subscription, upgrade with a proration and schedule a downgrade', async () => {
      setTime('2033-01-20T00:00:00Z'); // 21 of the period's 31 days remain
      const shown = succeeded(await asAcme(['subscription']));
      assert.match(shown, /^tier:\s+pro$/m);
      assert.match(shown, /^status:\s+active$/m);
      assert.match(shown, new RegExp(`^period:\\s+${PERIOD_START} \\.\\. ${PERIOD_END}$`, 'm'));
      assert.match(shown, new RegExp(`^next:\\s+renews at ${PERIOD_END}$`, 'm'));

      // (team − pro) × 21/31 days = 15,000 × 1,814,400 / 2,678,400 = 10,161.29 → 10,161 cents.
      const upgraded = succeeded(await asAcme(['subscription', 'upgrade', 'team']));
      assert.match(upgraded, /^upgraded to team; proration \$101\.61 on the current invoice$/m);
      assert.equal(succeededJson(await asAcme(['subscription', 'show', '--json']))['tier'], 'team');
      const again = await asAcme(['subscription', 'upgrade', 'pro', '--json']);
      assert.equal(again.code, 1);
      assert.equal(errorCodeOf(again), 'conflict');

      const downgraded = succeededJson(await asAcme(['subscription', 'downgrade', 'pro', '--json']));
      assert.equal(downgraded['pendingTier'], 'pro');
      assert.match(succeeded(await asAcme(['subscription'])), new RegExp(`^next:\\s+downgrades to pro at ${PERIOD_END}$`, 'm'));
    });

    it('should show usage with the quota of the billing period', async () => {
      setTime('2033-01-25T10:30:00Z');
      succeeded(await asAcme(['install', '@examples/slugify']));
      for (const title of ['One', 'Two', 'Three']) succeeded(await asAcme(['exec', '@examples/slugify', '--input', JSON.stringify({ title })]));
      const usage = succeededJson(await asAcme(['usage', '--json']));
      assert.equal(usage['executions'], 3);
      assert.deepEqual(usage['quota'], {
        period: `${PERIOD_START}/${PERIOD_END}`,
        periodStart: PERIOD_START,
        periodEnd: PERIOD_END,
        included: 1,
        used: 3,
        remaining: 0,
      });
      const human = succeeded(await asAcme(['usage']));
      assert.match(human, /^quota:\s+3 used of 1, 0 left$/m);
      assert.match(human, new RegExp(`^quota period:\\s+${PERIOD_START} \\.\\. ${PERIOD_END}$`, 'm'));
    });

    it("should list, show and pay the closed period's invoice", async () => {
      setTime(PERIOD_END);
      const closed = await host.http().post('/v1/billing/close-period').set(bearer(host.adminKey)).expect(200);
      const mine = closed.body.closed.filter((c: { tenantId: string }) => c.tenantId === acmeId);
      assert.equal(mine.length, 1);
      invoiceId = mine[0].invoiceId;

      const list = succeededJson(await asAcme(['invoices', 'list', '--json']))['items'] as { id: string; status: string; periodStart: string }[];
      assert.deepEqual(list.map((i) => [i.status, i.periodStart]), [['draft', PERIOD_END], ['open', PERIOD_START]]);
      const table = succeeded(await asAcme(['invoices']));
      assert.match(table, /^ID\s+PERIOD\s+STATUS\s+LINES\s+SUBTOTAL\s+TOTAL\s+DUE$/m);
      assert.match(table, new RegExp(`^${invoiceId}\\s+2033-01-10\\.\\.2033-02-10\\s+open\\s+3\\s+\\$150\\.61\\s+\\$165\\.67\\s+2033-02-`, 'm'));

      // Lines: pro's fee at the period start, the upgrade's proration, overage of 2 (at team's rate: rounds to 0 cents).
      const invoice = succeededJson(await asAcme(['invoices', 'show', invoiceId, '--json']));
      const lines = (invoice['lines'] as { kind: string; plugin: string | null; quantity: number; amountCents: number }[]).map((l) => [l.kind, l.plugin, l.quantity, l.amountCents]);
      assert.deepEqual(lines, [['subscription', null, 1, 4_900], ['proration', null, 21 * 86_400, 10_161], ['overage', '@examples/slugify', 2, 0]]);
      assert.deepEqual([invoice['subtotalCents'], invoice['taxCents'], invoice['totalCents'], invoice['status']], [15_061, 1_506, 16_567, 'open']);
      const shown = succeeded(await asAcme(['invoices', 'show', invoiceId]));
      assert.match(shown, /^KIND\s+PLUGIN\s+QTY\s+AMOUNT\s+DESCRIPTION$/m);
      assert.match(shown, /^subscription\s+-\s+1\s+\$49\.00\s+pro tier/m);
      assert.match(shown, /^proration\s+-\s+1814400\s+\$101\.61\s+Upgrade pro → team/m);
      assert.match(shown, /^overage\s+@examples\/slugify\s+2\s+\$0\.00\s+/m);
      assert.match(shown, /^subtotal:\s+\$150\.61$/m);
      assert.match(shown, /^tax \(10%\):\s+\$15\.06$/m);
      assert.match(shown, /^total:\s+\$165\.67$/m);

      const paid = succeeded(await asAcme(['invoices', 'pay', invoiceId, '--reference', 'wire-2033-001']));
      assert.match(paid, new RegExp(`^invoice ${invoiceId}: paid, \\$165\\.67 recorded$`, 'm'));
      assert.match(paid, /^reference:\s+wire-2033-001$/m);
      const twice = await asAcme(['invoices', 'pay', invoiceId, '--reference', 'wire-2033-001', '--json']);
      assert.equal(twice.code, 1);
      assert.equal(errorCodeOf(twice), 'conflict');
      const wrongAmount = await asAcme(['invoices', 'pay', list[0]!.id, '--reference', 'x', '--amount-cents', '5', '--json']);
      assert.equal(wrongAmount.code, 1, 'a draft cannot be paid');
      assert.equal(errorCodeOf(wrongAmount), 'conflict');
      assert.equal(succeededJson(await asAcme(['invoices', 'show', invoiceId, '--json']))['status'], 'paid');

      // The downgrade took effect with the new period.
      assert.match(succeeded(await asAcme(['subscription'])), /^tier:\s+pro$/m);
    });

    it('should show a publisher the hourly analytics of their plugin after a rollup', async () => {
      await host.deps.analytics.rollup.runOnce();
      const range = ['--from', '2033-01-25', '--to', '2033-01-26'];
      const body = succeededJson(await asPublisher(['analytics', '@examples/slugify', ...range, '--json']));
      assert.equal(body['plugin'], '@examples/slugify');
      const versions = body['versions'] as { version: string; series: { hour: string; executions: number; successRate: number }[] }[];
      assert.deepEqual(versions.map((v) => [v.version, v.series.map((h) => [h.hour, h.executions, h.successRate])]), [
        ['1.0.0', [['2033-01-25T10:00:00.000Z', 3, 1]]],
      ]);
      const human = succeeded(await asPublisher(['analytics', '@examples/slugify', ...range]));
      assert.match(human, /^VERSION\s+EXECUTIONS\s+FAILED\s+SUCCESS\s+HOURS$/m);
      assert.match(human, /^1\.0\.0\s+3\s+0\s+100\.0%\s+1$/m);
      assert.match(human, /^2033-01-25 10h\s+1\.0\.0\s+3\s+100\.0%/m);

      // A tenant key without plugins:publish is refused; another scope's plugin is not found.
      const tenant = await asAcme(['analytics', '@examples/slugify', '--json']);
      assert.equal(tenant.code, 1);
      assert.equal(errorCodeOf(tenant), 'forbidden');
      const other = await asPublisher(['analytics', '@acme/nothing', '--json']);
      assert.equal(errorCodeOf(other), 'not_found');
    });

    it('should cancel at the period end, then at once', async () => {
      assert.match(succeeded(await asAcme(['subscription', 'cancel'])), /^subscription cancels at 2033-03-10T00:00:00\.000Z$/m);
      const now = succeededJson(await asAcme(['subscription', 'cancel', '--now', '--json']));
      assert.equal(now['status'], 'canceled');
      assert.equal(now['tier'], 'free');
    });
  });
}
